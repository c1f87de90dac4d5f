/**
 * The registry strategy behind `mlops:RegistryModel` (docs/promotion.md, "Registry strategy"): the
 * approved origin version is shared into an Azure ML registry by the service (the client sends the
 * import request and moves no model bytes), batch deployments reference the registry version, and a
 * Kubernetes online endpoint, which cannot deploy registry models ("Attach Kubernetes anywhere",
 * limitations: models from an Azure ML registry aren't supported), gets the version imported into its
 * own workspace by a command job on that workspace's compute (the job downloads from the registry
 * and uploads to the workspace's datastore; the client only lists the result to hash it).
 */
import { createHash } from "node:crypto";
import type { ModelVersion } from "@azure/arm-machinelearning";
import type { PromotionClients } from "./clients";
import { contentHash, listTargetFiles } from "./blobFiles";
import { datastoreUri } from "./modelUri";
import { describeWorkspace, getOrUndefined, locateTarget } from "./promotion";
import { RegistryClient, RegistryCoordinates, registryModelUri, workspaceAssetId } from "./registryClient";
import { LINEAGE, TargetWorkspace } from "./types";
import type { WorkspaceRef } from "../../shared/workspace";

/** Lineage tag naming the registry version a workspace copy was imported from. */
export const REGISTRY_LINEAGE = "promotion.registryModelUri";
/** Terminal job states (stable/2022-10-01/mfe.json JobStatus). */
const JOB_DONE = ["Completed", "Failed", "Canceled", "NotResponding"];

export interface WorkspaceImport {
  target: TargetWorkspace;
  /** Compute in the target workspace that runs the import job (its own network and identity). */
  computeName: string;
  /** Environment of the import job (an ARM id or `azureml://registries/azureml/environments/…`). */
  environmentId: string;
  /** Blob folder in the target datastore under which `<model>/<version>/` is written. */
  targetPathPrefix: string;
  blobEndpointTemplate: string;
}

export interface RegistryModelInputs {
  modelName: string;
  version: string;
  /** The origin workspace (dev): what is shared. */
  source: WorkspaceRef;
  registry: RegistryCoordinates;
  /** The registry's data-plane endpoint for the import, `https://<region>.api.azureml.ms`. */
  registryEndpoint: string;
  armEndpoint: string;
  /** Set for Kubernetes online endpoints: the version imported into this workspace by a job. */
  workspaceImport?: WorkspaceImport;
  /** Content hash of the approving stage's imported copy: this stage's copy must hash the same. */
  expectedContentHash?: string;
  approvals?: Record<string, string>;
  /** Delete archives the imported workspace version (default); the registry version always stays. */
  archiveOnDelete: boolean;
  /** Bound on job status polls (default 1440: two hours at 5 s). */
  maxJobPolls?: number;
}

export interface RegistryModelOutputs extends RegistryModelInputs {
  /** ARM id of the registry model version. */
  registryModelId: string;
  /** `azureml://registries/<r>/models/<n>/versions/<v>`: what batch deployments reference. */
  registryModelUri: string;
  /** True when this resource's create performed the import (false: the registry already held it). */
  sharedHere: boolean;
  /** Imported workspace copy (Kubernetes online endpoints), when `workspaceImport` is set. */
  modelId?: string;
  modelUri?: string;
  contentHash?: string;
  importJobName?: string;
  files?: number;
  bytes?: number;
  filesIntact: boolean;
  promotedAt: string;
}

function registryOf(clients: PromotionClients): RegistryClient {
  if (!clients.registry) throw new Error("the promotion clients have no registry client (PromotionClients.registry)");
  return clients.registry();
}

