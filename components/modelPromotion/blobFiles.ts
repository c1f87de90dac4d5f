/**
 * Model files in blob storage: listing, content hash, read-only SAS on the source, server-side
 * copy and verification. Nothing here reads a model's bytes: lengths and Content-MD5 come from the
 * service's own records.
 */
import { createHash } from "node:crypto";
import type { BlobServiceClient, ContainerClient, StorageSharedKeyCredential, UserDelegationKey } from "@azure/storage-blob";
import { listBlobs } from "./blobListing";

let storageBlobModule: typeof import("@azure/storage-blob") | undefined;
/** The storage SDK, loaded once on first use (a plan loads this module and never signs a URL). */
function storageBlob(): typeof import("@azure/storage-blob") {
  return (storageBlobModule ??= require("@azure/storage-blob") as typeof import("@azure/storage-blob"));
}

/** Copy Blob From URL accepts sources up to 256 MiB; larger files use the asynchronous Copy Blob. */
export const SYNC_COPY_LIMIT_BYTES = 256 * 1024 * 1024;

export interface ModelFile {
  /** Path below the model folder (the file name for a single-file model). */
  relPath: string;
  /** Full blob name in its container. */
  blobName: string;
  size: number;
  /** Base64 Content-MD5 as the service records it; absent for some multi-block uploads. */
  md5?: string;
  /** The blob's ETag when listed; any write to the blob (content or properties) changes it. */
  etag?: string;
}

export interface ModelListing {
  layout: "file" | "folder";
  files: ModelFile[];
}

/**
 * Blobs asked for per List Blobs page (`maxresults`): the most the service returns ("List Blobs",
 * Azure Storage REST docs), so a model of up to 5,000 files is one round trip per listing. Pages are
 * parsed as they stream in (./blobListing.ts), so a large page costs no more client memory than the
 * blobs it holds. On Azurite, listing 1,000 of 6,000 blobs took a median 150 ms in pages of 5,000
 * against 185 ms in pages of 250 (each page request scans the container). `listPageSize` on the
 * clients overrides it (tests of several pages).
 */
export const LIST_PAGE_SIZE = 5000;

/**
 * Lists a model's files under `path`: the single blob named `path` (unless the URI said folder),
 * else every blob below `path/`.
 */
export async function listModelFiles(container: ContainerClient, path: string, folderHint: boolean, pageSize = LIST_PAGE_SIZE): Promise<ModelListing> {
  const blobs = (await listBlobs(container, path, pageSize)).filter((b) => !b.isFolderMarker);
  const exact = blobs.find((b) => b.name === path);
  if (exact && !folderHint) {
    return { layout: "file", files: [{ relPath: path.split("/").pop()!, blobName: exact.name, size: exact.size, md5: exact.md5 }] };
  }
  const files = blobs
    .filter((b) => b.name.startsWith(path + "/"))
    .map((b) => ({ relPath: b.name.slice(path.length + 1), blobName: b.name, size: b.size, md5: b.md5 }))
    .sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return { layout: "folder", files };
}

/**
 * sha256 over each file's relative path, length and Content-MD5, in path order. A file without a
 * recorded MD5 contributes its length only: the service has nothing better without reading bytes.
 */
export function contentHash(files: Pick<ModelFile, "relPath" | "size" | "md5">[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0))) {
    h.update(`${f.relPath}\t${f.size}\t${f.md5 ?? "-"}\n`);
  }
  return `sha256:${h.digest("hex")}`;
}

export interface SourceAccess {
  service: BlobServiceClient;
  accountName: string;
  /** When the caller holds the account key, SAS is signed with it directly. */
  sharedKey?: StorageSharedKeyCredential;
  /** Fallback key when Azure AD may not issue a user delegation key; undefined if unavailable. */
  fetchAccountKey?: () => Promise<StorageSharedKeyCredential | undefined>;
}

/**
 * Signs short-lived read-only SAS URLs for source blobs: a user-delegation SAS when the caller
 * signs in with Azure AD (no account key leaves the service), an account-key SAS otherwise.
 */
export class SourceSigner {
  private key?: Promise<{ udk?: UserDelegationKey; sharedKey?: StorageSharedKeyCredential }>;
  private readonly containers = new Map<string, ContainerClient>();
  constructor(
    private readonly access: SourceAccess,
    private readonly lifetimeMs: number,
  ) {}

  private signingKey() {
    this.key ??= (async () => {
      if (this.access.sharedKey) return { sharedKey: this.access.sharedKey };
      const startsOn = new Date(Date.now() - 5 * 60_000); // clock skew between client and service
      // A SAS never outlives its key: late signatures are capped at the key's expiry.
      const expiresOn = new Date(Date.now() + this.lifetimeMs + 15 * 60_000);
      try {
        const res = await this.access.service.getUserDelegationKey(startsOn, expiresOn);
        return { udk: res };
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        const fallback = status === 403 || status === 400 ? await this.access.fetchAccountKey?.() : undefined;
        if (fallback) return { sharedKey: fallback };
        throw new Error(
          `cannot sign a read SAS for storage account '${this.access.accountName}': Azure AD user delegation failed ` +
            `(${(err as Error).message}) and no usable account key is available (none may be listed, or shared keys are disabled on the account); ` +
            `grant the deploying identity 'Storage Blob Data Reader' on the source account (user delegation)`,
          { cause: err },
        );
      }
    })();
    return this.key;
  }

