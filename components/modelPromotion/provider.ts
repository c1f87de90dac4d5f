/**
 * Dynamic provider for `mlops:PromotedModel` (docs/architecture.md, "Dynamic providers"). `diff` is pure; every other method
 * reaches Azure through the injected client factory (default: `DefaultAzureCredential`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { azureClients, PromotionClientFactory, PromotionClients } from "./clients";
import { inspect, promote, retire } from "./promotion";
import { DEFAULTS, PromotedModelInputs, PromotedModelOutputs } from "./types";

/**
 * The target model version's identity: only a change here promotes a different thing (replace).
 * Pulumi creates the replacement before deleting the old resource, so a replace whose target
 * version stays the same would adopt it and then archive (or delete) it in the same `up`.
 */
const REPLACE_PATHS = ["modelName", "version", "target.subscriptionId", "target.resourceGroupName", "target.workspaceName"];
/**
 * ARM names these case-insensitively: a change of case names the same workspace. (An array, not a
 * Set: Pulumi's closure serialization does not carry a Set's contents.)
 */
const CASE_INSENSITIVE = ["target.subscriptionId", "target.resourceGroupName", "target.workspaceName"];
/**
 * Where the files come from and go, and how: an update that re-verifies against the same target
 * version (a moved target folder or different source content is refused by `promote`, since
 * model versions are immutable).
 */
const UPDATE_PATHS = [
  "source.subscriptionId",
  "source.resourceGroupName",
  "source.workspaceName",
  "target.datastoreName",
  "target.storageAccountName",
  "target.containerName",
  "targetPathPrefix",
  "armEndpoint",
  "blobEndpointTemplate",
  "archiveOnDelete",
  "copyConcurrency",
  "approvalTag.key",
  "approvalTag.value",
  "expectedContentHash",
];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
/** The value the engine passes for inputs not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const at = (obj: any, path: string): unknown => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** Fills defaults; never calls Azure. */
export function withDefaults(news: any): PromotedModelInputs {
  return {
    modelName: news.modelName,
    version: news.version,
    source: news.source,
    target: { ...news.target, datastoreName: news.target?.datastoreName ?? DEFAULTS.datastoreName },
    approvalTag: news.approvalTag ?? { ...DEFAULTS.approvalTag },
    targetPathPrefix: news.targetPathPrefix ?? DEFAULTS.targetPathPrefix,
    armEndpoint: news.armEndpoint ?? DEFAULTS.armEndpoint,
    blobEndpointTemplate: news.blobEndpointTemplate ?? DEFAULTS.blobEndpointTemplate,
    archiveOnDelete: news.archiveOnDelete ?? true,
    copyConcurrency: news.copyConcurrency ?? DEFAULTS.copyConcurrency,
    ...(news.expectedContentHash ? { expectedContentHash: news.expectedContentHash } : {}),
    ...(news.approvals ? { approvals: news.approvals } : {}),
  };
}

export function validateInputs(inputs: PromotedModelInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = (v: unknown) => v !== UNKNOWN && v !== undefined;
  const need = (path: string, test: (v: any) => boolean, reason: string) => {
    const v = at(inputs, path);
    if (v === UNKNOWN) return;
    if (!test(v)) failures.push({ property: path, reason: `${reason}, got ${JSON.stringify(v)}` });
  };
  need("modelName", (v) => typeof v === "string" && NAME.test(v), "must match ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$");
  need("version", (v) => typeof v === "string" && VERSION.test(v), "must be a model version such as 7");
  for (const side of ["source", "target"]) {
    for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"]) {
      need(`${side}.${key}`, (v) => typeof v === "string" && v.length > 0, "must be a non-empty string");
    }
  }
  need("target.datastoreName", (v) => typeof v === "string" && /^[a-z0-9_]+$/.test(v), "must be a datastore name (lowercase letters, digits, _)");
  need("targetPathPrefix", (v) => typeof v === "string" && !/^\/|\/$/.test(v), "must be a blob folder without leading or trailing /");
  need("armEndpoint", (v) => typeof v === "string" && /^https:\/\/[^/]+/.test(v), "must be an https URL");
  need("blobEndpointTemplate", (v) => typeof v === "string" && v.includes("{account}") && /^https?:\/\//.test(v), "must be a URL containing {account}");
  need("copyConcurrency", (v) => Number.isInteger(v) && v >= 1 && v <= 64, "must be an integer from 1 to 64");
  need("approvalTag.key", (v) => typeof v === "string" && v.length > 0, "must be a non-empty tag key");
  need("approvalTag.value", (v) => typeof v === "string", "must be a string");
  need("expectedContentHash", (v) => v === undefined || (typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)), "must be a content hash sha256:<64 hex digits>");
  need("approvals", (v) => v === undefined || (typeof v === "object" && v !== null && Object.values(v).every((x) => typeof x === "string")), "must map stages to strings");
  const s = inputs.source;
  const t = inputs.target;
  if (
    s && t && [s.subscriptionId, s.resourceGroupName, s.workspaceName, t.subscriptionId, t.resourceGroupName, t.workspaceName].every(known) &&
    s.subscriptionId.toLowerCase() === t.subscriptionId.toLowerCase() &&
    s.resourceGroupName.toLowerCase() === t.resourceGroupName.toLowerCase() &&
    s.workspaceName.toLowerCase() === t.workspaceName.toLowerCase()
  ) {
    failures.push({ property: "target.workspaceName", reason: "promotion source and target are the same workspace" });
  }
  return failures;
}

