/**
 * Two stacks' worth of Azure for promotion tests: Azurite with the dev and qa storage accounts
 * (client traffic through a forward proxy that can inject faults and shows every request), and
 * the local Azure ML server with a dev and a qa workspace whose `workspaceblobstore` datastores
 * point at those accounts.
 */
import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { startAzurite, Azurite, AzuriteOptions } from "../../support/azurite";
import { startAmlServer, AmlServer, AmlServerOptions } from "../../support/amlServer";
import { startForwardProxy, ForwardProxy } from "../../support/forwardProxy";
import { PromotedModelProvider } from "../../../components/modelPromotion/provider";
import type { PromotionClientFactory } from "../../../components/modelPromotion/clients";
import type { PromotedModelInputs } from "../../../components/modelPromotion/types";
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import type { WorkspaceRef } from "../../../shared/workspace";

export const DEV: WorkspaceRef = { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" };
export const QA: WorkspaceRef = { subscriptionId: "22222222-2222-2222-2222-222222222222", resourceGroupName: "rg-mlops-qa", workspaceName: "mlw-mlops-qa" };
/** A production environment: promotes what qa approved, copying from dev (never reaching qa). */
export const PROD: WorkspaceRef = { subscriptionId: "44444444-4444-4444-4444-444444444444", resourceGroupName: "rg-mlops-prod", workspaceName: "mlw-mlops-prod" };
export const PROD_ACCOUNT = "stmlopsprod";
export const PROD_CONTAINER = "azureml-blobstore-prod";
export const DEV_ACCOUNT = "stmlopsdev";
export const QA_ACCOUNT = "stmlopsqa";
export const DEV_CONTAINER = "azureml-blobstore-dev";
export const QA_CONTAINER = "azureml-blobstore-qa";

export interface Harness {
  azurite: Azurite;
  aml: AmlServer;
  proxy: ForwardProxy;
  provider: PromotedModelProvider;
  factory: PromotionClientFactory;
  ml(subscriptionId: string): AzureMachineLearningWorkspaces;
  devContainer: ContainerClient;
  qaContainer: ContainerClient;
  prodContainer: ContainerClient;
  /** Inputs for promoting `modelName` `version` from dev to qa. */
  inputs(modelName: string, version: string, extra?: Partial<PromotedModelInputs>): PromotedModelInputs;
  /** Uploads files into dev storage and registers the version in the dev workspace. */
  seedModel(name: string, version: string, files: Record<string, string | Buffer>, opts?: SeedOptions): Promise<string>;
  /** PUTs carrying `x-ms-copy-source` (server-side copies) seen since the last `proxy.reset()`. */
  copies(): string[];
  /** Model bytes that crossed the client's link: blob bodies downloaded or uploaded. */
  modelBodyRequests(): string[];
  resetCounters(): void;
  close(): Promise<void>;
}

export interface SeedOptions {
  tags?: Record<string, string>;
  /** `folder` (default) registers the folder; `file` registers the single file. */
  layout?: "folder" | "file";
  /** How the version's modelUri names its location. */
  uriForm?: "short" | "long" | "https";
  /** Blob folder in the dev container (default `models/<name>/<version>`). */
  folder?: string;
  createdAt?: string;
}

export const md5 = (data: string | Buffer) => createHash("md5").update(data).digest();

export interface HarnessOptions {
  /** Extra Azurite options (e.g. `location`, so blobs survive `azurite.kill()` and `restart()`). */
  azurite?: Omit<AzuriteOptions, "accounts">;
  /** More storage accounts (e.g. a registry's). */
  extraAccounts?: string[];
  /** Options of the local Azure ML server (e.g. what a registry import does with the files). */
  aml?: AmlServerOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [azurite, aml, proxy] = await Promise.all([
    startAzurite({ ...options.azurite, accounts: [DEV_ACCOUNT, QA_ACCOUNT, PROD_ACCOUNT, ...(options.extraAccounts ?? [])] }),
    startAmlServer(options.aml),
    startForwardProxy(),
  ]);
  aml.seedWorkspace({ ...DEV, storageAccountName: DEV_ACCOUNT, blobContainerName: DEV_CONTAINER });
  aml.seedWorkspace({ ...QA, storageAccountName: QA_ACCOUNT, blobContainerName: QA_CONTAINER });
  aml.seedWorkspace({ ...PROD, storageAccountName: PROD_ACCOUNT, blobContainerName: PROD_CONTAINER });

  const blobRetry = { maxTries: 4, retryDelayInMs: 20, maxRetryDelayInMs: 100 };
  const blobClient = (account: string) => azurite.serviceClient(account, { proxyOptions: proxy.proxyOptions, retryOptions: blobRetry });
  const mlClients = new Map<string, AzureMachineLearningWorkspaces>();
  const ml = (sub: string) => {
    if (!mlClients.has(sub)) mlClients.set(sub, aml.client(sub));
    return mlClients.get(sub)!;
  };
  const factory: PromotionClientFactory = () => ({
    ml,
    blob: (account) => ({ service: blobClient(account), sharedKey: azurite.credential(account) }),
    pollIntervalMs: 10,
  });
  const devContainer = azurite.serviceClient(DEV_ACCOUNT).getContainerClient(DEV_CONTAINER);
  const qaContainer = azurite.serviceClient(QA_ACCOUNT).getContainerClient(QA_CONTAINER);
  await devContainer.create();
  const prodContainer = azurite.serviceClient(PROD_ACCOUNT).getContainerClient(PROD_CONTAINER);
  await qaContainer.create();
  await prodContainer.create();

  const isCopy = (h: Record<string, unknown>) => typeof h["x-ms-copy-source"] === "string";
  return {
    azurite,
    aml,
    proxy,
    provider: new PromotedModelProvider(factory),
    factory,
    ml,
    devContainer,
    qaContainer,
    prodContainer,
    inputs: (modelName, version, extra = {}) => ({
      modelName,
      version,
      source: { ...DEV },
      target: { ...QA, datastoreName: "workspaceblobstore" },
      approvalTag: { key: "stage", value: "production" },
      targetPathPrefix: "promoted",
      armEndpoint: aml.url,
      blobEndpointTemplate: `${azurite.url}/{account}`,
      archiveOnDelete: true,
      copyConcurrency: 4,
      ...extra,
    }),
    async seedModel(name, version, files, opts = {}) {
      const folder = opts.folder ?? `models/${name}/${version}`;
      for (const [rel, content] of Object.entries(files)) {
        const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
        await devContainer.getBlockBlobClient(`${folder}/${rel}`).uploadData(data, { blobHTTPHeaders: { blobContentMD5: md5(data) } });
      }
      const path = opts.layout === "file" ? `${folder}/${Object.keys(files)[0]}` : folder;
      const modelUri =
        opts.uriForm === "long"
          ? `azureml://subscriptions/${DEV.subscriptionId}/resourcegroups/${DEV.resourceGroupName}/workspaces/${DEV.workspaceName}/datastores/workspaceblobstore/paths/${path}`
          : opts.uriForm === "https"
            ? `${azurite.blobEndpoint(DEV_ACCOUNT)}/${DEV_CONTAINER}/${path}`
            : `azureml://datastores/workspaceblobstore/paths/${path}${opts.layout === "file" ? "" : "/"}`;
      aml.seed(
        `${aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName)}/models/${name}/versions/${version}`,
        {
          properties: {
            modelUri,
            modelType: "custom_model",
            description: `${name} v${version}`,
            tags: { team: "churn", ...opts.tags },
            properties: { "azureml.runId": "run-1", framework: "sklearn" },
            isArchived: false,
          },
        },
        opts.createdAt,
      );
      return modelUri;
    },
    copies: () => proxy.requests.filter((r) => r.method === "PUT" && isCopy(r.headers) && !r.fault).map((r) => new URL(r.url).pathname),
    modelBodyRequests: () =>
      proxy.requests
        .filter((r) => {
          const u = new URL(r.url);
          const comp = u.searchParams.get("comp");
          const restype = u.searchParams.get("restype");
          if (restype) return false;
          if (r.method === "GET") return !comp;
          return r.method === "PUT" && !isCopy(r.headers) && (!comp || comp === "block");
        })
        .map((r) => `${r.method} ${new URL(r.url).pathname}`),
    resetCounters() {
      proxy.reset();
      aml.clearRequests();
    },
    async close() {
      await Promise.all([azurite.stop(), aml.close(), proxy.close()]);
    },
  };
}
