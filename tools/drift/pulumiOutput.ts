/**
 * Reads what `pulumi preview --refresh --json` and `pulumi refresh --preview-only --json` print.
 *
 * Both print one "preview digest" document (pulumi/pkg/backend/display/json.go, ShowPreviewDigest):
 * `{ config, steps: [{ op, urn, provider, oldState, newState, diffReasons, replaceReasons,
 * detailedDiff: { "<path>": { kind, inputDiff } } }], diagnostics, duration, changeSummary }`.
 * With PULUMI_ENABLE_STREAMING_JSON_PREVIEW set they print engine events instead, one JSON object
 * a line (`{ sequence, timestamp, resourcePreEvent | resOutputsEvent | summaryEvent | … }`); that
 * stream is folded into the same steps the digest would hold. Events serialize differently
 * (pulumi/sdk/go/common/apitype/events.go): detailed-diff entries are `{ diffKind, inputDiff }`, and a
 * state's `custom` (like `delete`, `protect`) is omitted when false.
 *
 * `pulumi up --json`, `refresh --json --yes` and `destroy --json` print a preview digest followed by
 * the engine events of the operation they ran (`summaryEvent.isPreview: false`): they changed the
 * stack, so they cannot show drift, and are refused by name.
 *
 * Bad input (not JSON, not a Pulumi output, cut short, a failed preview) is an InputError listing
 * every problem with its key path.
 */
import { InputError, InputProblem } from "../../shared/errors";
import { locateJsonError } from "./jsonSyntax";
import { isPlainObject } from "./propertyValues";

export const STEP_OPS = [
  "same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read",
  "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "import",
  "import-replacement",
] as const;
export type StepOp = (typeof STEP_OPS)[number];

export const DIFF_KINDS = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

export interface ResourceState {
  type?: string;
  id?: string;
  custom?: boolean;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface PropertyDiff {
  kind: DiffKind;
  /** True when the engine compared old and new inputs rather than old outputs and new inputs. */
  inputDiff: boolean;
}

export interface PulumiStep {
  op: StepOp;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  diffReasons: string[];
  replaceReasons: string[];
  /** Absent when the provider gave no structured diff. */
  detailedDiff?: Record<string, PropertyDiff>;
}

export interface PulumiOutput {
  format: "digest" | "events";
  steps: PulumiStep[];
  /** Count per operation from the engine's summary (`same` included). */
  changeSummary: Record<string, number>;
}

const EXPECTED = "the JSON printed by `pulumi preview --refresh --json` or `pulumi refresh --preview-only --json`";

/** Parses and validates one file's text; `file` names it in messages. */
export function readPulumiOutput(file: string, text: string): PulumiOutput {
  const problem = (path: string, message: string): InputError => new InputError([{ file, path, message }]);
  if (text.trim() === "") throw problem("", `the file is empty; expected ${EXPECTED}`);

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    const events = tryEventLines(text);
    if (events) return fromEvents(file, events);
    const afterDigest = digestThenEvents(text);
    if (afterDigest) throw problem("", notAPreview(afterDigest));
    throw problem("", describeJsonError(text, err as Error));
  }
  if (isPlainObject(document) && typeof document.sequence === "number") return fromEvents(file, [{ value: document, line: 1 }]);
  return fromDigest(file, document);
}

function describeJsonError(text: string, err: Error): string {
  const where = locateJsonError(text);
  if (where?.truncated) {
    return "the JSON ends before the document is complete: the file is truncated (was the command interrupted?)";
  }
  if (!where) return `not valid JSON (${err.message}); expected ${EXPECTED}`;
  const found = JSON.stringify(text.slice(where.offset, where.offset + 20));
  return `not valid JSON at line ${where.line}, column ${where.column}: expected ${where.expected}, found ${found}; the file must hold ${EXPECTED}`;
}

