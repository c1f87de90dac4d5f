/**
 * Known-location export (docs/promotion.md, "Known-location export"): an approved origin version copied into a storage
 * container and prefix that consumers outside Azure ML read. It is the same server-side copy,
 * verification and ETag record as a promotion, with no workspace and no registration.
 */
import type { PromotionClients } from "./clients";
import { blobEndpointFor } from "./modelUri";
import { contentHash, listModelFiles, listTargetFiles, verifyTargetFolder } from "./blobFiles";
import { bringFilesUpToDate, describeWorkspace, getOrUndefined, locateModel } from "./promotion";
import { DEFAULTS } from "./types";
import type { WorkspaceRef } from "../../shared/workspace";

export interface ExportedModelInputs {
  modelName: string;
  version: string;
  /** The origin workspace (dev); read only. */
  source: WorkspaceRef;
  /** The known location: an account, a container, and a folder under which `<model>/<version>/` is written. */
  target: { storageAccountName: string; containerName: string; pathPrefix: string };
  /** When set (the hash of the copy an approving stage tested), the origin files must hash to it. */
  expectedContentHash?: string;
  armEndpoint: string;
  blobEndpointTemplate: string;
  copyConcurrency: number;
  /** Deleting the resource deletes the exported files (default false: consumers may still read them). */
  deleteFilesOnDelete: boolean;
}

export interface ExportedModelOutputs extends ExportedModelInputs {
  /** URL of the exported folder (or file) for consumers. */
  url: string;
  sourceModelUri: string;
  contentHash: string;
  files: number;
  bytes: number;
  exportedAt: string;
  targetEtags: Record<string, string>;
  filesIntact: boolean;
  fileProblems: string[];
}

export const exportFolderOf = (i: Pick<ExportedModelInputs, "target" | "modelName" | "version">) =>
  [i.target.pathPrefix, i.modelName, i.version].filter(Boolean).join("/");

function targetContainer(i: ExportedModelInputs, clients: PromotionClients) {
  const endpoint = blobEndpointFor(i.blobEndpointTemplate, i.target.storageAccountName, DEFAULTS.storageSuffix);
  return { endpoint, container: clients.blob(i.target.storageAccountName, endpoint).service.getContainerClient(i.target.containerName) };
}

/** Copies (what is missing or different), verifies, and records ETags. Idempotent; never registers anything. */
export async function exportModel(i: ExportedModelInputs, clients: PromotionClients, recordedEtags?: Record<string, string>): Promise<ExportedModelOutputs> {
  const ml = clients.ml(i.source.subscriptionId);
  const v = await getOrUndefined(ml.modelVersions.get(i.source.resourceGroupName, i.source.workspaceName, i.modelName, i.version));
  if (!v?.properties.modelUri) throw new Error(`model '${i.modelName}' version '${i.version}' not found (or without modelUri) in source ${describeWorkspace(i.source)}`);
  const from = await locateModel(clients, i.source, v.properties.modelUri, i.blobEndpointTemplate);
  const listing = await listModelFiles(clients.blob(from.accountName, from.blobEndpoint).service.getContainerClient(from.containerName), from.path, from.folder, clients.listPageSize);
  if (listing.files.length === 0) throw new Error(`model '${i.modelName}' version '${i.version}': no files at ${v.properties.modelUri}`);
  const hash = contentHash(listing.files);
  if (i.expectedContentHash && i.expectedContentHash !== hash) {
    throw new Error(`model '${i.modelName}' version '${i.version}': the origin files hash to ${hash}, but the approved copy hashed to ${i.expectedContentHash}; nothing exported`);
  }
  const { endpoint, container } = targetContainer(i, clients);
  const folder = exportFolderOf(i);
  const { etags } = await bringFilesUpToDate(i, clients, from, listing.files, container, folder, recordedEtags);
  const url = `${endpoint}/${i.target.containerName}/${listing.layout === "file" ? `${folder}/${listing.files[0].relPath}` : `${folder}/`}`;
  return {
    ...i,
    url,
    sourceModelUri: v.properties.modelUri,
    contentHash: hash,
    files: listing.files.length,
    bytes: listing.files.reduce((n, f) => n + f.size, 0),
    exportedAt: new Date().toISOString(),
    targetEtags: etags,
    filesIntact: true,
    fileProblems: [],
  };
}

/** What `read` sees: undefined when nothing is left at the location, else the files' problems. */
export async function inspectExport(o: ExportedModelOutputs, clients: PromotionClients): Promise<string[] | undefined> {
  const { container } = targetContainer(o, clients);
  const folder = exportFolderOf(o);
  const observed = await listTargetFiles(container, folder, clients.listPageSize);
  if (observed.length === 0) return undefined;
  const rewritten = observed.some((f) => o.targetEtags[f.relPath] !== undefined && o.targetEtags[f.relPath] !== f.etag);
  if (contentHash(observed) === o.contentHash && !rewritten) return [];
  const expected = observed.map((f) => f.relPath);
  // Name each problem against what was exported (lengths and MD5s are in the hash; ETags name rewrites).
  const problems = (await verifyTargetFolder(container, folder, observed.filter((f) => o.targetEtags[f.relPath]), { promotedEtags: o.targetEtags, pageSize: clients.listPageSize })).problems.map((c) => `${c.relPath}: ${c.problem}`);
  const missing = Object.keys(o.targetEtags).filter((p) => !expected.includes(p)).map((p) => `${p}: missing`);
  const all = [...missing, ...problems];
  return all.length ? all : [`files under ${folder} hash to ${contentHash(observed)}, exported ${o.contentHash}`];
}

export async function removeExport(o: ExportedModelOutputs, clients: PromotionClients): Promise<void> {
  if (!o.deleteFilesOnDelete) return;
  const { container } = targetContainer(o, clients);
  for (const f of await listTargetFiles(container, exportFolderOf(o), clients.listPageSize)) await container.getBlobClient(f.blobName).deleteIfExists();
}
