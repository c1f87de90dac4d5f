/**
 * The Azure clients promotion needs, behind a factory so tests can aim the same provider at
 * local servers. The default signs in with `DefaultAzureCredential`; SDK modules are loaded with
 * `require()` inside functions so the provider serializes as a Pulumi dynamic provider.
 */
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { AdditionalPolicyConfig } from "@azure/core-client";
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
}

export interface ClientSettings {
  armEndpoint: string;
}

export type PromotionClientFactory = (settings: ClientSettings) => PromotionClients;

/** Retries ride on the SDK pipelines: Retry-After honoured for 429/503, exponential backoff otherwise. */
export const ARM_RETRY = { maxRetries: 6, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };
export const STORAGE_RETRY = { maxTries: 6, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };
const STORAGE_API_VERSION = "2023-05-01";

export interface AzureClientOptions {
  /** Default `DefaultAzureCredential`. */
  credential?: TokenCredential;
  /** Extra policies for Azure Resource Manager requests (a corporate proxy's, a test server's trust). */
  armPolicies?: AdditionalPolicyConfig[];
}

export function azureClients(settings: ClientSettings, options: AzureClientOptions = {}): PromotionClients {
  const cred = options.credential ?? new (require("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
  // Retry-After capped on every ARM call (components/shared/retryAfterCap.ts).
  const armPolicies = [...(options.armPolicies ?? []), (require("../shared/retryAfterCap") as typeof import("../shared/retryAfterCap")).retryAfterCap()];
  const mlClients = new Map<string, AzureMachineLearningWorkspaces>();
  return {
    ml(subscriptionId) {
      let client = mlClients.get(subscriptionId);
      if (!client) {
        const { AzureMachineLearningWorkspaces } = require("@azure/arm-machinelearning") as typeof import("@azure/arm-machinelearning");
        client = new AzureMachineLearningWorkspaces(cred, subscriptionId, { endpoint: settings.armEndpoint, retryOptions: ARM_RETRY, additionalPolicies: armPolicies });
        mlClients.set(subscriptionId, client);
      }
      return client;
    },
    blob(_accountName, blobEndpoint) {
      const { BlobServiceClient } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
      return { service: new BlobServiceClient(blobEndpoint, cred, { retryOptions: STORAGE_RETRY }) };
    },
    registry() {
      const { restRegistryClient } = require("./registryClient") as typeof import("./registryClient");
      return restRegistryClient({ credential: cred, armEndpoint: settings.armEndpoint, armPolicies, retryOptions: ARM_RETRY });
    },
    async accountKey(storageAccountId, accountName) {
      const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
      const { StorageSharedKeyCredential } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
      const pipeline = rest.createPipelineFromOptions({ retryOptions: ARM_RETRY });
      pipeline.addPolicy(rest.bearerTokenAuthenticationPolicy({ credential: cred, scopes: `${settings.armEndpoint.replace(/\/+$/, "")}/.default` }));
      for (const p of armPolicies) pipeline.addPolicy(p.policy, p.position === "perRetry" ? { afterPhase: "Retry" } : {});
      const http = rest.createDefaultHttpClient();
      const url = (suffix: string) => `${settings.armEndpoint.replace(/\/+$/, "")}${storageAccountId}${suffix}?api-version=${STORAGE_API_VERSION}`;
      // An account with shared keys disabled still lists its keys, but refuses every SAS signed with them.
      const account = await pipeline.sendRequest(http, rest.createPipelineRequest({ url: url(""), method: "GET" }));
      if (account.status === 200 && account.bodyAsText && JSON.parse(account.bodyAsText).properties?.allowSharedKeyAccess === false) return undefined;
      const response = await pipeline.sendRequest(http, rest.createPipelineRequest({ url: url("/listKeys"), method: "POST" }));
      if (response.status !== 200 || !response.bodyAsText) return undefined;
      const keys = (JSON.parse(response.bodyAsText).keys ?? []) as { value?: string; permissions?: string }[];
      const key = keys.find((k) => (k.permissions ?? "").toLowerCase() === "full" && k.value) ?? keys.find((k) => k.value);
      return key?.value ? new StorageSharedKeyCredential(accountName, key.value) : undefined;
    },
  };
}
