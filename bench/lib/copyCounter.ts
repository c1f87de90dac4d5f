import type { CompatResponse, RequestPolicy, RequestPolicyFactory, WebResourceLike } from "@azure/core-http-compat";

/** Counts copy requests (`x-ms-copy-source` header) at the HTTP layer of a storage pipeline. */
export function copyCounter(counter: { copies: number }): RequestPolicyFactory {
  return {
    create(next: RequestPolicy): RequestPolicy {
      return {
        sendRequest(req: WebResourceLike): Promise<CompatResponse> {
          if (req.headers.get("x-ms-copy-source")) counter.copies++;
          return next.sendRequest(req);
        },
      };
    },
  };
}
