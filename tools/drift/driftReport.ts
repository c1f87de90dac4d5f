/**
 * Turns the steps of a Pulumi preview/refresh into a drift report (docs/architecture.md, "Command contracts").
 *
 * Two inputs, told apart by their steps:
 * - `pulumi refresh --preview-only --json`: one step per resource. `refresh` = unchanged, `update`
 *   (with the refresh's detailedDiff) = Azure differs from the state, `delete` = gone from Azure.
 *   oldState is what the stack recorded, newState what Azure has now.
 * - `pulumi preview --refresh --json`: the same refresh steps come first, then the preview's own
 *   steps (`same` hidden, the root stack always shown), so a resource can have two. In a preview
 *   step oldState is the refreshed state (Azure now) and newState what the program declares.
 *
 * `before` is always the declared side, `after` what Azure has now.
 */
import { InputError } from "../../shared/errors";
import { PulumiOutput, PulumiStep, ResourceState, StepOp } from "./pulumiOutput";
import { PathSegment, formatPropertyPath, parsePropertyPath } from "./propertyPath";
import { SECRET, containsSecret, diffPaths, isPlainObject, isSensitiveName, lookupPath, Lookup, redactValue } from "./propertyValues";
import { classifyProperty, classifyResource, compareSeverity, isIgnoredPath, maxSeverity } from "./severity";
import type { Severity } from "./severityRules";

export type DriftSource = "preview-refresh" | "refresh";

/**
 * What Pulumi reports for the resource: for a refresh, what the refresh would do to the state
 * (`update`, `delete`); for a preview, what the next `up` would do to Azure (`update`, `replace`,
 * `create`, `delete`), or `refresh` when only the refresh saw the drift and `up` leaves it be.
 */
export type DriftOp = "update" | "replace" | "create" | "delete" | "refresh";

export interface DriftedProperty {
  path: string;
  /** Declared value (null: not declared); `[secret]` when either side is secret. */
  before: unknown;
  /** Value in Azure now (null: absent). */
  after: unknown;
}

export interface DriftedResource {
  urn: string;
  type: string;
  op: DriftOp;
  severity: Severity;
  properties: DriftedProperty[];
}

/**
 * Changes Pulumi counted in `changeSummary` that no step names. `pulumi refresh --preview-only`
 * keeps a resource whose provider returns no detailed diff (every dynamic provider) at op `refresh`
 * with identical states, so its drift shows only in the count.
 */
export interface UnattributedDrift {
  op: string;
  count: number;
}

export interface DriftReport {
  source: DriftSource;
  stack: string | null;
  drifted: DriftedResource[];
  /** Drift counted by Pulumi but not attributable to a resource (empty when every change is named). */
  unattributed: UnattributedDrift[];
  summary: { high: number; medium: number; low: number; unchanged: number };
}

const PREVIEW_ONLY_OPS = new Set<StepOp>([
  "same", "create", "replace", "create-replacement", "delete-replaced", "read", "read-replacement", "import",
  "import-replacement", "discard", "discard-replaced", "remove-pending-replace",
]);
const REFRESH_PHASE_OPS = new Set<StepOp>(["refresh", "update", "delete"]);
const REPLACE_OPS = new Set<StepOp>(["replace", "create-replacement", "delete-replaced"]);


/** The report plus, per drifted URN, why it got its severity (for the text and Markdown forms). */
export interface DriftAnalysis {
  report: DriftReport;
  reasons: Record<string, string[]>;
}

export function buildDriftReport(output: PulumiOutput, file: string): DriftAnalysis {
  const groups = groupByUrn(output.steps);
  const source = detectSource(output, groups, file);
  const drifted: DriftedResource[] = [];
  const reasons: Record<string, string[]> = {};
  let unchanged = 0;
  for (const [urn, steps] of groups) {
    const type = resourceType(urn, steps);
    if (!isAuditable(type, steps)) continue;
    const found = source === "refresh" ? analyzeRefreshOnly(steps) : analyzePreviewWithRefresh(steps);
    if (!found) {
      unchanged++;
      continue;
    }
    const classifications = [
      ...found.ops.map((op) => classifyResource(type, op)),
      ...found.properties.map((p) => classifyProperty(type, p.segments)),
    ];
    const severity = classifications.reduce<Severity>((max, c) => maxSeverity(max, c.severity), "low");
    reasons[urn] = [...new Set(classifications.filter((c) => c.reason && c.severity === severity).map((c) => c.reason!))];
    drifted.push({
      urn,
      type,
      op: found.op,
      severity,
      properties: found.properties.map(({ path, before, after }) => ({ path, before, after })),
    });
  }
  drifted.sort((a, b) => compareSeverity(a.severity, b.severity) || a.urn.localeCompare(b.urn));
  const count = (s: Severity) => drifted.filter((d) => d.severity === s).length;
  const report: DriftReport = {
    source,
    stack: stackOf(output.steps),
    drifted,
    unattributed: unattributedChanges(output, source),
    summary: { high: count("high"), medium: count("medium"), low: count("low"), unchanged },
  };
  return { report, reasons };
}

