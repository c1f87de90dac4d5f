/**
 * The promotion workflow behind `mlops:PromotedModel`: locate the source files, copy what the
 * target lacks server-side, verify every file, and only then register the version downstream.
 */
import type { ModelVersion } from "@azure/arm-machinelearning";
import type { ContainerClient } from "@azure/storage-blob";
import type { PromotionClients } from "./clients";
import { blobEndpointFor, datastoreUri, jobArtifactPath, parseModelUri } from "./modelUri";
import { settleAll } from "../shared/settleAll";
import { EXTRA_FILE, FileCheck, ModelFile, SYNC_COPY_LIMIT_BYTES, SourceSigner, contentHash, copyFiles, listModelFiles, listTargetFiles, verifyTargetFolder } from "./blobFiles";
import { DEFAULTS, LINEAGE, PromotedModelInputs, PromotedModelOutputs } from "./types";
import type { WorkspaceRef } from "../../shared/workspace";

/** Read SAS lifetime: long enough for an asynchronous copy of a large file, short otherwise. */
const SAS_LIFETIME_MS = 2 * 3600_000;

export interface BlobLocation {
  accountName: string;
  blobEndpoint: string;
  containerName: string;
  path: string;
  folder: boolean;
  /** The workspace whose datastore named the account (for the account-key fallback). */
  workspace?: WorkspaceRef;
}

export const describeWorkspace = (w: WorkspaceRef) =>
  `workspace '${w.workspaceName}' (resource group '${w.resourceGroupName}', subscription '${w.subscriptionId}')`;

export async function getOrUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function datastoreLocation(clients: PromotionClients, ws: WorkspaceRef, datastoreName: string, template: string) {
  const ds = await getOrUndefined(clients.ml(ws.subscriptionId).datastores.get(ws.resourceGroupName, ws.workspaceName, datastoreName));
  if (!ds) throw new Error(`datastore '${datastoreName}' not found in ${describeWorkspace(ws)}`);
  const p = ds.properties as { datastoreType?: string; accountName?: string; containerName?: string; filesystem?: string; endpoint?: string };
  const containerName = p.datastoreType === "AzureDataLakeGen2" ? p.filesystem : p.containerName;
  if (!p.accountName || !containerName) {
    throw new Error(`datastore '${datastoreName}' in ${describeWorkspace(ws)} is of type ${p.datastoreType}; model files must live in blob storage`);
  }
  return {
    accountName: p.accountName,
    containerName,
    blobEndpoint: blobEndpointFor(template, p.accountName, p.endpoint || DEFAULTS.storageSuffix),
  };
}

/** Where a source model version's files are, from any `modelUri` form. */
export async function locateModel(clients: PromotionClients, ws: WorkspaceRef, modelUri: string, template: string): Promise<BlobLocation> {
  const ref = parseModelUri(modelUri, template);
  if (ref.kind === "blob") return { ...ref };
  const owner = ref.kind === "datastore" ? ref.workspace ?? ws : ws;
  const datastoreName = ref.kind === "datastore" ? ref.datastoreName : "workspaceartifactstore";
  const path = ref.kind === "job" ? jobArtifactPath(ref.jobName, ref.path) : ref.path;
  return { ...(await datastoreLocation(clients, owner, datastoreName, template)), path, folder: ref.folder, workspace: owner };
}

interface TargetLocation {
  accountName: string;
  containerName: string;
  blobEndpoint: string;
}

export async function locateTarget(clients: PromotionClients, inputs: Pick<PromotedModelInputs, "target" | "blobEndpointTemplate">): Promise<TargetLocation> {
  const t = inputs.target;
  if (t.storageAccountName && t.containerName) {
    return {
      accountName: t.storageAccountName,
      containerName: t.containerName,
      blobEndpoint: blobEndpointFor(inputs.blobEndpointTemplate, t.storageAccountName, DEFAULTS.storageSuffix),
    };
  }
  return datastoreLocation(clients, t, t.datastoreName, inputs.blobEndpointTemplate);
}

export const targetFolderOf = (inputs: Pick<PromotedModelInputs, "targetPathPrefix" | "modelName" | "version">) =>
  [inputs.targetPathPrefix, inputs.modelName, inputs.version].filter(Boolean).join("/");

