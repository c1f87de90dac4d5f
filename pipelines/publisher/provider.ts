import type * as pulumi from "@pulumi/pulumi";
import { ArmRest, isArmError } from "../../components/shared/armRest";
import { AssetClients, assetProblem, defaultClients, ensureAsset, findProjectRoot, storedFiles, uploadSnapshot } from "../../components/mlAssets/publish";
import type { AssetRequest } from "../../components/mlAssets/restBodies";
import { settleAll } from "../../components/shared/settleAll";
import type { PublishPlan } from "./plan";
import { planRequests } from "./restBodies";
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

export interface PublisherOptions {
  clients?: AssetClients;
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
      await settleAll(published.filter((a) => a.kind === kind).map((a) => removeVersion(arm, a.path)));
    }
    // Containers go too when empty; Azure keeps a container whose versions could only be archived.
    const containers = [...new Set(published.map((a) => a.path.replace(/\/versions\/[^/]+$/, "")))];
    await settleAll(
      containers.map((c) =>
        arm.delete(c).catch((e: unknown) => {
          if (!isArmError(e) || e.status >= 500) throw e;
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
    await settleAll(
      plan.codes.map(async (code) => {
        await uploadSnapshot(container, code, root);
        await ensureAsset(arm, requests.codes.find((r) => r.name === code.name && r.version === code.version)!);
      }),
    );
    await settleAll(requests.environments.map((r) => ensureAsset(arm, r)));
    await settleAll(requests.components.map((r) => ensureAsset(arm, r)));
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

/** Deletes an asset version; where Azure refuses deletion of that kind, archives it instead. */
async function removeVersion(arm: ArmRest, assetPath: string): Promise<void> {
  try {
    await arm.delete(assetPath);
  } catch (e) {
    if (!isArmError(e) || ![400, 405, 409].includes(e.status)) throw e;
    const live = await arm.get(assetPath);
    if (live) await arm.put(assetPath, { properties: { ...live.properties, isArchived: true } });
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