function fromDigest(file: string, document: unknown): PulumiOutput {
  const problems: InputProblem[] = [];
  const add = (path: string, message: string) => problems.push({ file, path, message });
  if (!isPlainObject(document)) {
    throw new InputError([{ file, path: "", message: `expected a JSON object: ${EXPECTED}` }]);
  }
  if (!("steps" in document) && !("changeSummary" in document)) {
    throw new InputError([
      { file, path: "", message: `not a Pulumi preview: no \`steps\` and no \`changeSummary\`; expected ${EXPECTED}` },
    ]);
  }
  const steps: PulumiStep[] = [];
  if (document.steps !== undefined && !Array.isArray(document.steps)) add("steps", "expected an array of steps");
  else for (const [i, raw] of ((document.steps as unknown[]) ?? []).entries()) {
    const step = readStep(raw, `steps[${i}]`, add);
    if (step) steps.push(step);
  }
  const changeSummary = readChangeSummary(document.changeSummary, "changeSummary", add, "the preview did not finish");
  readDiagnostics(document.diagnostics, "diagnostics", add);
  if (problems.length > 0) throw new InputError(problems);
  return { format: "digest", steps, changeSummary };
}

function readChangeSummary(
  raw: unknown,
  path: string,
  add: (path: string, message: string) => void,
  whenMissing: string,
): Record<string, number> {
  if (raw === undefined) {
    add(path, `missing: ${whenMissing} (cancelled, failed or truncated), so its steps may be incomplete`);
    return {};
  }
  if (!isPlainObject(raw)) {
    add(path, "expected an object of counts per operation");
    return {};
  }
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(raw)) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) add(`${path}.${op}`, `expected a count, found ${JSON.stringify(n)}`);
    else out[op] = n;
  }
  return out;
}

/** A preview that reported an error did not evaluate the whole program: no report can be trusted. */
function readDiagnostics(raw: unknown, path: string, add: (path: string, message: string) => void): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) {
    add(path, "expected an array of diagnostics");
    return;
  }
  raw.forEach((d, i) => {
    const failure = failureOf(d);
    if (failure) add(`${path}[${i}]`, failure);
  });
}

function failureOf(diagnostic: unknown): string | undefined {
  if (!isPlainObject(diagnostic) || diagnostic.severity !== "error" || diagnostic.ephemeral === true) return undefined;
  const message = String(diagnostic.message ?? "").trim().split("\n")[0].slice(0, 300);
  return `the Pulumi operation reported an error, so the output is incomplete: ${message}`;
}

function readStep(raw: unknown, path: string, add: (path: string, message: string) => void, customWhenAbsent?: boolean): PulumiStep | undefined {
  if (!isPlainObject(raw)) {
    add(path, "expected a step object");
    return undefined;
  }
  let ok = true;
  const fail = (p: string, m: string) => {
    add(p, m);
    ok = false;
  };
  const op = raw.op;
  if (typeof op !== "string" || !(STEP_OPS as readonly string[]).includes(op)) {
    fail(`${path}.op`, `expected one of ${STEP_OPS.join(", ")}; found ${JSON.stringify(op)}`);
  }
  const urn = raw.urn;
  if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) fail(`${path}.urn`, `expected a Pulumi URN; found ${JSON.stringify(urn)}`);
  const oldState = readState(raw.oldState, `${path}.oldState`, fail, customWhenAbsent);
  const newState = readState(raw.newState, `${path}.newState`, fail, customWhenAbsent);
  const diffReasons = readKeys(raw.diffReasons, `${path}.diffReasons`, fail);
  const replaceReasons = readKeys(raw.replaceReasons, `${path}.replaceReasons`, fail);
  const detailedDiff = readDetailedDiff(raw.detailedDiff, `${path}.detailedDiff`, fail);
  if (!ok) return undefined;
  return { op: op as StepOp, urn: urn as string, oldState, newState, diffReasons, replaceReasons, detailedDiff };
}

