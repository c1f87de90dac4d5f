/**
 * The Azure clients promotion needs, behind a factory so tests can aim the same provider at
 * local servers. The default signs in with `DefaultAzureCredential`; SDK modules are loaded with
 * `require()` inside functions so the provider serializes as a Pulumi dynamic provider.
 */
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { API_VERSIONS, ARM_RETRY, armPipeline, AzureClientOptions, blobServiceClient, defaultCredential, mlWorkspacesClient, STORAGE_RETRY } from "../shared/azure";
import type { RegistryClient } from "./registryClient";

export interface BlobAccess {
  service: BlobServiceClient;
  /** Present when the caller signs with the account key (emulators, key-based setups). */
  sharedKey?: StorageSharedKeyCredential;
}

export interface PromotionClients {
  ml(subscriptionId: string): AzureMachineLearningWorkspaces;
  /** Authenticated blob client for an account at its endpoint URL. */
  blob(accountName: string, blobEndpoint: string): BlobAccess;
  /**
   * The account key, fetched through ARM, for an account-key SAS when Azure AD refuses a user
   * delegation key. Resolves undefined when the caller may not list keys.
   */
  accountKey?(storageAccountId: string, accountName: string): Promise<StorageSharedKeyCredential | undefined>;
  /** Azure ML registry calls (registry strategy): ARM reads and the data-plane import. */
  registry?(): RegistryClient;
  /** Interval for polling asynchronous copies (and registry operations, jobs). */
  pollIntervalMs?: number;
  /** Largest file copied with the synchronous Copy Blob From URL (default: its 256 MiB limit). */
  syncCopyLimitBytes?: number;
  /** Blobs per List Blobs page (default: the service's 5,000, `LIST_PAGE_SIZE`). */
  listPageSize?: number;
}

export interface ClientSettings {
  armEndpoint: string;
}

export type PromotionClientFactory = (settings: ClientSettings) => PromotionClients;

/** The shared retries (components/shared/azure.ts), named here for the promotion tests. */
export { ARM_RETRY, STORAGE_RETRY };

export function azureClients(settings: ClientSettings, options: Pick<AzureClientOptions, "credential" | "armPolicies"> = {}): PromotionClients {
  const cred = options.credential ?? defaultCredential();
  const mlClients = new Map<string, AzureMachineLearningWorkspaces>();
  return {
    ml(subscriptionId) {
      let client = mlClients.get(subscriptionId);
      if (!client) {
        client = mlWorkspacesClient(subscriptionId, settings.armEndpoint, { credential: cred, armPolicies: options.armPolicies });
        mlClients.set(subscriptionId, client);
      }
      return client;
    },
    blob(_accountName, blobEndpoint) {
      return { service: blobServiceClient(blobEndpoint, cred) };
    },
    registry() {
      const { restRegistryClient } = require("./registryClient") as typeof import("./registryClient");
      return restRegistryClient({ credential: cred, armEndpoint: settings.armEndpoint, armPolicies: options.armPolicies, retryOptions: ARM_RETRY });
    },
    async accountKey(storageAccountId, accountName) {
      const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
      const { StorageSharedKeyCredential } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
      const pipeline = armPipeline(settings.armEndpoint, { credential: cred, armPolicies: options.armPolicies });
      const url = (suffix: string) => `${settings.armEndpoint.replace(/\/+$/, "")}${storageAccountId}${suffix}?api-version=${API_VERSIONS.storage}`;
      // An account with shared keys disabled still lists its keys, but refuses every SAS signed with them.
      const account = await pipeline.sendRequest(rest.createPipelineRequest({ url: url(""), method: "GET" }));
      if (account.status === 200 && account.bodyAsText && JSON.parse(account.bodyAsText).properties?.allowSharedKeyAccess === false) return undefined;
      const response = await pipeline.sendRequest(rest.createPipelineRequest({ url: url("/listKeys"), method: "POST" }));
      if (response.status !== 200 || !response.bodyAsText) return undefined;
      const keys = (JSON.parse(response.bodyAsText).keys ?? []) as { value?: string; permissions?: string }[];
      const key = keys.find((k) => (k.permissions ?? "").toLowerCase() === "full" && k.value) ?? keys.find((k) => k.value);
      return key?.value ? new StorageSharedKeyCredential(accountName, key.value) : undefined;
    },
  };
}