export function signerFor(clients: PromotionClients, loc: BlobLocation): SourceSigner {
  const access = clients.blob(loc.accountName, loc.blobEndpoint);
  return new SourceSigner(
    {
      service: access.service,
      accountName: loc.accountName,
      sharedKey: access.sharedKey,
      fetchAccountKey: async () => {
        if (!clients.accountKey || !loc.workspace) return undefined;
        const w = loc.workspace;
        const workspace = await clients.ml(w.subscriptionId).workspaces.get(w.resourceGroupName, w.workspaceName);
        const id = workspace.storageAccount;
        return id && id.toLowerCase().endsWith(`/storageaccounts/${loc.accountName.toLowerCase()}`)
          ? clients.accountKey(id, loc.accountName)
          : undefined;
      },
    },
    SAS_LIFETIME_MS,
  );
}

const lineageOf = (v: ModelVersion | undefined, key: string): string | undefined =>
  v?.properties.properties?.[key] ?? v?.properties.tags?.[key] ?? undefined;

function formatChecks(checks: FileCheck[], limit = 10): string {
  const shown = checks.slice(0, limit).map((c) => `${c.relPath}: ${c.problem}`);
  if (checks.length > limit) shown.push(`… and ${checks.length - limit} more`);
  return shown.join("; ");
}

export interface PromotionResult {
  outs: PromotedModelOutputs;
  copied: string[];
  registered: boolean;
}

/**
 * Promotes one model version. Idempotent: a target version carrying the same content hash is
 * adopted (and its files repaired or its archive flag cleared if needed); a version whose files
 * cannot all be copied and verified is never registered.
 */
export async function promote(
  inputs: PromotedModelInputs,
  clients: PromotionClients,
  /** ETags recorded by the previous promotion (update): a file rewritten since is copied again. */
  promotedEtags?: Record<string, string>,
): Promise<PromotionResult> {
  const { source, target, modelName, version } = inputs;
  const sourceMl = clients.ml(source.subscriptionId);
  const targetMl = clients.ml(target.subscriptionId);

  // The target's look-ups do not depend on the source's: both sides run at once (on Azure each is an
  // ARM round trip of its own). A failure on the source's side is still the one reported.
  const [{ sourceVersion, sourceModelUri, from, listing, hash }, [to, existing]] = await settleAll([
    (async () => {
      const sourceVersion = await getOrUndefined(sourceMl.modelVersions.get(source.resourceGroupName, source.workspaceName, modelName, version));
      if (!sourceVersion) throw new Error(`model '${modelName}' version '${version}' not found in source ${describeWorkspace(source)}`);
      const sourceModelUri = sourceVersion.properties.modelUri;
      if (!sourceModelUri) throw new Error(`model '${modelName}' version '${version}' in ${describeWorkspace(source)} has no modelUri`);

      const from = await locateModel(clients, source, sourceModelUri, inputs.blobEndpointTemplate);
      const sourceContainer = clients.blob(from.accountName, from.blobEndpoint).service.getContainerClient(from.containerName);
      const listing = await listModelFiles(sourceContainer, from.path, from.folder, clients.listPageSize);
      if (listing.files.length === 0) throw new Error(`model '${modelName}' version '${version}': no files at ${sourceModelUri}`);
      const hash = contentHash(listing.files);
      if (inputs.expectedContentHash && inputs.expectedContentHash !== hash) {
        throw new Error(
          `model '${modelName}' version '${version}': the origin files in ${describeWorkspace(source)} hash to ${hash}, ` +
            `but the approved copy hashed to ${inputs.expectedContentHash}; nothing copied or registered (promote only bytes the approving stage tested)`,
        );
      }
      return { sourceVersion, sourceModelUri, from, listing, hash };
    })(),
    settleAll([
      locateTarget(clients, inputs),
      getOrUndefined(targetMl.modelVersions.get(target.resourceGroupName, target.workspaceName, modelName, version)),
    ]),
  ]);

  const folder = targetFolderOf(inputs);
  const modelUri = datastoreUri(target.datastoreName, listing.layout === "file" ? `${folder}/${listing.files[0].relPath}` : folder);

  if (existing) {
    const existingHash = lineageOf(existing, LINEAGE.contentHash);
    if (existingHash !== hash) {
      throw new Error(
        `model '${modelName}' version '${version}' already exists in target ${describeWorkspace(target)} ` +
          (existingHash ? `with content hash ${existingHash}, but the source now hashes to ${hash}` : "and was not registered by promotion") +
          "; model versions are immutable, so promote a new version instead",
      );
    }
    if (existing.properties.modelUri !== modelUri) {
      throw new Error(`model '${modelName}' version '${version}' was promoted to ${existing.properties.modelUri}, not ${modelUri}; keep targetPathPrefix unchanged`);
    }
  }

  const targetContainer = clients.blob(to.accountName, to.blobEndpoint).service.getContainerClient(to.containerName);
  // The ETags are those of the verified folder: `read` compares them to find files rewritten since.
  const { copied, etags } = await bringFilesUpToDate(inputs, clients, from, listing.files, targetContainer, folder, promotedEtags);

  let registered = false;
  let modelId = existing?.id;
  const promotedAt = lineageOf(existing, LINEAGE.promotedAt) ?? new Date().toISOString();
  if (!existing) {
    const created = await targetMl.modelVersions.createOrUpdate(target.resourceGroupName, target.workspaceName, modelName, version, {
      properties: {
        modelUri,
        modelType: sourceVersion.properties.modelType,
        description: sourceVersion.properties.description,
        flavors: sourceVersion.properties.flavors,
        isArchived: false,
        tags: { ...downstreamTags(sourceVersion.properties.tags, inputs.approvalTag.key), ...lineage(inputs, sourceModelUri, hash, promotedAt) },
        properties: { ...systemFree(sourceVersion.properties.properties), ...lineage(inputs, sourceModelUri, hash, promotedAt) },
      },
    });
    modelId = created.id;
    registered = true;
  } else if (existing.properties.isArchived) {
    // A rollback returns to a version an earlier promotion archived.
    await targetMl.modelVersions.createOrUpdate(target.resourceGroupName, target.workspaceName, modelName, version, {
      properties: { ...existing.properties, isArchived: false },
    });
  }

  return {
    copied,
    registered,
    outs: {
      ...inputs,
      modelId: modelId!,
      modelUri,
      sourceModelUri,
      contentHash: hash,
      files: listing.files.length,
      bytes: listing.files.reduce((n, f) => n + f.size, 0),
      promotedAt,
      filesIntact: true,
      archived: false,
      targetStorageAccountName: to.accountName,
      targetContainerName: to.containerName,
      targetBlobEndpoint: to.blobEndpoint,
      targetEtags: etags,
      fileProblems: [],
    },
  };
}