/** Per operation, how many more changes `changeSummary` counts than steps name. */
function unattributedChanges(output: PulumiOutput, source: DriftSource): UnattributedDrift[] {
  const ops = source === "refresh" ? ["update", "delete"] : ["update", "delete", "create", "replace"];
  const out: UnattributedDrift[] = [];
  for (const op of ops) {
    const named = new Set(output.steps.filter((s) => s.op === op).map((s) => s.urn)).size;
    const counted = output.changeSummary[op] ?? 0;
    if (counted > named) out.push({ op, count: counted - named });
  }
  return out;
}

function groupByUrn(steps: PulumiStep[]): Map<string, PulumiStep[]> {
  const groups = new Map<string, PulumiStep[]>();
  for (const s of steps) {
    const g = groups.get(s.urn);
    if (g) g.push(s);
    else groups.set(s.urn, [s]);
  }
  return groups;
}

function detectSource(output: PulumiOutput, groups: Map<string, PulumiStep[]>, file: string): DriftSource {
  const steps = output.steps;
  if (steps.length === 0) {
    return Object.keys(output.changeSummary).some((op) => op !== "same" && PREVIEW_ONLY_OPS.has(op as StepOp))
      ? "preview-refresh"
      : "refresh";
  }
  const repeated = [...groups.values()].some((g) => g.length > 1);
  if (!repeated && !steps.some((s) => PREVIEW_ONLY_OPS.has(s.op))) return "refresh";
  const refreshed = steps.some((s) => s.op === "refresh") || [...groups.values()].some((g) => g.length > 1 && REFRESH_PHASE_OPS.has(g[0].op));
  if (!refreshed) {
    throw new InputError([
      {
        file,
        path: "steps",
        message:
          "no refresh steps: this looks like `pulumi preview --json` without `--refresh`, which compares the program " +
          "with the last deployment, not with Azure. Run `pulumi preview --refresh --json` or `pulumi refresh --preview-only --json`",
      },
    ]);
  }
  return "preview-refresh";
}

