/**
 * Shared setup for publisher tests and the publish-noop benchmark: the local Azure ML server with a
 * seeded workspace, Azurite with the workspace's default container, a forward proxy that records the
 * client's blob requests, and a copy of the step code that tests may change.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { startAzurite, Azurite, AzuriteOptions } from "../../support/azurite";
import { startForwardProxy, ForwardProxy } from "../../support/forwardProxy";
import { pipelineDefinitions } from "../../../pipelines/definitions";
import { buildPublishPlan } from "../../../pipelines/publisher/plan";
import {
  PublishedPipelineInputs,
  PublishedPipelineProvider,
  publishedIds,
  clusterSummary,
} from "../../../pipelines/publisher/provider";
import { publishedAssetTags } from "../../../pipelines/publisher/resource";
import type { ClusterMap } from "../../../pipelines/spec/types";

export const ws = { subscriptionId: "00000000-1111-2222-3333-444444444444", resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" };
export const clusters: ClusterMap = { cpu: { name: "mlops-dev-cpu", kind: "cpu" }, gpu: { name: "mlops-dev-gpu", kind: "gpu" } };
export const CONTAINER = "azureml-blobstore-test";

export interface Harness {
  aml: AmlServer;
  azurite: Azurite;
  proxy: ForwardProxy;
  /** Project-like folder with a copy of `pipelines/steps`. */
  root: string;
  container: ContainerClient;
  provider: PublishedPipelineProvider;
  /** The blob container client the harness's provider uses (Azurite through the recording proxy). */
  containerFor(blobEndpoint: string, container: string): ContainerClient;
  inputs(definition: string, branch?: { name: string; slug: string } | null): PublishedPipelineInputs;
  /** Blob requests the provider made (through the proxy). */
  blobRequests(): { method: string; url: string }[];
  blobWrites(): { method: string; url: string }[];
  clearRecords(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra Azurite options (e.g. `location`, so blobs survive `azurite.kill()` and `restart()`). */
  azurite?: Omit<AzuriteOptions, "accounts">;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [aml, azurite, proxy] = await Promise.all([startAmlServer(), startAzurite({ ...options.azurite, accounts: ["devstore"] }), startForwardProxy()]);
  aml.seedWorkspace({ ...ws, storageAccountName: "devstore", blobContainerName: CONTAINER });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-publish-"));
  fs.cpSync(path.resolve(__dirname, "../../../pipelines/steps"), path.join(root, "pipelines/steps"), { recursive: true });
  await azurite.serviceClient("devstore").getContainerClient(CONTAINER).create();
  const blobEndpoint = azurite.blobEndpoint("devstore");

  // The SDK's own number of tries (the outage tests cut storage off for longer than that), with the
  // short waits of the promotion harness: against a local server the SDK's 4 s and 12 s only sleep.
  const blobRetry = { maxTries: 4, retryDelayInMs: 20, maxRetryDelayInMs: 100 };
  const containerFor = (endpoint: string, name: string) => {
    if (endpoint !== blobEndpoint) throw new Error(`unexpected blob endpoint ${endpoint}`);
    return azurite.serviceClient("devstore", { proxyOptions: proxy.proxyOptions, retryOptions: blobRetry }).getContainerClient(name);
  };
  const provider = new PublishedPipelineProvider({
    root,
    clients: {
      arm: (endpoint, subscriptionId) => {
        if (endpoint !== aml.url) throw new Error(`unexpected ARM endpoint ${endpoint}`);
        return aml.client(subscriptionId);
      },
      container: containerFor,
    },
  });

  const isBlob = (r: { url: string }) => r.url.includes(`/devstore/${CONTAINER}`);
  return {
    aml,
    azurite,
    proxy,
    root,
    container: azurite.serviceClient("devstore").getContainerClient(CONTAINER),
    provider,
    containerFor,
    inputs(definition, branch = null) {
      const plan = buildPublishPlan({ definition: pipelineDefinitions[definition], clusters, branch, definitions: pipelineDefinitions, root });
      return {
        plan,
        workspace: { ...ws },
        storage: { blobEndpoint, container: CONTAINER },
        armEndpoint: aml.url,
        tags: publishedAssetTags({ tags: { environment: "dev" }, stack: branch ? "branch-x" : "dev", branch, definition: pipelineDefinitions[definition] }),
        ...publishedIds(ws, plan),
        clusterNames: clusterSummary(plan),
      };
    },
    blobRequests: () => proxy.requests.filter(isBlob),
    blobWrites: () => proxy.requests.filter((r) => isBlob(r) && r.method !== "GET" && r.method !== "HEAD"),
    clearRecords() {
      aml.clearRequests();
      proxy.reset();
    },
    async close() {
      await Promise.all([aml.close(), azurite.stop(), proxy.close()]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
