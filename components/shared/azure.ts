/**
 * The one Azure client layer of the dynamic providers and the tools: the ARM endpoint default, one
 * retry policy for ARM and one for storage, the api-version of each resource family, and the clients
 * built on them. Every client retries on the Azure SDK pipeline's own policy (429 honouring
 * Retry-After, 5xx, connection resets; `@azure/core-rest-pipeline` `createPipelineFromOptions`) and
 * never waits longer than the Retry-After cap (`retryAfterCap.ts`).
 *
 * SDK modules are loaded with `require()` inside the functions: dynamic providers are serialized
 * into state, and module-level SDK imports do not serialize (docs/architecture.md, "Dynamic providers").
 */
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import type { TokenCredential } from "@azure/core-auth";
import type { AdditionalPolicyConfig } from "@azure/core-client";
import type { HttpClient, Pipeline, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { BlobServiceClient } from "@azure/storage-blob";
import { retryAfterCap } from "./retryAfterCap";

/** Azure Resource Manager of Azure's public cloud; sovereign clouds and test servers pass their own. */
export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";

/**
 * The api-version of each resource family the project calls directly (the SDK clients pin their own:
 * `@azure/arm-machinelearning` 2.1.1 sends 2022-10-01).
 */
export const API_VERSIONS = {
  /** Azure ML assets (codes, environments, components) and jobs, sent as written (components/shared/armRest.ts says why). */
  machineLearningAssets: "2024-10-01",
  /** Azure ML online and batch endpoints and their deployments: the version azure-native 3.x uses. */
  machineLearningEndpoints: "2025-12-01",
  /** Azure ML registries and their model versions (ARM). */
  machineLearningRegistries: "2024-04-01",
  /** The registry data plane's `import` (what `az ml model share` calls): the only version it serves. */
  machineLearningRegistryDataPlane: "2021-10-01-dataplanepreview",
  /** The workspace run history (data plane, `https://ml.azure.com`). */
  machineLearningRunHistory: "v1.0",
  /** Microsoft.Storage storage accounts (`listKeys`). */
  storage: "2023-05-01",
} as const;

/** Every ARM call: six retries with exponential backoff from 1 s up to 30 s. */
export const ARM_RETRY = { maxRetries: 6, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };
/** Every blob call: the same six retries (`maxTries` counts the first attempt). */
export const STORAGE_RETRY = { maxTries: 7, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 };

export interface AzureClientOptions {
  /** Default `DefaultAzureCredential`. */
  credential?: TokenCredential;
  /** Extra policies for ARM requests (a corporate proxy's, a test server's certificate trust). */
  armPolicies?: AdditionalPolicyConfig[];
  /** Shorter waits for tests against local servers; default `ARM_RETRY`. */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

export function defaultCredential(): TokenCredential {
  return new (require("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
}

/** The policies every ARM client adds: the caller's, then the Retry-After cap (inside the retry loop). */
export function armPolicies(extra: AdditionalPolicyConfig[] = []): AdditionalPolicyConfig[] {
  return [...extra, retryAfterCap()];
}

/** The Azure ML management client (`@azure/arm-machinelearning`) with the shared retries and cap. */
export function mlWorkspacesClient(subscriptionId: string, armEndpoint: string, options: AzureClientOptions = {}): AzureMachineLearningWorkspaces {
  const { AzureMachineLearningWorkspaces } = require("@azure/arm-machinelearning") as typeof import("@azure/arm-machinelearning");
  return new AzureMachineLearningWorkspaces(options.credential ?? defaultCredential(), subscriptionId, {
    endpoint: armEndpoint,
    retryOptions: options.retryOptions ?? ARM_RETRY,
    additionalPolicies: armPolicies(options.armPolicies),
  });
}

/** A blob service client with the shared storage retries. */
export function blobServiceClient(blobEndpoint: string, credential: TokenCredential): BlobServiceClient {
  const { BlobServiceClient } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  return new BlobServiceClient(blobEndpoint, credential, { retryOptions: STORAGE_RETRY });
}

/**
 * Anything that sends a request through an Azure SDK pipeline: an SDK `ServiceClient` (its
 * credential, retries and policies) or `armPipeline`.
 */
export interface RequestSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * Raw requests to ARM (or another Azure API, e.g. `https://ml.azure.com`): a bearer token for that
 * audience, the shared retries and cap.
 */
export function armPipeline(armEndpoint: string, options: AzureClientOptions = {}): RequestSender {
  const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const credential = options.credential ?? defaultCredential();
  const pipeline: Pipeline = rest.createPipelineFromOptions({ retryOptions: options.retryOptions ?? ARM_RETRY });
  pipeline.addPolicy(rest.bearerTokenAuthenticationPolicy({ credential, scopes: `${armEndpoint.replace(/\/+$/, "")}/.default` }));
  for (const p of armPolicies(options.armPolicies)) pipeline.addPolicy(p.policy, p.position === "perRetry" ? { afterPhase: "Retry" } : {});
  const http: HttpClient = rest.createDefaultHttpClient();
  return { sendRequest: (request) => pipeline.sendRequest(http, request) };
}

/**
 * One JSON request to ARM through a sender: the body as written, the answer parsed (text when not
 * JSON); `extraHeaders` adds request headers (e.g. `If-Match`, `azureml-model-deployment`).
 */
export async function sendArmJson(sender: RequestSender, method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ArmJsonResponse> {
  const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const headers = rest.createHttpHeaders({ accept: "application/json", ...extraHeaders });
  if (body !== undefined) headers.set("content-type", "application/json; charset=utf-8");
  const request = rest.createPipelineRequest({ url, method: method as PipelineRequest["method"], headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const response = await sender.sendRequest(request);
  let parsed: unknown;
  if (response.bodyAsText) {
    try {
      parsed = JSON.parse(response.bodyAsText);
    } catch {
      parsed = response.bodyAsText;
    }
  }
  return { status: response.status, headers: response.headers.toJSON(), body: parsed };
}

/** A raw ARM answer as the JSON clients return it. */
export interface ArmJsonResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
}

/** Longest wait between two polls that a `Retry-After` may ask for (s). */
export const MAX_POLL_WAIT_SECONDS = 30;

/**
 * Waits for an ARM long-running operation with `@azure/core-lro`, which follows ARM's LRO contract
 * (`Azure-AsyncOperation` / `Operation-Location` status, `Location` 202s, `provisioningState` in the
 * body; "Azure Resource Manager asynchronous operations" on Microsoft Learn), honouring `Retry-After`
 * up to `MAX_POLL_WAIT_SECONDS`. Fails with the operation's error, or after `maxPolls` polls.
 */
export async function waitForArmOperation(
  get: (url: string) => Promise<ArmJsonResponse>,
  initial: { method: string; url: string; response: ArmJsonResponse },
  options: { what: string; intervalInMs?: number; maxPolls?: number },
): Promise<void> {
  const { createHttpPoller } = require("@azure/core-lro") as typeof import("@azure/core-lro");
  const maxPolls = options.maxPolls ?? 720;
  let polls = 0;
  const toLro = (r: ArmJsonResponse) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k.toLowerCase()] = v;
    const asked = Number(headers["retry-after"]);
    if (Number.isFinite(asked)) headers["retry-after"] = String(Math.min(asked, MAX_POLL_WAIT_SECONDS));
    return { flatResponse: r.body, rawResponse: { statusCode: r.status, headers, body: r.body } };
  };
  try {
    const poller = await createHttpPoller(
      {
        requestMethod: initial.method,
        requestPath: initial.url,
        sendInitialRequest: async () => toLro(initial.response),
        sendPollRequest: async (url: string) => {
          if (++polls > maxPolls) throw new Error(`did not finish after ${maxPolls} polls`);
          const r = await get(url);
          if (r.status >= 400) throw new Error(`poll answered ${r.status}: ${r.body?.error?.message ?? "no details"}`);
          return toLro(r);
        },
      },
      { intervalInMs: options.intervalInMs },
    );
    await poller.pollUntilDone();
  } catch (err) {
    throw new Error(`${options.what}: ${(err as Error).message}`, { cause: err });
  }
}