/**
 * Copies what is missing or wrong, removes strays, verifies; throws (naming files) unless complete.
 * Returns the files copied and the ETags of the folder as verified.
 */
export async function bringFilesUpToDate(
  inputs: Pick<PromotedModelInputs, "modelName" | "version" | "copyConcurrency">,
  clients: PromotionClients,
  from: BlobLocation,
  files: ModelFile[],
  target: ContainerClient,
  folder: string,
  promotedEtags?: Record<string, string>,
): Promise<{ copied: string[]; etags: Record<string, string> }> {
  const { problems: before, etags: unchanged } = await verifyTargetFolder(target, folder, files, { promotedEtags, pageSize: clients.listPageSize });
  if (before.length === 0) return { copied: [], etags: unchanged };
  for (const extra of before.filter((c) => c.problem === EXTRA_FILE)) {
    await target.getBlobClient(`${folder}/${extra.relPath}`).deleteIfExists();
  }
  const wrong = new Set(before.filter((c) => c.problem !== EXTRA_FILE).map((c) => c.relPath));
  const report = await copyFiles({
    files: files.filter((f) => wrong.has(f.relPath)),
    sourceContainer: from.containerName,
    signer: signerFor(clients, from),
    target,
    targetFolder: folder,
    concurrency: inputs.copyConcurrency,
    pollIntervalMs: clients.pollIntervalMs ?? 5000,
    syncCopyLimitBytes: clients.syncCopyLimitBytes ?? SYNC_COPY_LIMIT_BYTES,
  });
  const prefix = `model '${inputs.modelName}' version '${inputs.version}': nothing registered`;
  if (report.failed.length) {
    throw new Error(
      `${prefix}: ${report.failed.length} of ${wrong.size} file copies failed (${formatChecks(report.failed)}); ` +
        `${report.copied.length} copied and kept, a rerun copies only the rest`,
    );
  }
  const { problems: after, etags } = await verifyTargetFolder(target, folder, files, { pageSize: clients.listPageSize });
  if (after.length) throw new Error(`${prefix}: target files do not match the source after copying (${formatChecks(after)})`);
  return { copied: report.copied, etags };
}