/** Shares the origin version into the registry unless it is there; returns the registry version. */
export async function shareIntoRegistry(inputs: RegistryModelInputs, clients: PromotionClients): Promise<{ id: string; modelUri: string; sharedHere: boolean; origin: ModelVersion }> {
  const { source, registry, modelName, version } = inputs;
  const reg = registryOf(clients);
  const ml = clients.ml(source.subscriptionId);
  const origin = await getOrUndefined(ml.modelVersions.get(source.resourceGroupName, source.workspaceName, modelName, version));
  if (!origin) throw new Error(`model '${modelName}' version '${version}' not found in the origin ${describeWorkspace(source)}`);
  let shared = await reg.getModelVersion(registry, modelName, version);
  let sharedHere = false;
  if (!shared) {
    const ws = await ml.workspaces.get(source.resourceGroupName, source.workspaceName);
    if (!ws.workspaceId || !ws.location) throw new Error(`the origin ${describeWorkspace(source)} reports no workspaceId/location`);
    await reg.importModel(registry, inputs.registryEndpoint, {
      properties: { destinationName: modelName, destinationVersion: version, sourceAssetId: workspaceAssetId(ws.location.replace(/\s+/g, "").toLowerCase(), ws.workspaceId, modelName, version) },
    });
    shared = await reg.getModelVersion(registry, modelName, version);
    if (!shared) throw new Error(`registry '${registry.registryName}' reports no model '${modelName}' version '${version}' after the import succeeded`);
    sharedHere = true;
  }
  return { id: shared.id, modelUri: registryModelUri(registry.registryName, modelName, version), sharedHere, origin };
}

/** Job input type for a model's type (CustomModel / MLFlowModel / TritonModel or the snake_case forms). */
function jobInputTypeOf(modelType: string | undefined): string {
  const t = (modelType ?? "custom_model").replace(/[_\s]/g, "").toLowerCase();
  return t === "mlflowmodel" ? "mlflow_model" : t === "tritonmodel" ? "triton_model" : "custom_model";
}

export const importFolderOf = (i: { modelName: string; version: string; workspaceImport: WorkspaceImport }) =>
  [i.workspaceImport.targetPathPrefix, i.modelName, i.version].filter(Boolean).join("/");

/**
 * The command job that copies the registry version into the target datastore, run on the target's
 * compute: the service downloads the `custom_model`/`mlflow_model` input from the registry and
 * uploads the `uri_folder` output (stable/2022-10-01/mfe.json CommandJob, JobInput, JobOutput).
 */
export function importJobBody(i: RegistryModelInputs & { workspaceImport: WorkspaceImport }, registryUri: string, modelType: string | undefined): any {
  const w = i.workspaceImport;
  const t = w.target;
  const ws = `/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${t.workspaceName}`;
  return {
    properties: {
      jobType: "Command",
      displayName: `import ${i.modelName}:${i.version} from registry ${i.registry.registryName}`,
      description: "Imports a registry model version into this workspace (Kubernetes online endpoints cannot deploy registry models)",
      experimentName: "model-import",
      computeId: `${ws}/computes/${w.computeName}`,
      environmentId: w.environmentId,
      command: "cp -r ${{inputs.model}}/. ${{outputs.model}}/",
      inputs: { model: { jobInputType: jobInputTypeOf(modelType), uri: registryUri, mode: "Download" } },
      outputs: { model: { jobOutputType: "uri_folder", uri: `${datastoreUri(t.datastoreName, importFolderOf(i))}/`, mode: "Upload" } },
      tags: { [REGISTRY_LINEAGE]: registryUri },
    },
  };
}

const jobNameOf = (i: RegistryModelInputs, registryUri: string, attempt: number) =>
  `import-${i.modelName}-${i.version}`.replace(/[^a-zA-Z0-9_-]/g, "-").slice(0, 200) +
  `-${createHash("sha256").update(`${registryUri}|${i.workspaceImport?.target.workspaceName}`).digest("hex").slice(0, 8)}${attempt > 1 ? `-${attempt}` : ""}`;

