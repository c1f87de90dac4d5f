/**
 * Desired-state diff between two plans: what a pull request adds, removes and changes. Resources are
 * matched by URN without its stack and project, so a plan can be compared with another stack's too.
 */
import { InputError, InputProblem } from "../../shared/errors";
import { INPUT_LIMITS, jsonStructureProblems, readBoundedText } from "../../infra/inputLimits";
import type { PlanDiff, PlanDocument, PlanResource, PlanValue, PropertyChange } from "../../shared/plan";

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → `<type chain>::<name>`. */
export function resourceKey(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(2).join("::") : urn;
}

export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
  const before = new Map(base.resources.map((r) => [resourceKey(r.urn), r]));
  const after = new Map(head.resources.map((r) => [resourceKey(r.urn), r]));
  const diff: PlanDiff = {
    base: { stack: base.stack },
    head: { stack: head.stack },
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
    outputs: [],
  };
  for (const [key, r] of after) {
    const old = before.get(key);
    if (!old) {
      diff.added.push({ urn: r.urn, type: r.type });
      continue;
    }
    const changes = resourceChanges(old, r);
    if (changes.length) diff.changed.push({ urn: r.urn, type: r.type, changes });
    else diff.unchanged++;
  }
  for (const [key, r] of before) if (!after.has(key)) diff.removed.push({ urn: r.urn, type: r.type });
  diffValues("outputs", base.outputs ?? {}, head.outputs ?? {}, diff.outputs);
  return diff;
}

function resourceChanges(a: PlanResource, b: PlanResource): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const normalized = (r: PlanResource) => ({
    parent: r.parent ? resourceKey(r.parent) : null,
    custom: r.custom,
    protect: r.protect,
    dependsOn: [...r.dependsOn].map(resourceKey).sort(),
  });
  const na = normalized(a);
  const nb = normalized(b);
  for (const field of ["parent", "custom", "protect"] as const) {
    if (na[field] !== nb[field]) changes.push({ path: field, before: na[field], after: nb[field] });
  }
  if (JSON.stringify(na.dependsOn) !== JSON.stringify(nb.dependsOn)) {
    changes.push({ path: "dependsOn", before: na.dependsOn, after: nb.dependsOn });
  }
  diffValues("inputs", a.inputs ?? {}, b.inputs ?? {}, changes);
  return changes;
}

function isObject(v: PlanValue | undefined): v is { [key: string]: PlanValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Recurses into objects and arrays so each change names the smallest property path that differs. */
function diffValues(path: string, a: PlanValue | undefined, b: PlanValue | undefined, out: PropertyChange[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValues(joinPath(path, k), a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(`${path}[${i}]`, a[i], b[i], out);
    return;
  }
  if (a === undefined && b === undefined) return;
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const change: PropertyChange = { path };
  if (a !== undefined) change.before = a;
  if (b !== undefined) change.after = b;
  out.push(change);
}

function joinPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Reads a saved plan (`--against`); anything that is not a schemaVersion 1 plan is bad input naming the file. */
export function readPlanFile(file: string, display = file): PlanDocument {
  const problem = (path: string, message: string): InputError => new InputError([{ file: display, path, message }]);
  const read = readBoundedText(file, display, INPUT_LIMITS.jsonBytes);
  if (read.problem) throw new InputError([read.problem]);
  const text = read.text!;
  // Depth-limited before the recursive diff walks it; duplicate keys would hide one of two values.
  const structure = jsonStructureProblems(text, display);
  if (structure.length) throw new InputError(structure);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw problem("", `not valid JSON (${(err as Error).message})`);
  }
  const problems = planShapeProblems(doc, display);
  if (problems.length) throw new InputError(problems);
  return doc as PlanDocument;
}

function planShapeProblems(doc: unknown, file: string): InputProblem[] {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    return [{ file, path: "", message: "not a plan (expected a JSON object written by `npm run plan -- <stack> --json`)" }];
  }
  const d = doc as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (d.schemaVersion !== 1) {
    problems.push({ file, path: "schemaVersion", message: `expected 1, found ${JSON.stringify(d.schemaVersion ?? null)}` });
  }
  if (typeof d.stack !== "string") problems.push({ file, path: "stack", message: "expected a stack name" });
  if (!Array.isArray(d.resources)) {
    problems.push({ file, path: "resources", message: "expected a list of resources" });
  } else {
    d.resources.forEach((r, i) => {
      const res = r as Record<string, unknown> | null;
      if (!res || typeof res !== "object") problems.push({ file, path: `resources[${i}]`, message: "expected an object" });
      else {
        if (typeof res.urn !== "string") problems.push({ file, path: `resources[${i}].urn`, message: "expected a URN" });
        if (typeof res.type !== "string") problems.push({ file, path: `resources[${i}].type`, message: "expected a type token" });
        if (!Array.isArray(res.dependsOn) || !res.dependsOn.every((u) => typeof u === "string")) {
          problems.push({ file, path: `resources[${i}].dependsOn`, message: "expected a list of URNs" });
        }
        if (res.parent !== undefined && res.parent !== null && typeof res.parent !== "string") {
          problems.push({ file, path: `resources[${i}].parent`, message: "expected a URN or null" });
        }
        for (const flag of ["custom", "protect"] as const) {
          if (res[flag] !== undefined && typeof res[flag] !== "boolean") problems.push({ file, path: `resources[${i}].${flag}`, message: "expected true or false" });
        }
        if (!res.inputs || typeof res.inputs !== "object") problems.push({ file, path: `resources[${i}].inputs`, message: "expected an object" });
      }
    });
  }
  return problems;
}

export function isEmptyDiff(diff: PlanDiff): boolean {
  return !diff.added.length && !diff.removed.length && !diff.changed.length && !diff.outputs.length;
}
