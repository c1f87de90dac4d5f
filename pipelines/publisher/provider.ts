import type * as pulumi from "@pulumi/pulumi";
import type { ContainerClient } from "@azure/storage-blob";
import * as fs from "node:fs";
import * as path from "node:path";
import { ArmError, ArmRest, RequestSender } from "./arm";
import type { CodePlan, PublishPlan } from "./plan";
import { AssetRequest, planRequests } from "./restBodies";
import { snapshotFolder } from "./snapshot";
import { AzureClientOptions, blobServiceClient, defaultCredential, mlWorkspacesClient } from "../../components/shared/azure";
import { assetVersionId, workspaceId, type WorkspaceRef } from "../../shared/workspace";

/**
 * The dynamic provider behind `PublishedPipeline` (docs/architecture.md, "Dynamic providers"; pipelines/README.md). Its input is a publish plan
 * (plan.ts): every asset with a content-hash version. Publishing makes each asset exist exactly as
 * planned, writing only what is missing, so an unchanged step costs reads and no writes, and a
 * retried or repeated create adopts what is already there. Azure SDKs are loaded inside methods:
 * Pulumi serializes this class into the state, and module-level SDK imports do not serialize.
 */

export interface PublishedPipelineInputs {
  plan: PublishPlan;
  workspace: WorkspaceRef;
  storage: { blobEndpoint: string; container: string };
  armEndpoint: string;
  /** Tags every published asset carries. */
  tags: Record<string, string>;
  pipelineComponentId: string;
  componentIds: Record<string, string>;
  /** The clusters the steps run on, `key=name, …` (a summary the plan shows). */
  clusterNames: string;
}

export interface PublishedAsset {
  kind: AssetRequest["kind"];
  name: string;
  version: string;
  /** ARM id of the asset version. */
  path: string;
}

export interface PublishedPipelineOutputs extends PublishedPipelineInputs {
  pipelineName: string;
  experimentName: string;
  modelName: string;
  contentHash: string;
  /** Every asset version this resource has published (across updates): what delete removes. */
  published: PublishedAsset[];
  /** What the last read found missing or changed in Azure; empty when Azure matches the plan. */
  drift: string[];
}

/** Clients the provider talks through; tests inject ones aimed at local servers. */
export interface PublisherClients {
  /** Anything with an Azure SDK pipeline (`AzureMachineLearningWorkspaces` by default). */
  arm(endpoint: string, subscriptionId: string): RequestSender;
  container(blobEndpoint: string, container: string): ContainerClient;
}

export interface PublisherOptions {
  clients?: PublisherClients;
  /** Folder the plan's code folders are relative to (default: the Pulumi project of the cwd). */
  root?: string;
}

const INPUT_KEYS = ["plan", "workspace", "storage", "armEndpoint", "tags", "pipelineComponentId", "componentIds", "clusterNames"] as const;