/** The root stack, providers and components hold no Azure settings that can drift. */
function isAuditable(type: string, steps: PulumiStep[]): boolean {
  if (type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:")) return false;
  return !steps.some((s) => s.oldState?.custom === false || s.newState?.custom === false);
}

function resourceType(urn: string, steps: PulumiStep[]): string {
  for (const s of steps) {
    const t = s.newState?.type ?? s.oldState?.type;
    if (t) return t;
  }
  // urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}

function stackOf(steps: PulumiStep[]): string | null {
  const urn = steps[0]?.urn;
  if (!urn) return null;
  const stack = urn.slice("urn:pulumi:".length).split("::")[0];
  return stack || null;
}

interface FoundProperty extends DriftedProperty {
  segments: PathSegment[];
}

interface Finding {
  op: DriftOp;
  /** Every operation involved, for whole-resource severity rules (e.g. deleted in Azure, then recreated). */
  ops: DriftOp[];
  properties: FoundProperty[];
}

function analyzeRefreshOnly(steps: PulumiStep[]): Finding | undefined {
  const step = steps[steps.length - 1];
  const found = refreshDrift(step);
  if (!found) return undefined;
  return { op: found.op, ops: [found.op], properties: found.properties };
}

function analyzePreviewWithRefresh(steps: PulumiStep[]): Finding | undefined {
  const [first, ...rest] = steps;
  const refreshStep = REFRESH_PHASE_OPS.has(first.op) ? first : undefined;
  const previewSteps = refreshStep ? rest : steps;
  const refreshed = refreshStep ? refreshDrift(refreshStep) : undefined;
  const planned = previewChange(previewSteps);
  if (!refreshed && !planned) return undefined;
  const op: DriftOp = planned?.op ?? (refreshed!.op === "delete" ? "delete" : "refresh");
  const properties = [...(planned?.properties ?? [])];
  for (const p of refreshed?.properties ?? []) if (!properties.some((q) => q.path === p.path)) properties.push(p);
  const ops = [op, ...(refreshed ? [refreshed.op] : [])];
  return { op, ops, properties };
}

/** What a refresh step found: the state (declared side) against what Azure returned. */
function refreshDrift(step: PulumiStep): { op: "update" | "delete"; properties: FoundProperty[] } | undefined {
  if (step.op === "delete") return { op: "delete", properties: [] };
  if (step.op !== "update" && step.op !== "refresh") return undefined;
  const declared = step.oldState;
  const actual = step.newState;
  let properties: FoundProperty[];
  if (step.detailedDiff && Object.keys(step.detailedDiff).length > 0) {
    properties = Object.entries(step.detailedDiff).map(([path, d]) =>
      property(path, pick(declared, d.inputDiff ? "inputs" : "outputs", path), pick(actual, d.inputDiff ? "inputs" : "outputs", path)),
    );
  } else {
    // No detailed diff (older engines, or a refresh step whose states differ): compare the states.
    const useOutputs = Object.keys(declared?.outputs ?? {}).length + Object.keys(actual?.outputs ?? {}).length > 0;
    const map = useOutputs ? "outputs" : "inputs";
    properties = diffPaths(declared?.[map] ?? {}, actual?.[map] ?? {}).map((segs) =>
      property(formatPropertyPath(segs), lookupPath(declared?.[map], segs), lookupPath(actual?.[map], segs), segs),
    );
  }
  properties = properties.filter((p) => !isIgnoredPath(p.segments));
  return properties.length > 0 ? { op: "update", properties } : undefined;
}

/** What a preview step plans: what the program declares (newState) against Azure (the refreshed oldState). */
function previewChange(steps: PulumiStep[]): { op: DriftOp; properties: FoundProperty[] } | undefined {
  const replace = steps.find((s) => s.op === "replace") ?? steps.find((s) => s.op === "create-replacement");
  const step = replace ?? steps.find((s) => s.op === "create" || s.op === "update" || s.op === "delete");
  if (!step) return undefined;
  const op: DriftOp = replace || REPLACE_OPS.has(step.op) ? "replace" : (step.op as DriftOp);
  if (op === "create" || op === "delete") return { op, properties: [] };
  const declared = step.newState;
  const actual = step.oldState;
  let properties: FoundProperty[];
  if (step.detailedDiff && Object.keys(step.detailedDiff).length > 0) {
    properties = Object.entries(step.detailedDiff).map(([path, d]) =>
      // The declared side is inputs only: a preview's new outputs can still hold Azure's values.
      property(path, lookupPath(declared?.inputs, parsePropertyPath(path)), pick(actual, d.inputDiff ? "inputs" : "outputs", path)),
    );
  } else {
    // Without a detailed diff, compare inputs on the keys the engine names (or all declared keys).
    const keys = step.diffReasons.length > 0 ? step.diffReasons : step.replaceReasons;
    const actualInputs = Object.keys(actual?.inputs ?? {}).length > 0 ? actual?.inputs : actual?.outputs;
    const scope = keys.length > 0 ? keys : [...new Set([...Object.keys(declared?.inputs ?? {}), ...Object.keys(actualInputs ?? {})])];
    const only = (m: Record<string, unknown> | undefined) => Object.fromEntries(scope.filter((k) => m && k in m).map((k) => [k, m![k]]));
    properties = diffPaths(only(declared?.inputs), only(actualInputs)).map((segs) =>
      property(formatPropertyPath(segs), lookupPath(declared?.inputs, segs), lookupPath(actualInputs, segs), segs),
    );
  }
  properties = properties.filter((p) => !isIgnoredPath(p.segments));
  if (properties.length === 0 && op === "update") return undefined;
  return { op, properties };
}

/** Looks a path up in one map of a state, falling back to the other map when it is not there. */
function pick(state: ResourceState | undefined, map: "inputs" | "outputs", path: string): Lookup {
  const segs = parsePropertyPath(path);
  const primary = lookupPath(state?.[map], segs);
  if (primary.kind !== "absent") return primary;
  return lookupPath(state?.[map === "inputs" ? "outputs" : "inputs"], segs);
}

function property(path: string, declared: Lookup, actual: Lookup, segments = parsePropertyPath(path)): FoundProperty {
  const last = [...segments].reverse().find((s) => typeof s === "string");
  const secret =
    declared.kind === "secret" ||
    actual.kind === "secret" ||
    (declared.kind === "value" && containsSecret(declared.value)) ||
    (actual.kind === "value" && containsSecret(actual.value)) ||
    (typeof last === "string" && isSensitiveName(last) && !isPlainObject(valueOf(declared)) && !isPlainObject(valueOf(actual)));
  if (secret) return { path, segments, before: SECRET, after: SECRET };
  return { path, segments, before: shown(declared), after: shown(actual) };
}

function valueOf(l: Lookup): unknown {
  return l.kind === "value" ? l.value : undefined;
}

function shown(l: Lookup): unknown {
  if (l.kind === "absent") return null;
  if (l.kind === "secret") return SECRET;
  return redactValue(l.value) ?? null;
}
