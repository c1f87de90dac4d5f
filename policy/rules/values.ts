/**
 * Reading declared inputs. ARM property names and enum values are case-insensitive (Pulumi's are
 * not: `addonProfiles.azurePolicy` vs `azurepolicy`), so lookups and comparisons ignore case.
 * Values the plan cannot know yet arrive as the markers below and never count as a violation.
 */

export const UNKNOWN = "[unknown]";
export const SECRET = "[secret]";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || value === SECRET;
}

function childOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  const match = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return match === undefined ? undefined : record[match];
}

/** `at(inputs, "properties.networkAcls.defaultAction")`; undefined when any step is missing. */
export function at(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split(".")) {
    if (isUnknown(value)) return value;
    value = childOf(value, key);
    if (value === undefined) return undefined;
  }
  return value;
}

/** Case-insensitive string equality (ARM enums ignore case); callers decide what an unknown means. */
export function sameText(value: unknown, expected: string): boolean {
  return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** True when the value is the boolean (or its ARM string form) `expected`. */
export function isBool(value: unknown, expected: boolean): boolean {
  if (typeof value === "boolean") return value === expected;
  return typeof value === "string" && value.toLowerCase() === String(expected);
}

/** How a value reads in a message: strings quoted, absent values named as such. */
export function show(value: unknown): string {
  if (value === undefined) return "not set";
  if (typeof value === "string") return `'${value}'`;
  return JSON.stringify(value);
}