/** Submits (or finds) the import job and waits for it to complete; returns its name. */
async function runImportJob(
  i: RegistryModelInputs & { workspaceImport: WorkspaceImport },
  clients: PromotionClients,
  registryUri: string,
  modelType: string | undefined,
  /** A repair: an earlier completed attempt does not count, the files changed since. */
  repair: boolean,
): Promise<string> {
  const t = i.workspaceImport.target;
  const jobs = registryOf(clients);
  const wsPath = `/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${t.workspaceName}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let attempt = 1; attempt <= 5; attempt++) {
    const name = jobNameOf(i, registryUri, attempt);
    const path = `${wsPath}/jobs/${name}`;
    let job = await jobs.getJob(path);
    // A failed earlier attempt stays as the record; the next attempt gets the next name.
    if (job && JOB_DONE.includes(String(job.properties.status)) && (repair || job.properties.status !== "Completed")) continue;
    if (!job) job = await jobs.createJob(path, importJobBody(i, registryUri, modelType));
    const maxPolls = i.maxJobPolls ?? 1440;
    for (let n = 0; !JOB_DONE.includes(String(job!.properties.status)); n++) {
      if (n >= maxPolls) throw new Error(`import job '${name}' in ${describeWorkspace(t)} did not finish after ${maxPolls} polls (status ${job!.properties.status})`);
      await sleep(clients.pollIntervalMs ?? 5000);
      job = await jobs.getJob(path);
      if (!job) throw new Error(`import job '${name}' in ${describeWorkspace(t)} disappeared while running`);
    }
    if (job!.properties.status === "Completed") return name;
    throw new Error(`import job '${name}' in ${describeWorkspace(t)} ended ${job!.properties.status}: nothing registered; see the job's logs, the next \`up\` submits a new attempt`);
  }
  throw new Error(`model '${i.modelName}' version '${i.version}': five import attempts failed in ${describeWorkspace(t)}`);
}

