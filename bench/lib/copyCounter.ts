import type { CompatResponse, RequestPolicy, RequestPolicyFactory, WebResourceLike } from "@azure/core-http-compat";
import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { ByteCounter } from "../benchmarks/model-copy";

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

/** What a copy client's pipeline counted: model bytes through it, and copy requests. */
export interface CopyCounters {
  bytes: ByteCounter;
  copies: { copies: number };
}

export function copyCounters(): CopyCounters {
  return { bytes: new ByteCounter(), copies: { copies: 0 } };
}

/**
 * The storage client both sides of `model-copy-scale` copy through (bench/lib/promoteChild.ts, the
 * provider's; bench/lib/directCopyChild.ts, the baseline): the same retries and the same counting
 * policies, so the bench's own instrumentation costs both alike.
 */
export function countedBlobService(url: string, credential: StorageSharedKeyCredential, counters: CopyCounters): BlobServiceClient {
  const { BlobServiceClient, newPipeline } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const pipeline = newPipeline(credential, { retryOptions: { maxTries: 4, retryDelayInMs: 100 } });
  pipeline.factories.push(counters.bytes.factory(), copyCounter(counters.copies));
  return new BlobServiceClient(url, pipeline);
}
