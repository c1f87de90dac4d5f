import type { ContainerClient } from "@azure/storage-blob";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ArmRest, RequestSender } from "../shared/armRest";
import { AzureClientOptions, blobServiceClient, defaultCredential, mlWorkspacesClient } from "../shared/azure";
import type { CodePlan } from "./assetPlans";
import type { AssetRequest } from "./restBodies";
import { settleAll } from "../shared/settleAll";
import { snapshotFolder } from "./snapshot";

/**
 * Making code and environment assets exist as planned, for the dynamic providers that publish them
 * (the pipeline publisher, the serving component's scoring assets): upload only the snapshot files
 * storage lacks, PUT an asset only when the live one differs. Azure SDKs are reached through the
 * client layer's factories, called inside methods, as Pulumi's closure serialization requires
 * (docs/architecture.md, "Dynamic providers").
 */

/** Clients a publishing provider talks through; tests inject ones aimed at local servers. */
export interface AssetClients {
  /** Anything with an Azure SDK pipeline (`AzureMachineLearningWorkspaces` by default). */
  arm(endpoint: string, subscriptionId: string): RequestSender;
  container(blobEndpoint: string, container: string): ContainerClient;
}

export type DefaultClientOptions = Pick<AzureClientOptions, "credential" | "armPolicies">;

/** The clients the providers use in production: the shared Azure client layer (components/shared/azure.ts). */
export function defaultClients(options: DefaultClientOptions = {}): AssetClients {
  const credential = () => options.credential ?? defaultCredential();
  return {
    arm: (endpoint, subscriptionId) => mlWorkspacesClient(subscriptionId, endpoint, { credential: credential(), armPolicies: options.armPolicies }),
    container: (blobEndpoint, name) => blobServiceClient(blobEndpoint, credential()).getContainerClient(name),
  };
}

/** Why a live asset is not what the request would publish, or null when it is. */
export function assetProblem(r: AssetRequest, live: any): string | null {
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

/** Files stored under a code snapshot's prefix, with the sha256 recorded when each was uploaded. */
export async function storedFiles(container: ContainerClient, code: CodePlan): Promise<Map<string, string | undefined>> {
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
  await settleAll(
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