export class PublishedPipelineProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly options: PublisherOptions = {}) {}

  async check(_olds: unknown, news: PublishedPipelineInputs): Promise<pulumi.dynamic.CheckResult> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"] as const) {
      if (!news.workspace?.[key]) failures.push({ property: `workspace.${key}`, reason: "is required" });
    }
    for (const key of ["blobEndpoint", "container"] as const) {
      if (!news.storage?.[key]) failures.push({ property: `storage.${key}`, reason: "is required" });
    }
    return { inputs: news, failures };
  }

  /** Pure: compares the recorded outputs with the new inputs and never calls Azure. */
  async diff(_id: string, olds: PublishedPipelineOutputs, news: PublishedPipelineInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffPublished(olds, news);
  }

  async create(inputs: PublishedPipelineInputs): Promise<pulumi.dynamic.CreateResult<PublishedPipelineOutputs>> {
    const outs = await this.publish(inputs, []);
    return { id: pipelineContainerId(inputs), outs };
  }

  async update(
    _id: string,
    olds: PublishedPipelineOutputs,
    news: PublishedPipelineInputs,
  ): Promise<pulumi.dynamic.UpdateResult<PublishedPipelineOutputs>> {
    return { outs: await this.publish(news, olds.published ?? []) };
  }

  async read(id: string, props: PublishedPipelineOutputs): Promise<pulumi.dynamic.ReadResult<PublishedPipelineOutputs>> {
    const { arm, container } = this.clientsFor(props);
    const requests = planRequests(props.workspace, props.plan, props.storage, props.tags);
    const live = await arm.get(requests.pipeline.path);
    if (!live) return { id: "" }; // the published pipeline is gone: the next up creates it again
    const problems = await Promise.all([
      assetProblem(requests.pipeline, live),
      ...[...requests.codes, ...requests.environments, ...requests.components].map(async (r) => assetProblem(r, await arm.get(r.path))),
      ...props.plan.codes.map(async (code) => {
        const stored = (await storedFiles(container, code)).size;
        return stored < code.files ? `code ${code.name}:${code.version}: ${code.files - stored} of ${code.files} files missing from storage` : null;
      }),
    ]);
    const drift = problems.filter((p): p is string => p !== null).sort();
    const inputs = Object.fromEntries(INPUT_KEYS.map((k) => [k, props[k]])) as unknown as PublishedPipelineOutputs;
    return { id, props: { ...props, drift }, inputs };
  }

  async delete(_id: string, props: PublishedPipelineOutputs): Promise<void> {
    const { arm, container } = this.clientsFor(props);
    const published = props.published ?? [];
    const order: AssetRequest["kind"][] = ["pipeline", "component", "environment", "code"];
    for (const kind of order) {
      await Promise.all(published.filter((a) => a.kind === kind).map((a) => removeVersion(arm, a.path)));
    }
    // Containers go too when empty; Azure keeps a container whose versions could only be archived.
    const containers = [...new Set(published.map((a) => a.path.replace(/\/versions\/[^/]+$/, "")))];
    await Promise.all(
      containers.map((c) =>
        arm.delete(c).catch((e: unknown) => {
          if (!(e instanceof ArmError) || e.status >= 500) throw e;
        }),
      ),
    );
    const codeNames = [...new Set(published.filter((a) => a.kind === "code").map((a) => a.name))];
    for (const name of codeNames) {
      for await (const blob of container.listBlobsFlat({ prefix: `LocalUpload/${name}/` })) {
        await container.deleteBlob(blob.name, { deleteSnapshots: "include" });
      }
    }
  }

  private async publish(inputs: PublishedPipelineInputs, previously: PublishedAsset[]): Promise<PublishedPipelineOutputs> {
    const { arm, container } = this.clientsFor(inputs);
    const { plan } = inputs;
    const requests = planRequests(inputs.workspace, plan, inputs.storage, inputs.tags);
    const root = this.options.root ?? findProjectRoot(process.cwd(), plan.codes.map((c) => c.folder));

    // Order matters only between kinds: a component references its code and environment, the
    // pipeline its components. Within a kind, assets are independent.
    await Promise.all(
      plan.codes.map(async (code) => {
        await uploadSnapshot(container, code, root);
        await ensureAsset(arm, requests.codes.find((r) => r.name === code.name && r.version === code.version)!);
      }),
    );
    await Promise.all(requests.environments.map((r) => ensureAsset(arm, r)));
    await Promise.all(requests.components.map((r) => ensureAsset(arm, r)));
    await ensureAsset(arm, requests.pipeline);

    const now = [...requests.codes, ...requests.environments, ...requests.components, requests.pipeline].map(
      ({ kind, name, version, path: p }) => ({ kind, name, version, path: p }),
    );
    const published = [...previously.filter((a) => !now.some((n) => n.path === a.path)), ...now];
    return {
      ...inputs,
      pipelineName: plan.pipelineName,
      experimentName: plan.experimentName,
      modelName: plan.modelName,
      contentHash: plan.contentHash,
      published,
      drift: [],
    };
  }

  private clientsFor(inputs: Pick<PublishedPipelineInputs, "armEndpoint" | "workspace" | "storage">) {
    const clients = this.options.clients ?? defaultClients();
    const arm = new ArmRest(clients.arm(inputs.armEndpoint, inputs.workspace.subscriptionId), inputs.armEndpoint);
    const container = clients.container(inputs.storage.blobEndpoint, inputs.storage.container);
    return { arm, container };
  }
}

export function diffPublished(olds: PublishedPipelineOutputs, news: PublishedPipelineInputs): pulumi.dynamic.DiffResult {
  const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
  // Replace only when the published assets get other ARM ids. Pulumi creates the replacement before
  // deleting the old resource, so a replace that keeps the ids (a new ARM endpoint URL for the same
  // cloud, a workspace name in other case: ARM ids are case-insensitive) would adopt the assets and
  // then delete them.
  const lower = (ws: WorkspaceRef | undefined) => (ws ? Object.fromEntries(Object.entries(ws).map(([k, v]) => [k, String(v).toLowerCase()])) : ws);
  const replaces: string[] = [];
  if (!same(lower(olds.workspace), lower(news.workspace))) replaces.push("workspace");
  if (olds.plan?.pipelineName !== news.plan.pipelineName || olds.plan?.pipelineComponent?.name !== news.plan.pipelineComponent.name) replaces.push("plan");
  const changed: string[] = INPUT_KEYS.filter((k) => !same(olds[k], news[k]));
  if ((olds.drift ?? []).length > 0) changed.push("drift");
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}

/** `cpu=mlops-dev-cpu, gpu=mlops-dev-gpu`: the clusters a plan's steps run on. */
export function clusterSummary(plan: PublishPlan): string {
  return [...new Set(plan.components.map((c) => `${c.cluster.key}=${c.cluster.name}`))].sort().join(", ");
}