/** Shares into the registry and, for Kubernetes endpoints, imports into the target workspace. Idempotent. */
export async function promoteViaRegistry(inputs: RegistryModelInputs, clients: PromotionClients): Promise<RegistryModelOutputs> {
  const shared = await shareIntoRegistry(inputs, clients);
  const outs: RegistryModelOutputs = {
    ...inputs,
    registryModelId: shared.id,
    registryModelUri: shared.modelUri,
    sharedHere: shared.sharedHere,
    filesIntact: true,
    promotedAt: new Date().toISOString(),
  };
  if (!inputs.workspaceImport) return outs;
  const i = inputs as RegistryModelInputs & { workspaceImport: WorkspaceImport };
  const t = i.workspaceImport.target;
  const ml = clients.ml(t.subscriptionId);
  const folder = importFolderOf(i);
  const modelUri = `${datastoreUri(t.datastoreName, folder)}`;
  const to = await locateTarget(clients, { target: t, blobEndpointTemplate: i.workspaceImport.blobEndpointTemplate });
  const container = clients.blob(to.accountName, to.blobEndpoint).service.getContainerClient(to.containerName);

  const existing = await getOrUndefined(ml.modelVersions.get(t.resourceGroupName, t.workspaceName, i.modelName, i.version));
  const recorded = existing?.properties.tags?.[LINEAGE.contentHash] ?? undefined;
  if (existing && existing.properties.tags?.[REGISTRY_LINEAGE] !== shared.modelUri) {
    throw new Error(`model '${i.modelName}' version '${i.version}' already exists in ${describeWorkspace(t)} and was not imported from ${shared.modelUri}; model versions are immutable`);
  }
  let files = await listTargetFiles(container, folder, clients.listPageSize);
  let jobName: string | undefined = existing?.properties.tags?.["promotion.importJob"] ?? undefined;
  if (!existing || files.length === 0 || contentHash(files) !== recorded) {
    jobName = await runImportJob(i, clients, shared.modelUri, shared.origin.properties.modelType, existing !== undefined);
    files = await listTargetFiles(container, folder, clients.listPageSize);
  }
  if (files.length === 0) throw new Error(`import job '${jobName}' completed but wrote no files under ${folder} in ${describeWorkspace(t)}: nothing registered`);
  const hash = contentHash(files);
  if (i.expectedContentHash && i.expectedContentHash !== hash) {
    throw new Error(
      `model '${i.modelName}' version '${i.version}': the files imported from ${shared.modelUri} hash to ${hash}, but the approved copy hashed to ${i.expectedContentHash}; nothing registered`,
    );
  }
  if (existing && recorded !== hash) {
    throw new Error(`model '${i.modelName}' version '${i.version}' in ${describeWorkspace(t)} records content hash ${recorded}, but its files now hash to ${hash}; model versions are immutable`);
  }
  const promotedAt = existing?.properties.tags?.[LINEAGE.promotedAt] ?? outs.promotedAt;
  let modelId = existing?.id;
  if (!existing) {
    const s = i.source;
    const lineage: Record<string, string> = {
      ...Object.fromEntries(Object.entries(i.approvals ?? {}).map(([stage, what]) => [`${LINEAGE.approvalPrefix}${stage}`, what])),
      [LINEAGE.sourceWorkspace]: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${s.workspaceName}`,
      [LINEAGE.sourceVersion]: i.version,
      [LINEAGE.sourceModelUri]: shared.origin.properties.modelUri ?? "",
      [LINEAGE.contentHash]: hash,
      [LINEAGE.promotedAt]: promotedAt,
      [REGISTRY_LINEAGE]: shared.modelUri,
      "promotion.importJob": jobName!,
    };
    const created = await ml.modelVersions.createOrUpdate(t.resourceGroupName, t.workspaceName, i.modelName, i.version, {
      properties: {
        modelUri,
        modelType: shared.origin.properties.modelType,
        description: shared.origin.properties.description,
        flavors: shared.origin.properties.flavors,
        isArchived: false,
        tags: lineage,
        properties: lineage,
      },
    });
    modelId = created.id;
  } else if (existing.properties.isArchived) {
    await ml.modelVersions.createOrUpdate(t.resourceGroupName, t.workspaceName, i.modelName, i.version, { properties: { ...existing.properties, isArchived: false } });
  }
  return { ...outs, modelId, modelUri, contentHash: hash, importJobName: jobName, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), promotedAt };
}

/** What `read` sees: whether the registry still holds the version and the imported copy is intact. */
export async function inspectRegistryModel(outs: RegistryModelOutputs, clients: PromotionClients): Promise<{ present: boolean; filesIntact: boolean }> {
  const shared = await registryOf(clients).getModelVersion(outs.registry, outs.modelName, outs.version);
  if (!shared) return { present: false, filesIntact: false };
  if (!outs.workspaceImport) return { present: true, filesIntact: true };
  const t = outs.workspaceImport.target;
  const version = await getOrUndefined(clients.ml(t.subscriptionId).modelVersions.get(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version));
  if (!version || version.properties.isArchived) return { present: true, filesIntact: false };
  const to = await locateTarget(clients, { target: t, blobEndpointTemplate: outs.workspaceImport.blobEndpointTemplate });
  const files = await listTargetFiles(clients.blob(to.accountName, to.blobEndpoint).service.getContainerClient(to.containerName), importFolderOf(outs as RegistryModelInputs & { workspaceImport: WorkspaceImport }), clients.listPageSize);
  return { present: true, filesIntact: files.length > 0 && contentHash(files) === outs.contentHash };
}

/**
 * Delete: the registry version stays (every environment shares it, and registry assets are meant to
 * outlive workspaces); the imported workspace copy is archived, as the copy strategy does.
 */
export async function retireRegistryModel(outs: RegistryModelOutputs, clients: PromotionClients): Promise<void> {
  if (!outs.workspaceImport) return;
  const t = outs.workspaceImport.target;
  const ml = clients.ml(t.subscriptionId);
  const version = await getOrUndefined(ml.modelVersions.get(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version));
  if (!version) return;
  if (outs.archiveOnDelete) {
    if (!version.properties.isArchived) await ml.modelVersions.createOrUpdate(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version, { properties: { ...version.properties, isArchived: true } });
    return;
  }
  await ml.modelVersions.delete(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version);
}
