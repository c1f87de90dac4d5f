/**
 * Where a JSON text first goes wrong. Node's JSON.parse messages do not always carry a position,
 * and "cut short" (a truncated file) deserves its own message, so bad input is located here.
 */
export interface JsonSyntaxError {
  /** Character offset of the problem; equal to the text length when the text ends too early. */
  offset: number;
  line: number;
  column: number;
  truncated: boolean;
  expected: string;
}

const LITERAL = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/;
const COMPLETE_LITERAL = new RegExp(`${LITERAL.source}$`);
const PARTIAL_LITERAL = /^(t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?|-?\d*(\.\d*)?([eE][+-]?\d*)?)$/;

class Stop {
  constructor(readonly offset: number, readonly expected: string) {}
}

export function locateJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const expect = (c: string, what: string) => {
    if (text[i] !== c) throw new Stop(i, what);
    i++;
  };
  const string = () => {
    expect('"', "a string");
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) throw new Stop(i, "a closing quote");
      i++;
    }
    expect('"', "a closing quote");
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(":", "':'");
        value();
        ws();
        if (text[i] === ",") i++;
        else return expect("}", "',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else return expect("]", "',' or ']'");
      }
    }
    if (c === '"') return string();
    const rest = text.slice(i, i + 400);
    // A literal cut off by the end of the text (`nu`, `1.`) is truncation, not a bad value.
    if (i + rest.length === text.length && PARTIAL_LITERAL.test(rest) && !COMPLETE_LITERAL.test(rest)) {
      throw new Stop(text.length, "a value");
    }
    const literal = LITERAL.exec(rest);
    if (!literal) throw new Stop(i, "a value");
    i += literal[0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i, "the end of the document");
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    // An escape at the very end steps past it.
    const offset = Math.min(err.offset, text.length);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return { offset, line, column, truncated: offset === text.length, expected: err.expected };
  }
}
