/**
 * Pulumi property paths (`networkRuleSet.ipRules[0].value`, `tags["cost.center"]`): the keys of a
 * step's `detailedDiff`. Parsed into segments so values can be looked up and paths matched against
 * the severity table.
 */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Splits a Pulumi property path into keys and array indexes; a malformed path becomes one key. */
export function parsePropertyPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  let key = "";
  const flushKey = () => {
    if (key !== "") segments.push(key);
    key = "";
  };
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      flushKey();
      i++;
    } else if (c === "[") {
      flushKey();
      const close = findClosingBracket(path, i);
      if (close < 0) return [path];
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (inner.startsWith('"')) {
        try {
          segments.push(String(JSON.parse(inner)));
        } catch {
          return [path];
        }
      } else segments.push(inner);
      i = close + 1;
    } else {
      key += c;
      i++;
    }
  }
  flushKey();
  return segments;
}

function findClosingBracket(path: string, open: number): number {
  let inString = false;
  for (let j = open + 1; j < path.length; j++) {
    const c = path[j];
    if (inString) {
      if (c === "\\") j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "]") return j;
  }
  return -1;
}

/** The inverse of `parsePropertyPath`, in the form Pulumi prints. */
export function formatPropertyPath(segments: PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Matches a path against a glob written with dots: `*` is one segment (key or index), `**` any
 * number of segments, anything else a key compared case-insensitively (Azure casing varies:
 * `enableRBAC`, `enableRbacAuthorization`).
 */
export function matchesPathGlob(glob: string, segments: PathSegment[]): boolean {
  const pattern = glob.split(".");
  const memo = new Map<string, boolean>();
  const match = (p: number, s: number): boolean => {
    const k = `${p}:${s}`;
    const cached = memo.get(k);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (p === pattern.length) result = s === segments.length;
    else if (pattern[p] === "**") result = match(p + 1, s) || (s < segments.length && match(p, s + 1));
    else if (s === segments.length) result = false;
    else if (pattern[p] === "*") result = match(p + 1, s + 1);
    else result = String(segments[s]).toLowerCase() === pattern[p].toLowerCase() && match(p + 1, s + 1);
    memo.set(k, result);
    return result;
  };
  return match(0, 0);
}
