/**
 * Builds what the Pulumi CLI prints, serialized the way its Go types are (field names, `omitempty`):
 *
 * - the preview digest, `pulumi/pkg/backend/display/json.go` `ShowPreviewDigest`: one document
 *   indented with four spaces, `{ config, steps, duration, changeSummary, maybeCorrupt }`, steps
 *   `display.PreviewStep` (`diffReasons`/`replaceReasons` omitted when empty, `detailedDiff` always
 *   present, `null` when the provider gave none, entries `{ kind, inputDiff }`), states
 *   `apitype.ResourceV3` (`custom` always present); `duration` is nanoseconds;
 * - engine events, `sdk/go/common/apitype/events.go` via `ShowJSONEvents`: one compact object a
 *   line, `{ sequence, timestamp, <kind>Event }`; step metadata `{ op, urn, type, old, new, keys?,
 *   diffs?, detailedDiff, logical?, provider }` with entries `{ diffKind, inputDiff }`; states
 *   `StepEventStateMetadata`, where `custom`, `delete`, `protect`, `taint`, `retainOnDelete` are
 *   omitted when false; `summaryEvent { maybeCorrupt, durationSeconds, resourceChanges, PolicyPacks,
 *   isPreview }`.
 */

export interface Res {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  parent?: string;
  provider?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface StepSpec {
  op: string;
  old?: Res;
  new?: Res;
  diffs?: string[];
  keys?: string[];
  /** Property path → diff kind; undefined = the provider gave no detailed diff. */
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
}

const urnOf = (s: StepSpec) => (s.new ?? s.old)!.urn;
const typeOf = (s: StepSpec) => (s.new ?? s.old)!.type;

function resourceV3(r: Res): Record<string, unknown> {
  return {
    urn: r.urn,
    custom: r.custom,
    ...(r.id ? { id: r.id } : {}),
    type: r.type,
    ...(Object.keys(r.inputs).length ? { inputs: r.inputs } : {}),
    ...(Object.keys(r.outputs).length ? { outputs: r.outputs } : {}),
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    created: "2026-11-01T08:00:00.000Z",
    modified: "2026-11-01T08:00:00.000Z",
  };
}

export function digest(steps: StepSpec[], changeSummary: Record<string, number>, extra: Record<string, unknown> = {}): string {
  const doc = {
    config: { "azure-native:location": "westeurope", "mlops-azure:prefix": "mlops" },
    steps: steps.map((s) => ({
      op: s.op,
      urn: urnOf(s),
      provider: (s.new ?? s.old)!.provider ?? "",
      ...(s.old ? { oldState: resourceV3(s.old) } : {}),
      ...(s.new ? { newState: resourceV3(s.new) } : {}),
      ...(s.diffs?.length ? { diffReasons: s.diffs } : {}),
      ...(s.keys?.length ? { replaceReasons: s.keys } : {}),
      detailedDiff: s.detailedDiff ? Object.fromEntries(Object.entries(s.detailedDiff).map(([k, d]) => [k, { kind: d.kind, inputDiff: d.inputDiff }])) : null,
    })),
    duration: 4_200_000_000,
    changeSummary,
    maybeCorrupt: false,
    ...extra,
  };
  return JSON.stringify(doc, null, 4) + "\n";
}

function eventState(r: Res): Record<string, unknown> {
  return {
    type: r.type,
    urn: r.urn,
    ...(r.custom ? { custom: true } : {}),
    id: r.id ?? "",
    parent: r.parent ?? "",
    inputs: r.inputs,
    outputs: r.outputs,
    provider: r.provider ?? "",
  };
}

export function metadata(s: StepSpec): Record<string, unknown> {
  return {
    op: s.op,
    urn: urnOf(s),
    type: typeOf(s),
    old: s.old ? eventState(s.old) : null,
    new: s.new ? eventState(s.new) : null,
    ...(s.keys?.length ? { keys: s.keys } : {}),
    ...(s.diffs?.length ? { diffs: s.diffs } : {}),
    detailedDiff: s.detailedDiff ? Object.fromEntries(Object.entries(s.detailedDiff).map(([k, d]) => [k, { diffKind: d.kind, inputDiff: d.inputDiff }])) : null,
    provider: (s.new ?? s.old)!.provider ?? "",
  };
}

/** Event lines: prelude, a pre-event per step (plus an outputs event where given), summary. */
export function events(
  steps: { pre: StepSpec; outputs?: StepSpec }[],
  summary: { resourceChanges: Record<string, number>; isPreview: boolean },
  firstSequence = 0,
): string {
  let sequence = firstSequence;
  const line = (payload: Record<string, unknown>) => JSON.stringify({ sequence: sequence++, timestamp: 1795939200 + sequence, ...payload });
  const lines = [line({ preludeEvent: { config: { "azure-native:location": "westeurope" } } })];
  for (const s of steps) {
    lines.push(line({ resourcePreEvent: { metadata: metadata(s.pre), ...(summary.isPreview ? { planning: true } : {}) } }));
    if (s.outputs) lines.push(line({ resOutputsEvent: { metadata: metadata(s.outputs), ...(summary.isPreview ? { planning: true } : {}) } }));
  }
  lines.push(line({ summaryEvent: { maybeCorrupt: false, durationSeconds: 4, resourceChanges: summary.resourceChanges, PolicyPacks: {}, isPreview: summary.isPreview } }));
  lines.push(line({ cancelEvent: {} }));
  return lines.join("\n") + "\n";
}

// ---- one prod stack, as the program declares it -------------------------------------------------

const STACK = "urn:pulumi:prod::mlops-azure::pulumi:pulumi:Stack::mlops-azure-prod";
const PROVIDER_URN = "urn:pulumi:prod::mlops-azure::pulumi:providers:azure-native::default_3_28_0";
const PROVIDER_REF = `${PROVIDER_URN}::5f0e6c1a-9d4b-4f55-8a3e-2b1c7d9e0a11`;
const WS_COMPONENT = "urn:pulumi:prod::mlops-azure::mlops:workspace:MlWorkspace::mlops-prod";
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mlops-prod/providers";

export const stack: Res = { urn: STACK, type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: { workspaceName: "mlw-mlops-prod" } };
export const provider: Res = { urn: PROVIDER_URN, type: "pulumi:providers:azure-native", custom: true, id: "5f0e6c1a-9d4b-4f55-8a3e-2b1c7d9e0a11", inputs: { location: "westeurope" }, outputs: { location: "westeurope" } };
export const component: Res = { urn: WS_COMPONENT, type: "mlops:workspace:MlWorkspace", custom: false, parent: STACK, inputs: {}, outputs: {} };

export function storage(publicNetworkAccess: "Disabled" | "Enabled"): Res {
  const props = { accountName: "stmlopsprod7f3a2c", publicNetworkAccess, allowSharedKeyAccess: false, minimumTlsVersion: "TLS1_2" };
  return {
    urn: "urn:pulumi:prod::mlops-azure::mlops:workspace:MlWorkspace$azure-native:storage:StorageAccount::mlops-prod-storage",
    type: "azure-native:storage:StorageAccount",
    custom: true,
    id: `${SUB}/Microsoft.Storage/storageAccounts/stmlopsprod7f3a2c`,
    parent: WS_COMPONENT,
    provider: PROVIDER_REF,
    inputs: props,
    outputs: { ...props, provisioningState: "Succeeded" },
  };
}

/** A dynamic-provider resource (published pipeline): Pulumi gets no detailed diff for it on refresh. */
export function publishedPipeline(drift: string[]): Res {
  const state = { pipelineName: "training_badpixels", contentHash: "812ad2cb5cdd8a28", drift, __provider: "exports.handler = …" };
  return {
    urn: "urn:pulumi:prod::mlops-azure::mlops:pipelines:Pipelines$pulumi-nodejs:dynamic/mlops:PublishedPipeline::training",
    type: "pulumi-nodejs:dynamic/mlops:PublishedPipeline",
    custom: true,
    id: `${SUB}/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod/components/training_badpixels`,
    parent: STACK,
    provider: "urn:pulumi:prod::mlops-azure::pulumi:providers:pulumi-nodejs::default::00000000-0000-0000-0000-000000000000",
    inputs: state,
    outputs: state,
  };
}

export const same = (r: Res, op = "refresh"): StepSpec => ({ op, old: r, new: r });
export const storageDrift: StepSpec = {
  op: "update",
  old: storage("Disabled"),
  new: storage("Enabled"),
  diffs: ["publicNetworkAccess"],
  detailedDiff: { publicNetworkAccess: { kind: "update", inputDiff: false } },
};
