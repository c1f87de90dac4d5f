import type { Harness } from "../../tests/pipelines/publisher/publisherHarness";

/** Azure ML and storage calls, split into reads and writes, that one phase of publishing made. */
export interface CallCounts {
  reads: number;
  writes: number;
}

/** Runs `work` with fresh request records and counts what it sent to both local servers. */
export async function countPublishCalls(h: Harness, work: () => Promise<void>): Promise<CallCounts> {
  h.clearRecords();
  await work();
  return {
    reads: h.aml.reads().length + h.blobRequests().filter((r) => r.method === "GET" || r.method === "HEAD").length,
    writes: h.aml.writes().length + h.blobWrites().length,
  };
}
