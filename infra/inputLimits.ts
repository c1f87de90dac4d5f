/**
 * Limits on input files, checked before any parser or recursive walker sees them: a size cap read
 * from the file system (nothing larger is read), and, for JSON, one linear scan that finds nesting
 * deeper than the walkers accept and duplicate keys (which JSON.parse silently resolves to the last
 * value, so a second `steps` key could hide the first). Every walker downstream recurses at most
 * `maxDepth` levels, far below Node's stack limit.
 */
import * as fs from "node:fs";
import type { InputProblem } from "../shared/errors";

export const INPUT_LIMITS = {
  /** Stack config files (`Pulumi*.yaml`): the shipped ones are a few KB. */
  configBytes: 1024 * 1024,
  /** Pulumi JSON output and saved plans: thousands of resources fit easily. */
  jsonBytes: 64 * 1024 * 1024,
  /** Nesting of objects and arrays (ARM payloads stay below 20). */
  maxDepth: 64,
  /** YAML aliases expanded per document (the `yaml` package's own default, stated here). */
  yamlAliases: 100,
} as const;

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB ? 1 : 0)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** Reads a text file no larger than `maxBytes`; a problem naming the file otherwise. */
export function readBoundedText(file: string, display: string, maxBytes: number): { text?: string; problem?: InputProblem } {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return { problem: { file: display, path: "", message: "cannot read the file: is a directory" } };
    if (stat.size > maxBytes) return { problem: { file: display, path: "", message: `is ${size(stat.size)}, larger than the ${size(maxBytes)} this command reads` } };
    return { text: fs.readFileSync(file, "utf8") };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "ELOOP" ? "a symbolic link that loops" : (code ?? (err as Error).message);
    return { problem: { file: display, path: "", message: `cannot read the file: ${why}` } };
  }
}

interface Frame {
  kind: "object" | "array";
  keys?: Set<string>;
  expectKey: boolean;
  key?: string;
  index: number;
}

/** Key path of the innermost frame; at most 12 levels shown (deep paths are the problem being reported). */
function pathOf(stack: Frame[]): string {
  let path = "";
  for (const [i, f] of stack.entries()) {
    if (i === 12) return `${path}…`;
    if (f.kind === "array") path += `[${f.index}]`;
    else if (f.key !== undefined) path += /^[A-Za-z_$][\w$-]*$/.test(f.key) ? `${path ? "." : ""}${f.key}` : `[${JSON.stringify(f.key)}]`;
  }
  return path;
}

/**
 * Nesting and duplicate keys of a JSON text (one document, or one per line), in one linear pass.
 * Syntax errors are left to JSON.parse: the scan stops quietly on text it cannot follow.
 */
export function jsonStructureProblems(text: string, file: string, maxDepth: number = INPUT_LIMITS.maxDepth): InputProblem[] {
  const problems: InputProblem[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.kind === "object" && top.expectKey) {
        const raw = text.slice(start + 1, i);
        let key = raw;
        if (escaped) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return problems; // bad escape: JSON.parse reports it
          }
        }
        if (top.keys!.has(key)) {
          top.key = key;
          problems.push({ file, path: pathOf(stack), message: `duplicate key '${key}' (JSON keeps only the last one; remove one of them)` });
          if (problems.length >= 20) return problems;
        }
        top.keys!.add(key);
        top.key = key;
        top.expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        problems.push({ file, path: pathOf(stack), message: `nested deeper than ${maxDepth} levels` });
        return problems;
      }
      stack.push(c === 0x7b ? { kind: "object", keys: new Set(), expectKey: true, index: 0 } : { kind: "array", expectKey: false, index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === "object") top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return problems;
}
