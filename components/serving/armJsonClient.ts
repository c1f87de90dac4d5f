import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { armPipeline } from "../shared/azure";

/**
 * Raw-JSON calls to Azure Resource Manager for the serving providers (no model mapping drops unknown
 * fields), on the shared ARM pipeline (components/shared/azure.ts).
 */

export interface ArmResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
}

/** The few ARM calls the providers make, as raw JSON. */
export interface ArmJsonClient {
  send(method: "GET" | "PUT" | "POST" | "DELETE", url: string, body?: unknown): Promise<ArmResponse>;
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
  const pipeline = armPipeline(armEndpoint, { credential: options.credential, armPolicies: options.additionalPolicies, retryOptions: options.retryOptions });
  return {
    async send(method, url, body) {
      const request = rest.createPipelineRequest({ url, method, headers: rest.createHttpHeaders({ "content-type": "application/json", accept: "application/json" }) });
      if (body !== undefined) request.body = JSON.stringify(body);
      const response = await pipeline.send(request);
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