  async readUrl(containerName: string, blobName: string): Promise<string> {
    const { BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol } = storageBlob();
    const { udk, sharedKey } = await this.signingKey();
    // One container client for all of a model's files: each client builds its own request pipeline.
    let container = this.containers.get(containerName);
    if (!container) this.containers.set(containerName, (container = this.access.service.getContainerClient(containerName)));
    const blob = container.getBlobClient(blobName);
    const values = {
      containerName,
      blobName,
      permissions: BlobSASPermissions.parse("r"),
      startsOn: new Date(Date.now() - 5 * 60_000),
      expiresOn: new Date(Math.min(Date.now() + this.lifetimeMs, udk ? udk.signedExpiresOn.getTime() : Infinity)),
      protocol: blob.url.startsWith("https:") ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    };
    const sas = udk
      ? generateBlobSASQueryParameters(values, udk, this.access.accountName)
      : generateBlobSASQueryParameters(values, sharedKey!);
    return `${blob.url}?${sas.toString()}`;
  }
}

/** The problem reported for a blob under a promoted folder that the model does not contain. */
export const EXTRA_FILE = "not part of the model";

export interface FileCheck {
  relPath: string;
  problem: string;
}

/**
 * Compares the blobs under `targetFolder` with the expected files; extra blobs count as problems.
 * `promotedEtags` (relative path → ETag recorded right after the verified copy) catches a file
 * rewritten with the same length and a forged Content-MD5 property (`x-ms-blob-content-md5` is
 * stored as sent, not checked against the body), without reading a byte of it. Returns the problems
 * and the ETag of every file as that same listing saw it: what a promotion records once the folder
 * verifies, with no second listing (nor a moment between the check and the record in which a
 * rewrite would be taken for the promoted file).
 */
export async function verifyTargetFolder(
  target: ContainerClient,
  targetFolder: string,
  expected: ModelFile[],
  { promotedEtags, pageSize = LIST_PAGE_SIZE }: { promotedEtags?: Record<string, string>; pageSize?: number } = {},
): Promise<{ problems: FileCheck[]; etags: Record<string, string> }> {
  const listed = new Map((await listBlobs(target, targetFolder + "/", pageSize)).filter((b) => !b.isFolderMarker).map((b) => [b.name.slice(targetFolder.length + 1), b]));
  const etags: Record<string, string> = {};
  for (const [relPath, b] of listed) if (b.etag) etags[relPath] = b.etag;
  const problems: FileCheck[] = [];
  for (const f of expected) {
    const t = listed.get(f.relPath);
    listed.delete(f.relPath);
    if (!t) problems.push({ relPath: f.relPath, problem: "missing" });
    else if (t.copyStatus && t.copyStatus !== "success") problems.push({ relPath: f.relPath, problem: `copy ${t.copyStatus}` });
    else if (t.size !== f.size) problems.push({ relPath: f.relPath, problem: `length ${t.size}, expected ${f.size}` });
    else if (f.md5 && t.md5 !== f.md5) problems.push({ relPath: f.relPath, problem: `Content-MD5 ${t.md5 ?? "none"}, expected ${f.md5}` });
    else if (promotedEtags?.[f.relPath] && t.etag !== promotedEtags[f.relPath]) {
      problems.push({ relPath: f.relPath, problem: `rewritten after promotion (ETag ${t.etag}, promoted ${promotedEtags[f.relPath]})` });
    }
  }
  for (const extra of listed.keys()) problems.push({ relPath: extra, problem: EXTRA_FILE });
  return { problems, etags };
}

/** Lists what is under a promoted folder as model files (for drift checks on `read`). */
export async function listTargetFiles(target: ContainerClient, targetFolder: string, pageSize = LIST_PAGE_SIZE): Promise<ModelFile[]> {
  return (await listBlobs(target, targetFolder + "/", pageSize))
    .filter((b) => !b.isFolderMarker)
    .map((b) => ({ relPath: b.name.slice(targetFolder.length + 1), blobName: b.name, size: b.size, md5: b.md5, etag: b.etag }));
}

export interface CopyPlan {
  /** Files to copy (those missing or different in the target). */
  files: ModelFile[];
  sourceContainer: string;
  signer: SourceSigner;
  target: ContainerClient;
  targetFolder: string;
  concurrency: number;
  pollIntervalMs: number;
  syncCopyLimitBytes: number;
}

export interface CopyReport {
  copied: string[];
  failed: FileCheck[];
}

/**
 * Copies files server-side with at most `concurrency` copies in flight. Failures are collected,
 * not thrown, so the files that did copy stay and a rerun only copies the rest.
 */
export async function copyFiles(plan: CopyPlan): Promise<CopyReport> {
  const queue = [...plan.files];
  const report: CopyReport = { copied: [], failed: [] };
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      try {
        const sourceUrl = await plan.signer.readUrl(plan.sourceContainer, f.blobName);
        const blob = plan.target.getBlockBlobClient(`${plan.targetFolder}/${f.relPath}`);
        if (f.size <= plan.syncCopyLimitBytes) {
          const md5 = f.md5 ? new Uint8Array(Buffer.from(f.md5, "base64")) : undefined;
          // The service checks the source against this MD5 while copying.
          const res = await blob.syncCopyFromURL(sourceUrl, md5 ? { sourceContentMD5: md5 } : {});
          if (res.copyStatus !== "success") throw new Error(`copy status ${res.copyStatus}`);
        } else {
          const poller = await blob.beginCopyFromURL(sourceUrl, { intervalInMs: plan.pollIntervalMs });
          const res = await poller.pollUntilDone();
          if (res.copyStatus !== "success") throw new Error(`copy status ${res.copyStatus}`);
        }
        report.copied.push(f.relPath);
      } catch (err) {
        report.failed.push({ relPath: f.relPath, problem: (err as Error).message.split("\n")[0] });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(plan.concurrency, queue.length)) }, worker));
  return report;
}
