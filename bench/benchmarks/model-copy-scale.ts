/**
 * `model-copy-scale`: promoting a model of 1,000 files and 4 GiB (env `MODEL_COPY_SCALE_FILES`,
 * `MODEL_COPY_SCALE_MIB`) with the `PromotedModel` provider on Azurite (blobs on disk in a temporary
 * folder, deleted afterwards) and the local Azure ML server. Goals (issue 20), each measured here:
 *
 *   clientBytes             0 model bytes through the client (counted in the storage clients' HTTP pipeline)
 *   clientPeakRssMiB        this process's resident memory, sampled every 20 ms while the provider
 *                           copies, stays under 150 MiB (the process also hosts the Azure ML server,
 *                           so this over-counts the client)
 *   throughputRatio         the provider's copy against the same server-side copies issued directly
 *                           (one `Put Blob From URL` per file, same concurrency): >= 0.8
 *   rerunCopies             after the provider is cut off mid-copy, a rerun copies exactly the files
 *                           the target is missing (`rerunMissing`)
 *
 * The cut-off stands in for a kill: from the Nth copy request on, the first run's storage client
 * sends nothing more and never returns (as a killed process would), the copies it had sent finish in
 * the service, and a fresh provider (no state carried over) runs the promotion again.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BlobServiceClient, StoragePipelineOptions } from "@azure/storage-blob";
import type { CompatResponse, RequestPolicy, RequestPolicyFactory, WebResourceLike } from "@azure/core-http-compat";
import { startAzurite, Azurite } from "../../tests/support/azurite";
import { startAmlServer, AmlServer } from "../../tests/support/amlServer";
import { PromotedModelProvider } from "../../components/modelPromotion/provider";
import type { PromotedModelInputs } from "../../components/modelPromotion/types";
import { ByteCounter } from "./model-copy";

const MiB = 1024 * 1024;
const FILES = Number(process.env.MODEL_COPY_SCALE_FILES ?? 1000);
const TOTAL_MIB = Number(process.env.MODEL_COPY_SCALE_MIB ?? 4096);
const CONCURRENCY = 8;
const RSS_GOAL_MIB = 150;
const THROUGHPUT_GOAL = 0.8;

const DEV = { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroupName: "rg-scale-dev", workspaceName: "mlw-scale-dev" };
const QA = { subscriptionId: "22222222-2222-2222-2222-222222222222", resourceGroupName: "rg-scale-qa", workspaceName: "mlw-scale-qa" };
const SRC = { account: "scaledev", container: "azureml-blobstore-dev" };
const DST = { account: "scaleqa", container: "azureml-blobstore-qa" };
const MODEL_PREFIX = "models/scale/";

/** Counts copy requests (`x-ms-copy-source`) and, once `cutAfter` is reached, stops sending for good. */
class CopyRequests {
  count = 0;
  constructor(private readonly cutAfter = Infinity) {}
  factory(): RequestPolicyFactory {
    const self = this;
    return {
      create(next: RequestPolicy): RequestPolicy {
        return {
          sendRequest(req: WebResourceLike): Promise<CompatResponse> {
            if (req.headers.get("x-ms-copy-source")) {
              if (self.count >= self.cutAfter) return new Promise<CompatResponse>(() => undefined);
              self.count++;
            }
            return next.sendRequest(req);
          },
        };
      },
    };
  }
}

