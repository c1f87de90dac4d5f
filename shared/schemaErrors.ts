import type { ErrorObject, ValidateFunction } from "ajv";
import { closest, distance } from "fastest-levenshtein";
import { loadValidator } from "./compiledValidators";

/**
 * Validates data against a JSON Schema with every error reported, and turns Ajv's errors into
 * `{ path, message }` pairs a person can act on: dotted key paths, the value found, the allowed
 * values, and the closest valid key for an unknown one. Shared by the stack config and the
 * pipeline definitions.
 */
export interface SchemaProblem {
  /** Dotted path with [index] for arrays, e.g. `compute.clusters[1].minNodes`. */
  path: string;
  message: string;
}

const compiled = new WeakMap<object, ValidateFunction>();

export function validateAgainstSchema(schema: object, data: unknown): SchemaProblem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = loadValidator(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return [];
  return dedupe((validate.errors ?? []).map(toProblem).filter((p): p is SchemaProblem => p !== null));
}

export function pointerToPath(pointer: string): string {
  if (!pointer) return "";
  return pointer
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The closest known key when it is plausibly a typo. */
export function suggestKey(unknown: string, known: string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(unknown, known);
  const limit = Math.max(2, Math.floor(unknown.length / 3));
  return distance(unknown.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

function toProblem(e: ErrorObject): SchemaProblem | null {
  const path = pointerToPath(e.instancePath);
  const schema = (e.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(schema.properties ?? {});
      const hint = suggestKey(key, known);
      const message = hint
        ? `unknown key '${key}'; did you mean '${hint}'?`
        : `unknown key '${key}'; expected one of: ${known.join(", ")}`;
      return { path: joinPath(path, key), message };
    }
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return { path: joinPath(path, key), message: "is required" };
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path, message: `must be one of ${allowed.map(show).join(", ")} (found ${show(e.data)})` };
    }
    case "type":
      return { path, message: `must be ${(e.params as { type: string }).type} (found ${show(e.data)})` };
    case "pattern":
      return {
        path,
        message: `${schema.description ? `expected ${schema.description}` : `must match ${(e.params as { pattern: string }).pattern}`} (found ${show(e.data)})`,
      };
    case "if":
      return null; // the failing `then` branch reports the real problem
    default:
      return { path, message: `${e.message ?? "is invalid"} (found ${show(e.data)})` };
  }
}

function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