function lineage(inputs: PromotedModelInputs, sourceModelUri: string, hash: string, promotedAt: string): Record<string, string> {
  const s = inputs.source;
  return {
    ...Object.fromEntries(Object.entries(inputs.approvals ?? {}).map(([stage, what]) => [`${LINEAGE.approvalPrefix}${stage}`, what])),
    [LINEAGE.sourceWorkspace]: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${s.workspaceName}`,
    [LINEAGE.sourceVersion]: inputs.version,
    [LINEAGE.sourceModelUri]: sourceModelUri,
    [LINEAGE.contentHash]: hash,
    [LINEAGE.promotedAt]: promotedAt,
  };
}

/**
 * Each stack approves its own versions: the upstream approval tag and the approvals recorded on the
 * origin (`approval.*`) do not travel downstream as such; lineage names them (`promotion.approval.*`).
 */
function downstreamTags(tags: Record<string, string | null> | undefined, approvalKey: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).filter(
      (e): e is [string, string] => e[0] !== approvalKey && !e[0].startsWith("promotion.") && !e[0].startsWith("approval.") && typeof e[1] === "string",
    ),
  );
}

/** `azureml.*` properties are written by the service for the source run; they do not transfer. */
function systemFree(props: Record<string, string | null> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(props ?? {}).filter((e): e is [string, string] => !e[0].startsWith("azureml.") && !e[0].startsWith("promotion.") && typeof e[1] === "string"),
  );
}

/**
 * What `read` sees: the target version (undefined when gone), whether it is archived, and which
 * files under its folder no longer match what was promoted.
 */
export async function inspect(
  outs: PromotedModelOutputs,
  clients: PromotionClients,
): Promise<{ version: ModelVersion; archived: boolean; problems: string[] } | undefined> {
  const t = outs.target;
  const version = await getOrUndefined(clients.ml(t.subscriptionId).modelVersions.get(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version));
  if (!version) return undefined;
  const container = clients.blob(outs.targetStorageAccountName, outs.targetBlobEndpoint).service.getContainerClient(outs.targetContainerName);
  const folder = targetFolderOf(outs);
  const observed = await listTargetFiles(container, folder, clients.listPageSize);
  let problems: string[] = [];
  const recorded = outs.targetEtags ?? {};
  const rewritten = observed.some((f) => recorded[f.relPath] !== undefined && recorded[f.relPath] !== f.etag);
  if (contentHash(observed) !== outs.contentHash || rewritten) {
    // Name the files: the source version is immutable, so its listing is the reference.
    try {
      const from = await locateModel(clients, outs.source, outs.sourceModelUri, outs.blobEndpointTemplate);
      const src = await listModelFiles(clients.blob(from.accountName, from.blobEndpoint).service.getContainerClient(from.containerName), from.path, from.folder, clients.listPageSize);
      problems = (await verifyTargetFolder(container, folder, src.files, { promotedEtags: recorded, pageSize: clients.listPageSize })).problems.map((c) => `${c.relPath}: ${c.problem}`);
    } catch {
      /* fall through to the hash message */
    }
    if (problems.length === 0) problems = [`files under ${folder} hash to ${contentHash(observed)}, promoted ${outs.contentHash}`];
  }
  return { version, archived: version.properties.isArchived === true, problems };
}

/** Archives the target version (default), or deletes it and its promoted files. */
export async function retire(outs: PromotedModelOutputs, clients: PromotionClients): Promise<void> {
  const t = outs.target;
  const ml = clients.ml(t.subscriptionId);
  const version = await getOrUndefined(ml.modelVersions.get(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version));
  if (outs.archiveOnDelete) {
    if (version && !version.properties.isArchived) {
      await ml.modelVersions.createOrUpdate(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version, {
        properties: { ...version.properties, isArchived: true },
      });
    }
    return;
  }
  if (version) await ml.modelVersions.delete(t.resourceGroupName, t.workspaceName, outs.modelName, outs.version);
  const container = clients.blob(outs.targetStorageAccountName, outs.targetBlobEndpoint).service.getContainerClient(outs.targetContainerName);
  for (const f of await listTargetFiles(container, targetFolderOf(outs), clients.listPageSize)) await container.getBlobClient(f.blobName).deleteIfExists();
}