function readState(raw: unknown, path: string, fail: (p: string, m: string) => void, customWhenAbsent?: boolean): ResourceState | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) {
    fail(path, "expected a resource state object");
    return undefined;
  }
  for (const key of ["inputs", "outputs"] as const) {
    if (raw[key] !== undefined && raw[key] !== null && !isPlainObject(raw[key])) fail(`${path}.${key}`, "expected an object");
  }
  return {
    type: typeof raw.type === "string" ? raw.type : undefined,
    id: typeof raw.id === "string" ? raw.id : undefined,
    custom: typeof raw.custom === "boolean" ? raw.custom : customWhenAbsent,
    inputs: isPlainObject(raw.inputs) ? raw.inputs : {},
    outputs: isPlainObject(raw.outputs) ? raw.outputs : {},
  };
}

function readKeys(raw: unknown, path: string, fail: (p: string, m: string) => void): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((k) => typeof k !== "string")) {
    fail(path, "expected an array of property names");
    return [];
  }
  return raw as string[];
}

function readDetailedDiff(
  raw: unknown,
  path: string,
  fail: (p: string, m: string) => void,
): Record<string, PropertyDiff> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) {
    fail(path, "expected an object keyed by property path");
    return undefined;
  }
  const out: Record<string, PropertyDiff> = {};
  for (const [key, d] of Object.entries(raw)) {
    // The digest names the kind `kind`, engine events `diffKind` (apitype.PropertyDiff).
    const field = isPlainObject(d) && "diffKind" in d ? "diffKind" : "kind";
    const kind = isPlainObject(d) ? d[field] : undefined;
    if (typeof kind !== "string" || !(DIFF_KINDS as readonly string[]).includes(kind)) {
      fail(`${path}[${JSON.stringify(key)}].${field}`, `expected one of ${DIFF_KINDS.join(", ")}; found ${JSON.stringify(kind)}`);
      continue;
    }
    out[key] = { kind: kind as DiffKind, inputDiff: (d as Record<string, unknown>).inputDiff === true };
  }
  return out;
}

// ---- engine event stream ----------------------------------------------------------------------

interface EventLine {
  value?: Record<string, unknown>;
  line: number;
  error?: string;
}

/** Parses JSON lines when the first is an engine event; undefined when the text is not that. */
function tryEventLines(text: string): EventLine[] | undefined {
  const lines = text.split("\n");
  const parsed: EventLine[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      const v = JSON.parse(line);
      parsed.push(isPlainObject(v) ? { value: v, line: i + 1 } : { line: i + 1, error: "not a JSON object" });
    } catch (err) {
      parsed.push({ line: i + 1, error: (err as Error).message });
    }
  }
  const first = parsed[0];
  if (parsed.length < 2 || !first.value || typeof first.value.sequence !== "number") return undefined;
  return parsed;
}

/**
 * The engine events of a preview as the Automation API hands them over (`Stack.preview({ onEvent })`,
 * typed `EngineEvent`s: the same objects the streaming JSON prints a line each), folded like that
 * stream; `source` names the preview in messages, and `line N` is the N-th event.
 */
export function readEngineEvents(source: string, events: readonly object[]): PulumiOutput {
  if (events.length === 0) throw new InputError([{ file: source, path: "", message: "the preview reported no engine events" }]);
  return fromEvents(source, events.map((value, i) => ({ value: value as Record<string, unknown>, line: i + 1 })));
}

