import { ArmJsonResponse, armPipeline, AzureClientOptions, sendArmJson } from "../shared/azure";

/**
 * Raw-JSON calls to Azure Resource Manager for the serving providers (no model mapping drops unknown
 * fields), on the shared ARM pipeline (components/shared/azure.ts).
 */

export type ArmResponse = ArmJsonResponse;

/** The few ARM calls the providers make, as raw JSON. */
export interface ArmJsonClient {
  /** `headers` adds request headers (e.g. `azureml-model-deployment` on a batch invocation). */
  send(method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE", url: string, body?: unknown, headers?: Record<string, string>): Promise<ArmResponse>;
}

export type ArmClientFactory = (armEndpoint: string) => ArmJsonClient;

export interface ArmJsonClientOptions extends Pick<AzureClientOptions, "credential" | "retryOptions"> {
  /** Extra pipeline policies, e.g. one that trusts a local test server's certificate. */
  additionalPolicies?: AzureClientOptions["armPolicies"];
}

/**
 * A raw-JSON ARM client on the Azure SDK pipeline: bearer token for the endpoint's audience, and the
 * pipeline's own retries for 429 (honouring Retry-After), 5xx and connection resets.
 */
export function createArmJsonClient(armEndpoint: string, options: ArmJsonClientOptions = {}): ArmJsonClient {
  const pipeline = armPipeline(armEndpoint, { credential: options.credential, armPolicies: options.additionalPolicies, retryOptions: options.retryOptions });
  return { send: (method, url, body, headers) => sendArmJson(pipeline, method, url, body, headers) };
}

export function defaultArmClientFactory(armEndpoint: string): ArmJsonClient {
  return createArmJsonClient(armEndpoint);
}