function storageClient(azurite: Azurite, account: string, policies: RequestPolicyFactory[]): BlobServiceClient {
  const { BlobServiceClient, newPipeline } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const options: StoragePipelineOptions = { retryOptions: { maxTries: 4, retryDelayInMs: 100 }, keepAliveOptions: { enable: true } };
  const pipeline = newPipeline(azurite.credential(account), options);
  pipeline.factories.push(...policies);
  return new BlobServiceClient(azurite.blobEndpoint(account), pipeline);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/** Peak resident memory of this process while `fn` runs (sampled), in MiB. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ peakMiB: number; result: T }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { peakMiB: Math.round((peak / MiB) * 10) / 10, result };
  } finally {
    clearInterval(timer);
  }
}

/** Uploads the model: distinct files (an index stamped into a shared random block), each with its MD5. */
async function seed(azurite: Azurite, aml: AmlServer): Promise<number> {
  const src = azurite.serviceClient(SRC.account).getContainerClient(SRC.container);
  await src.create();
  await azurite.serviceClient(DST.account).getContainerClient(DST.container).create();
  const size = Math.floor((TOTAL_MIB * MiB) / FILES);
  const block = require("node:crypto").randomBytes(size) as Buffer;
  const queue = Array.from({ length: FILES }, (_, i) => i);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const data = Buffer.from(block);
      data.writeUInt32BE(i, 0);
      const rel = i % 4 === 0 ? `weights/shard-${String(i).padStart(4, "0")}.bin` : `model/part-${String(i).padStart(4, "0")}.bin`;
      await src.getBlockBlobClient(MODEL_PREFIX + rel).uploadData(data, { blobHTTPHeaders: { blobContentMD5: createHash("md5").update(data).digest() } });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ws = aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName);
  for (const version of ["1", "2"]) {
    aml.seed(`${ws}/models/scale/versions/${version}`, {
      properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/${MODEL_PREFIX}`, modelType: "custom_model", tags: { stage: "production" } },
    });
  }
  return size * FILES;
}

function provider(h: { azurite: Azurite; aml: AmlServer }, policies: RequestPolicyFactory[]): PromotedModelProvider {
  return new PromotedModelProvider(() => ({
    ml: (sub) => h.aml.client(sub),
    blob: (account) => ({ service: storageClient(h.azurite, account, policies), sharedKey: h.azurite.credential(account) }),
    pollIntervalMs: 50,
  }));
}

function inputs(h: { aml: AmlServer; azurite: Azurite }, version: string): PromotedModelInputs {
  return {
    modelName: "scale",
    version,
    source: DEV,
    target: { ...QA, datastoreName: "workspaceblobstore" },
    approvalTag: { key: "stage", value: "production" },
    targetPathPrefix: "promoted",
    armEndpoint: h.aml.url,
    blobEndpointTemplate: `${h.azurite.url}/{account}`,
    archiveOnDelete: true,
    copyConcurrency: CONCURRENCY,
  };
}

/** The same server-side copies the provider makes, issued straight at the emulator: the ceiling. */
async function directCopies(azurite: Azurite, folder: string): Promise<number> {
  const { BlobSASPermissions, generateBlobSASQueryParameters } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const src = azurite.serviceClient(SRC.account).getContainerClient(SRC.container);
  const dst = azurite.serviceClient(DST.account).getContainerClient(DST.container);
  const files: { name: string; md5?: Uint8Array }[] = [];
  for await (const b of src.listBlobsFlat({ prefix: MODEL_PREFIX })) files.push({ name: b.name, md5: b.properties.contentMD5 });
  const expiresOn = new Date(Date.now() + 3600_000);
  const { seconds } = await timed(async () => {
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const sas = generateBlobSASQueryParameters(
          { containerName: SRC.container, blobName: f.name, permissions: BlobSASPermissions.parse("r"), expiresOn },
          azurite.credential(SRC.account),
        ).toString();
        const res = await dst
          .getBlockBlobClient(`${folder}/${f.name.slice(MODEL_PREFIX.length)}`)
          .syncCopyFromURL(`${src.getBlobClient(f.name).url}?${sas}`, f.md5 ? { sourceContentMD5: f.md5 } : {});
        if (res.copyStatus !== "success") throw new Error(`direct copy of ${f.name}: ${res.copyStatus}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });
  return seconds;
}

async function countTargetFiles(azurite: Azurite): Promise<{ version2: number }> {
  const dst = azurite.serviceClient(DST.account).getContainerClient(DST.container);
  let version2 = 0;
  for await (const b of dst.listBlobsFlat({ prefix: "promoted/" })) if (/\/2\//.test(b.name)) version2++;
  return { version2 };
}

export default async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-copy-scale-"));
  const azurite = await startAzurite({ accounts: [SRC.account, DST.account], location: dir, startTimeoutMs: 60_000 });
  const aml = await startAmlServer();
  const h = { azurite, aml };
  try {
    aml.seedWorkspace({ ...DEV, storageAccountName: SRC.account, blobContainerName: SRC.container });
    aml.seedWorkspace({ ...QA, storageAccountName: DST.account, blobContainerName: DST.container });
    const bytes = await seed(azurite, aml);
    (globalThis as { gc?: () => void }).gc?.();

    // The provider's promotion, with the client's model bytes and memory measured.
    const counter = new ByteCounter();
    const { peakMiB, result: promoted } = await peakRss(() => timed(() => provider(h, [counter.factory()]).create(inputs(h, "1"))));
    const direct = await directCopies(azurite, "direct");

    // Cut off mid-copy, then rerun with a fresh provider.
    const cut = new CopyRequests(Math.floor(FILES / 2));
    void provider(h, [cut.factory()]).create(inputs(h, "2")).catch(() => undefined);
    while (cut.count < Math.floor(FILES / 2)) await new Promise((r) => setTimeout(r, 100));
    // Copies already sent finish in the service; wait until the target stops growing.
    let before = -1;
    for (let now = (await countTargetFiles(azurite)).version2; now !== before; now = (await countTargetFiles(azurite)).version2) {
      before = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rerunCounter = new CopyRequests();
    const rerun = await provider(h, [rerunCounter.factory()]).create(inputs(h, "2"));
    const after = (await countTargetFiles(azurite)).version2;

    const ratio = Math.round((direct / promoted.seconds) * 100) / 100;
    const outs = promoted.result.outs as { files: number; bytes: number };
    const rerunOuts = rerun.outs as { files: number };
    const goals = {
      clientBytes: counter.bytes === 0,
      rss: peakMiB < RSS_GOAL_MIB,
      throughput: ratio >= THROUGHPUT_GOAL,
      rerun: rerunCounter.count === FILES - before && after === FILES && rerunOuts.files === FILES,
    };
    return {
      files: outs.files,
      bytes: outs.bytes,
      seededBytes: bytes,
      concurrency: CONCURRENCY,
      clientBytes: counter.bytes,
      clientPeakRssMiB: peakMiB,
      providerSeconds: Math.round(promoted.seconds * 1000) / 1000,
      directSeconds: Math.round(direct * 1000) / 1000,
      throughputRatio: ratio,
      providerMiBps: Math.round((outs.bytes / MiB / promoted.seconds) * 10) / 10,
      filesBeforeRerun: before,
      rerunMissing: FILES - before,
      rerunCopies: rerunCounter.count,
      goal: `clientBytes 0; clientPeakRssMiB < ${RSS_GOAL_MIB}; throughputRatio >= ${THROUGHPUT_GOAL}; rerunCopies = rerunMissing`,
      met: Object.values(goals).every(Boolean),
      goalsMet: goals,
    };
  } finally {
    await aml.close();
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