function fromEvents(file: string, entries: EventLine[]): PulumiOutput {
  const problems: InputProblem[] = [];
  const add = (path: string, message: string) => problems.push({ file, path, message });
  const steps: PulumiStep[] = [];
  const preOps = new Map<string, StepOp>();
  let summary: unknown;
  for (const [i, entry] of entries.entries()) {
    const where = `line ${entry.line}`;
    if (!entry.value) {
      const last = i === entries.length - 1;
      add(where, last ? "the event stream is cut short: the last line is not complete JSON (truncated)" : `not valid JSON: ${entry.error}`);
      continue;
    }
    const e = entry.value;
    if (isPlainObject(e.resourcePreEvent)) {
      const step = stepFromMetadata(e.resourcePreEvent.metadata, `${where}.resourcePreEvent.metadata`, add);
      if (step) {
        preOps.set(step.urn, step.op);
        steps.push(step);
      }
    } else if (isPlainObject(e.resOutputsEvent)) {
      const step = stepFromMetadata(e.resOutputsEvent.metadata, `${where}.resOutputsEvent.metadata`, add);
      // As in the digest: a refresh's outcome arrives as an update (with its diff) or a delete.
      if (step && preOps.get(step.urn) === "refresh" && ((step.op === "update" && step.detailedDiff) || step.op === "delete")) {
        for (const [j, s] of steps.entries()) if (s.urn === step.urn) steps[j] = step;
      }
    } else if (isPlainObject(e.diagnosticEvent)) {
      const failure = failureOf(e.diagnosticEvent);
      if (failure) add(`${where}.diagnosticEvent`, failure);
    } else if (isPlainObject(e.summaryEvent)) {
      summary = e.summaryEvent.resourceChanges ?? {};
      if (e.summaryEvent.isPreview === false) {
        throw new InputError([{ file, path: `${where}.summaryEvent.isPreview`, message: notAPreview(entries.map((x) => x.value).filter(isPlainObject)) }]);
      }
    }
  }
  const changeSummary = readChangeSummary(summary, "summaryEvent.resourceChanges", add, "the event stream has no summaryEvent");
  if (problems.length > 0) throw new InputError(problems);
  return { format: "events", steps, changeSummary };
}

/** Engine-event metadata (`old`/`new`/`keys`/`diffs`) mapped onto the digest's step fields. */
function stepFromMetadata(raw: unknown, path: string, add: (path: string, message: string) => void): PulumiStep | undefined {
  if (!isPlainObject(raw)) {
    add(path, "expected step metadata");
    return undefined;
  }
  return readStep(
    {
      op: raw.op,
      urn: raw.urn,
      oldState: raw.old,
      newState: raw.new,
      diffReasons: raw.diffs,
      replaceReasons: raw.keys,
      detailedDiff: raw.detailedDiff,
    },
    path,
    add,
    // Engine events omit `custom` when it is false (apitype.StepEventStateMetadata).
    false,
  );
}

// ---- outputs of commands that changed the stack -------------------------------------------------

/** The engine events after a leading digest (`up --json --yes`, `refresh --json --yes`), if that is the shape. */
function digestThenEvents(text: string): Record<string, unknown>[] | undefined {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^\{"sequence":\d+/.test(l.trim()));
  if (start <= 0) return undefined;
  try {
    const digest = JSON.parse(lines.slice(0, start).join("\n"));
    if (!isPlainObject(digest) || !("steps" in digest || "changeSummary" in digest)) return undefined;
  } catch {
    return undefined;
  }
  const events: Record<string, unknown>[] = [];
  for (const line of lines.slice(start)) {
    if (line.trim() === "") continue;
    try {
      const v = JSON.parse(line);
      if (isPlainObject(v)) events.push(v);
    } catch {
      /* a cut-short last line still tells what ran */
    }
  }
  return events;
}

/** Names the command whose events these are, and what to run instead. */
function notAPreview(events: Record<string, unknown>[]): string {
  const ops = new Set<string>();
  for (const e of events) {
    const meta = isPlainObject(e.resourcePreEvent) ? e.resourcePreEvent.metadata : undefined;
    if (isPlainObject(meta) && typeof meta.op === "string") ops.add(meta.op);
  }
  const command = ops.has("refresh")
    ? "`pulumi refresh --json --yes` (a refresh that already wrote Azure's values into the state)"
    : [...ops].every((op) => op === "delete" || op === "same") && ops.has("delete")
      ? "`pulumi destroy --json`"
      : "`pulumi up --json` (an update that already changed Azure to match the program)";
  return `this is the output of ${command}: its preview digest is followed by the engine events of the operation it ran, so it cannot show drift; run ${EXPECTED_COMMANDS} instead`;
}

const EXPECTED_COMMANDS = "`pulumi preview --refresh --json` or `pulumi refresh --preview-only --json`";
