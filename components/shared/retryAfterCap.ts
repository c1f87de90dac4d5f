/**
 * A bound on how long any Azure call may be told to wait. The Azure SDK's retry policy honours
 * `Retry-After` (and `retry-after-ms`, `x-ms-retry-after-ms`) on 429 and 503 without any upper bound
 * (`throttlingRetryStrategy` in @typespec/ts-http-runtime, used by @azure/core-rest-pipeline 1.25):
 * `maxRetryDelayInMs` caps only the exponential backoff. So a `Retry-After: 3600` would block a
 * command or a `pulumi up` for an hour. This policy, placed per retry (inside the retry loop), ends
 * the call instead, with a message saying how long Azure asked for and what the limit is.
 *
 * Loaded with `require()` by dynamic providers: it imports nothing at module level except types.
 */
import type { AdditionalPolicyConfig } from "@azure/core-client";
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";

/** Longest wait accepted from a single Retry-After (ms). */
export const MAX_RETRY_AFTER_MS = 60_000;

export const RETRY_AFTER_CAP_POLICY = "retryAfterCapPolicy";

/** What the server asked for, in ms, or undefined when the response asks for no wait. */
export function requestedWaitMs(response: PipelineResponse, now = Date.now()): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  for (const [header, factor] of [["retry-after-ms", 1], ["x-ms-retry-after-ms", 1], ["retry-after", 1000]] as const) {
    const raw = response.headers.get(header)?.trim();
    if (!raw) continue;
    if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * factor;
    if (header === "retry-after") {
      const date = Date.parse(raw);
      if (Number.isFinite(date)) return Math.max(0, date - now);
    }
  }
  return undefined;
}

export function retryAfterCapPolicy(maxMs = MAX_RETRY_AFTER_MS): PipelinePolicy {
  return {
    name: RETRY_AFTER_CAP_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      const wait = requestedWaitMs(response);
      if (wait !== undefined && wait > maxMs) {
        const { RestError } = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
        const url = request.url.split("?")[0];
        throw new RestError(
          `Azure answered ${response.status} to ${request.method} ${url} and asked to retry after ${Math.ceil(wait / 1000)} s, ` +
            `longer than the ${Math.round(maxMs / 1000)} s this tool waits: stopped instead of hanging. Try again later.`,
          // No `response` attached: the retry policy would read its Retry-After and wait anyway.
          { code: "RetryAfterTooLong", statusCode: response.status, request },
        );
      }
      return response;
    },
  };
}

/** For `additionalPolicies` of an Azure SDK client: runs on every try, inside the retry loop. */
export function retryAfterCap(maxMs = MAX_RETRY_AFTER_MS): AdditionalPolicyConfig {
  return { policy: retryAfterCapPolicy(maxMs), position: "perRetry" };
}
