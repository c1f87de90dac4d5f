import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * Raw-JSON calls to Azure Resource Manager for the serving providers (no model mapping drops unknown
 * fields), on the Azure SDK pipeline.
 */

/** Same api-version azure-native 3.x uses for Microsoft.MachineLearningServices. */
export const ENDPOINT_API_VERSION = "2025-12-01";
export const AZURE_PUBLIC_ARM = "https://management.azure.com";

export interface ArmResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
}

/** The few ARM calls the providers make, as raw JSON. */
export interface ArmJsonClient {
  /** `headers` adds request headers (e.g. `azureml-model-deployment` on a batch invocation). */
  send(method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE", url: string, body?: unknown, headers?: Record<string, string>): Promise<ArmResponse>;
}

export type ArmClientFactory = (armEndpoint: string) => ArmJsonClient;

export interface ArmJsonClientOptions {
  credential?: TokenCredential;
  /** Extra pipeline policies, e.g. one that trusts a local test server's certificate. */
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/**
 * A raw-JSON ARM client on the Azure SDK pipeline: bearer token for the endpoint's audience, and the
 * pipeline's own retries for 429 (honouring Retry-After), 5xx and connection resets.
 */
export function createArmJsonClient(armEndpoint: string, options: ArmJsonClientOptions = {}): ArmJsonClient {
  const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const credential = options.credential ?? new (require("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
  const origin = armEndpoint.replace(/\/$/, "");
  const pipeline = rest.createPipelineFromOptions({ retryOptions: options.retryOptions });
  pipeline.addPolicy(rest.bearerTokenAuthenticationPolicy({ credential, scopes: `${origin}/.default` }));
  for (const p of options.additionalPolicies ?? []) pipeline.addPolicy(p.policy, { phase: p.position === "perCall" ? undefined : "Retry" });
  // Retry-After is honoured, but never beyond the cap (components/shared/retryAfterCap.ts).
  pipeline.addPolicy((require("../shared/retryAfterCap") as typeof import("../shared/retryAfterCap")).retryAfterCapPolicy(), { afterPhase: "Retry" });
  const httpClient = rest.createDefaultHttpClient();
  return {
    async send(method, url, body, headers) {
      const request = rest.createPipelineRequest({ url, method, headers: rest.createHttpHeaders({ "content-type": "application/json", accept: "application/json", ...headers }) });
      if (body !== undefined) request.body = JSON.stringify(body);
      const response = await pipeline.sendRequest(httpClient, request);
      const text = response.bodyAsText ?? "";
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = { raw: text };
      }
      return { status: response.status, headers: response.headers.toJSON(), body: parsed };
    },
  };
}

export function defaultArmClientFactory(armEndpoint: string): ArmJsonClient {
  return createArmJsonClient(armEndpoint);
}