export function pickInputs(props: any): PromotedModelInputs {
  return withDefaults({
    modelName: props.modelName,
    version: props.version,
    source: props.source,
    target: props.target,
    approvalTag: props.approvalTag,
    targetPathPrefix: props.targetPathPrefix,
    armEndpoint: props.armEndpoint,
    blobEndpointTemplate: props.blobEndpointTemplate,
    archiveOnDelete: props.archiveOnDelete,
    copyConcurrency: props.copyConcurrency,
    expectedContentHash: props.expectedContentHash,
    approvals: props.approvals,
  });
}

export class PromotedModelProvider implements pulumi.dynamic.ResourceProvider {
  /** `clientFactory` aims the provider at other endpoints (tests); Azure with DefaultAzureCredential otherwise. */
  constructor(private readonly clientFactory?: PromotionClientFactory) {}

  private clients(inputs: { armEndpoint: string }): PromotionClients {
    const settings = { armEndpoint: inputs.armEndpoint };
    return this.clientFactory ? this.clientFactory(settings) : azureClients(settings);
  }

  async check(_olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
    const inputs = withDefaults(news);
    return { inputs, failures: validateInputs(inputs) };
  }

  async diff(_id: string, olds: any, news: any): Promise<pulumi.dynamic.DiffResult> {
    const next = withDefaults(news);
    const prev = pickInputs(olds);
    const norm = (path: string, v: unknown) => (CASE_INSENSITIVE.includes(path) && typeof v === "string" ? v.toLowerCase() : v);
    const differs = (path: string) => JSON.stringify(norm(path, at(prev, path)) ?? null) !== JSON.stringify(norm(path, at(next, path)) ?? null);
    const replaces = REPLACE_PATHS.filter(differs);
    const updates = UPDATE_PATHS.filter(differs);
    // `read` found drift: an update repairs files or restores the archived version.
    const drifted = olds.filesIntact === false || olds.archived === true;
    return {
      changes: replaces.length > 0 || updates.length > 0 || drifted,
      replaces,
      deleteBeforeReplace: false,
    };
  }

  async create(inputs: any): Promise<pulumi.dynamic.CreateResult> {
    const i = withDefaults(inputs);
    const { outs } = await promote(i, this.clients(i));
    return { id: outs.modelId, outs };
  }

  async read(id: string, props: any): Promise<pulumi.dynamic.ReadResult> {
    const outs = props as PromotedModelOutputs;
    const inputs = pickInputs(props);
    const seen = await inspect({ ...outs, ...inputs }, this.clients(inputs));
    if (!seen) return {};
    const next: PromotedModelOutputs = {
      ...outs,
      ...inputs,
      modelId: seen.version.id ?? id,
      archived: seen.archived,
      filesIntact: seen.problems.length === 0,
      fileProblems: seen.problems,
    };
    return { id: next.modelId, props: next, inputs };
  }

  async update(_id: string, olds: any, news: any): Promise<pulumi.dynamic.UpdateResult> {
    const i = withDefaults(news);
    const { outs } = await promote(i, this.clients(i), (olds as Partial<PromotedModelOutputs>).targetEtags);
    return { outs };
  }

  async delete(_id: string, props: any): Promise<void> {
    const outs = { ...(props as PromotedModelOutputs), ...pickInputs(props) };
    await retire(outs, this.clients(outs));
  }
}