/** ARM ids of the pipeline component version and of each step's component version. */
export function publishedIds(ws: WorkspaceRef, plan: PublishPlan): Pick<PublishedPipelineInputs, "pipelineComponentId" | "componentIds"> {
  return {
    pipelineComponentId: assetVersionId(ws, "components", plan.pipelineComponent.name, plan.pipelineComponent.version),
    componentIds: Object.fromEntries(plan.components.map((c) => [c.step, assetVersionId(ws, "components", c.name, c.version)])),
  };
}

/** The resource id: the pipeline component container, stable across versions. */
export function pipelineContainerId(inputs: Pick<PublishedPipelineInputs, "workspace" | "plan">): string {
  return `${workspaceId(inputs.workspace)}/components/${inputs.plan.pipelineComponent.name}`;
}

/** Why a live asset is not what the request would publish, or null when it is. */
function assetProblem(r: AssetRequest, live: any): string | null {
  const label = `${r.kind} ${r.name}:${r.version}`;
  if (!live) return `${label}: missing`;
  const props = live.properties ?? {};
  if (props.isArchived === true) return `${label}: archived`;
  const want = r.body.properties.tags as Record<string, string>;
  const have = (props.tags ?? {}) as Record<string, string>;
  const wrongTags = Object.keys(want).filter((k) => have[k] !== want[k]);
  if (wrongTags.length) return `${label}: tags differ (${wrongTags.map((k) => `${k}=${have[k] ?? "∅"}, expected ${want[k]}`).join("; ")})`;
  if (r.kind === "code" && props.codeUri !== r.body.properties.codeUri) return `${label}: codeUri is ${props.codeUri}`;
  if (r.kind === "environment" && props.image !== r.body.properties.image) return `${label}: image is ${props.image}`;
  return null;
}

/** PUT unless the live asset already matches: unchanged assets cost one read, no write. */
export async function ensureAsset(arm: ArmRest, r: AssetRequest): Promise<void> {
  const live = await arm.get(r.path);
  if (assetProblem(r, live) === null) return;
  await arm.put(r.path, r.body);
}

/** Deletes an asset version; where Azure refuses deletion of that kind, archives it instead. */
async function removeVersion(arm: ArmRest, assetPath: string): Promise<void> {
  try {
    await arm.delete(assetPath);
  } catch (e) {
    if (!(e instanceof ArmError) || ![400, 405, 409].includes(e.status)) throw e;
    const live = await arm.get(assetPath);
    if (live) await arm.put(assetPath, { properties: { ...live.properties, isArchived: true } });
  }
}

/** Files stored under a code snapshot's prefix, with the sha256 recorded when each was uploaded. */
async function storedFiles(container: ContainerClient, code: CodePlan): Promise<Map<string, string | undefined>> {
  const stored = new Map<string, string | undefined>();
  for await (const blob of container.listBlobsFlat({ prefix: `${code.blobPrefix}/`, includeMetadata: true })) {
    stored.set(blob.name.slice(code.blobPrefix.length + 1), blob.metadata?.sha256);
  }
  return stored;
}

/**
 * Uploads the files of a code snapshot that storage does not hold yet. The folder is hashed again
 * first: if it changed since the plan was made, publishing it under the planned version would lie.
 */
export async function uploadSnapshot(container: ContainerClient, code: CodePlan, root: string): Promise<void> {
  const folder = path.resolve(root, code.folder);
  const snapshot = snapshotFolder(folder);
  if (snapshot.hash !== code.hash) {
    throw new Error(
      `code folder ${code.folder} changed after the plan was made (content ${snapshot.hash.slice(0, 16)}, planned ${code.version}); run the update again`,
    );
  }
  const stored = await storedFiles(container, code);
  const missing = snapshot.files.filter((f) => stored.get(f.path) !== f.sha256);
  await Promise.all(
    missing.map((f) =>
      container
        .getBlockBlobClient(`${code.blobPrefix}/${f.path}`)
        .uploadData(fs.readFileSync(path.join(folder, f.path)), { metadata: { sha256: f.sha256 } }),
    ),
  );
}

/** The Pulumi project folder at or above `start` that holds the plan's code folders. */
export function findProjectRoot(start: string, folders: string[]): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || folders.every((f) => fs.existsSync(path.join(dir, f)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export type DefaultClientOptions = Pick<AzureClientOptions, "credential" | "armPolicies">;

/** The clients the provider uses in production: the shared Azure client layer (components/shared/azure.ts). */
export function defaultClients(options: DefaultClientOptions = {}): PublisherClients {
  const credential = () => options.credential ?? defaultCredential();
  return {
    arm: (endpoint, subscriptionId) => mlWorkspacesClient(subscriptionId, endpoint, { credential: credential(), armPolicies: options.armPolicies }),
    container: (blobEndpoint, name) => blobServiceClient(blobEndpoint, credential()).getContainerClient(name),
  };
}
