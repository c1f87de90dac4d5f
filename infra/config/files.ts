import * as fs from "node:fs";
import * as path from "node:path";
import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Node as YamlNode } from "yaml";
import { InputError, InputProblem } from "../../shared/errors";
import { INPUT_LIMITS, readBoundedText } from "../inputLimits";

/**
 * Reads a stack's config the way the Pulumi CLI merges it (project defaults in Pulumi.yaml, then
 * Pulumi.<stack>.yaml), for tools that run without the CLI. The result is in the exact shape
 * `pulumi.runtime.setAllConfig` takes, so the offline plan and `pulumi up` see the same values.
 */
export interface StackConfigFiles {
  project: string;
  /** `namespace:key` → string (structured values as JSON). */
  config: Record<string, string>;
  /** Keys whose values were `secure:` in the file (offline they read as "[secret]"). */
  secretKeys: string[];
  /** `namespace:key` → file the value came from (relative to the project when inside it). */
  sources: Record<string, string>;
  /** The stack config file as messages name it (where a missing key belongs). */
  file: string;
}

export const SECRET_PLACEHOLDER = "[secret]";

function readYaml(file: string, display: string, problems: InputProblem[]): Record<string, unknown> | undefined {
  const read = readBoundedText(file, display, INPUT_LIMITS.configBytes);
  if (read.problem) {
    problems.push(read.problem);
    return undefined;
  }
  // The yaml package's own duplicate-key check compares every key with every other (quadratic: a
  // few MB took minutes); it is off here and done linearly below, with the depth limit.
  const doc = parseDocument(read.text!, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0];
      problems.push({ file: display, path: line ? `line ${line.line}, column ${line.col}` : "", message: `invalid YAML: ${e.message.split("\n")[0]}` });
    }
    return undefined;
  }
  const structure = yamlStructureProblems(doc.contents, display);
  if (structure.length > 0) {
    problems.push(...structure);
    return undefined;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: INPUT_LIMITS.yamlAliases }) as unknown;
  } catch (err) {
    // An alias bomb (aliases of aliases expanding to millions of nodes) ends here.
    problems.push({ file: display, path: "", message: `refused: ${(err as Error).message} (at most ${INPUT_LIMITS.yamlAliases} alias expansions)` });
    return undefined;
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push({ file: display, path: "", message: "must be a YAML mapping" });
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** Duplicate keys and nesting depth over the parsed YAML tree, iteratively, in one pass. */
function yamlStructureProblems(root: unknown, file: string): InputProblem[] {
  const problems: InputProblem[] = [];
  const todo: { node: unknown; path: string; depth: number }[] = [{ node: root, path: "", depth: 0 }];
  while (todo.length > 0) {
    const { node, path: at, depth } = todo.pop()!;
    if (isAlias(node) || isScalar(node) || !node) continue;
    if (depth >= INPUT_LIMITS.maxDepth) {
      problems.push({ file, path: at, message: `nested deeper than ${INPUT_LIMITS.maxDepth} levels` });
      continue;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = at ? `${at}.${key}` : key;
        if (seen.has(key)) problems.push({ file, path: child, message: `duplicate key '${key}' (YAML allows each key once; remove one of them)` });
        seen.add(key);
        todo.push({ node: pair.value as YamlNode, path: child, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => todo.push({ node: item, path: `${at}[${i}]`, depth: depth + 1 }));
    }
  }
  return problems;
}

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

function isSecure(value: unknown): value is { secure: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

export function readStackConfigFiles(opts: { projectDir: string; stack: string; configFile?: string }): StackConfigFiles {
  const problems: InputProblem[] = [];
  const projectFile = path.join(opts.projectDir, "Pulumi.yaml");
  const projectDoc = readYaml(projectFile, "Pulumi.yaml", problems);
  const project = typeof projectDoc?.name === "string" ? projectDoc.name : "";
  if (projectDoc && !project) problems.push({ file: "Pulumi.yaml", path: "name", message: "is required" });

  const config: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const secretKeys: string[] = [];

  // Project-level config: `key: { default: v }` (or `value: v`), or the short form `key: v`.
  const defaults = projectDoc?.config;
  if (defaults && typeof defaults === "object") {
    for (const [key, entry] of Object.entries(defaults as Record<string, unknown>)) {
      const isDecl = typeof entry === "object" && entry !== null && !Array.isArray(entry) && ("default" in entry || "value" in entry || "type" in entry);
      const value = isDecl ? ((entry as Record<string, unknown>).value ?? (entry as Record<string, unknown>).default) : entry;
      if (value === undefined) continue;
      const qualified = qualify(project, key);
      config[qualified] = encode(value);
      sources[qualified] = "Pulumi.yaml";
    }
  }

  const stackFile = opts.configFile ? path.resolve(opts.projectDir, opts.configFile) : path.join(opts.projectDir, `Pulumi.${opts.stack}.yaml`);
  const relative = path.relative(opts.projectDir, stackFile);
  const display = relative.startsWith("..") || path.isAbsolute(relative) ? stackFile : relative;
  // lstat, not existsSync: a dangling or looping symlink is a file to report, not a missing one.
  if (!opts.configFile && !lstatOrNull(stackFile)) {
    problems.push({ file: display, path: "", message: `stack '${opts.stack}' has no config file (create it, or pass --config <file>)` });
  } else {
    const stackDoc = readYaml(stackFile, display, problems);
    const values = stackDoc?.config;
    if (stackDoc && values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values))) {
      problems.push({ file: display, path: "config", message: "must be a mapping of config keys" });
    } else if (values) {
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        const qualified = qualify(project, key);
        if (isSecure(value)) {
          config[qualified] = SECRET_PLACEHOLDER;
          secretKeys.push(qualified);
        } else {
          config[qualified] = encode(value);
        }
        sources[qualified] = display;
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { project, config, secretKeys, sources, file: display };
}
