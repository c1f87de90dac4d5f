/**
 * `model-copy`: promoting a 256 MiB model of 32 files server-side (the `PromotedModel` provider:
 * list, copy inside the storage service, verify, register) against downloading and re-uploading
 * the same files through the client, in the same run, on Azurite and the local Azure ML server.
 *
 * On loopback a client's link is as fast as memory, unlike a CI runner's, so both copies run
 * twice: directly, and with the client's storage traffic sent through a local forward proxy that
 * throttles to `linkMiBps` (env `MODEL_COPY_LINK_MIBPS`, default 50). URLs and copy sources keep
 * naming Azurite, so a server-side copy stays inside the storage service as it does in Azure.
 * `clientBytes` is counted by a policy in the storage clients' HTTP pipeline: request bodies of
 * blob uploads and response bodies of blob downloads.
 */
import { createHash, randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import type { BlobServiceClient, ContainerClient, StoragePipelineOptions } from "@azure/storage-blob";
import type { RequestPolicy, RequestPolicyFactory, WebResourceLike, CompatResponse } from "@azure/core-http-compat";
import { startAzurite, Azurite } from "../../tests/support/azurite";
import { startAmlServer, AmlServer } from "../../tests/support/amlServer";
import { startForwardProxy, ForwardProxy } from "../../tests/support/forwardProxy";
import { PromotedModelProvider } from "../../components/modelPromotion/provider";
import { benchPromotionInputs } from "../lib/promotionInputs";

const MiB = 1024 * 1024;
const FILES = Number(process.env.MODEL_COPY_FILES ?? 32);
const TOTAL_MIB = Number(process.env.MODEL_COPY_MIB ?? 256);
const LINK_MIBPS = Number(process.env.MODEL_COPY_LINK_MIBPS ?? 50);
const CONCURRENCY = 8;

const DEV = { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroupName: "rg-bench-dev", workspaceName: "mlw-bench-dev" };
const QA = { subscriptionId: "22222222-2222-2222-2222-222222222222", resourceGroupName: "rg-bench-qa", workspaceName: "mlw-bench-qa" };
const SRC_ACCOUNT = "benchdev";
const DST_ACCOUNT = "benchqa";
const SRC_CONTAINER = "azureml-blobstore-dev";
const DST_CONTAINER = "azureml-blobstore-qa";

/** Counts model bytes at the HTTP layer: blob upload bodies out, blob download bodies in. */
export class ByteCounter {
  bytes = 0;
  factory(): RequestPolicyFactory {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the policies below outlive this call
    const counter = this;
    return {
      create(next: RequestPolicy): RequestPolicy {
        return {
          async sendRequest(req: WebResourceLike): Promise<CompatResponse> {
            const url = new URL(req.url);
            const comp = url.searchParams.get("comp");
            const isBlobData = !url.searchParams.get("restype") && (!comp || comp === "block");
            if (isBlobData && req.method === "PUT" && req.body) {
              const b = req.body as unknown;
              if (typeof b === "string") counter.bytes += Buffer.byteLength(b);
              else if (b instanceof Uint8Array || Buffer.isBuffer(b)) counter.bytes += b.byteLength;
              else if (b instanceof ArrayBuffer) counter.bytes += b.byteLength;
            }
            const res = await next.sendRequest(req);
            if (isBlobData && req.method === "GET" && res.readableStreamBody) {
              const counted = new PassThrough();
              counted.on("data", (chunk: Buffer) => (counter.bytes += chunk.length));
              res.readableStreamBody.pipe(counted);
              res.readableStreamBody = counted;
            }
            return res;
          },
        };
      },
    };
  }
}

export function client(azurite: Azurite, account: string, counter: ByteCounter, proxy?: ForwardProxy): BlobServiceClient {
  const { BlobServiceClient, newPipeline } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const options: StoragePipelineOptions = { retryOptions: { maxTries: 4, retryDelayInMs: 100 }, ...(proxy ? { proxyOptions: proxy.proxyOptions } : {}) };
  const pipeline = newPipeline(azurite.credential(account), options);
  pipeline.factories.push(counter.factory());
  return new BlobServiceClient(azurite.blobEndpoint(account), pipeline);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

async function seedSource(azurite: Azurite, aml: AmlServer): Promise<void> {
  const container = azurite.serviceClient(SRC_ACCOUNT).getContainerClient(SRC_CONTAINER);
  await container.create();
  await azurite.serviceClient(DST_ACCOUNT).getContainerClient(DST_CONTAINER).create();
  const size = Math.floor((TOTAL_MIB * MiB) / FILES);
  for (let i = 0; i < FILES; i++) {
    const data = randomBytes(size);
    const rel = i % 4 === 0 ? `weights/shard-${i}.bin` : `model/part-${String(i).padStart(2, "0")}.bin`;
    await container.getBlockBlobClient(`models/bench/${rel}`).uploadData(data, {
      blobHTTPHeaders: { blobContentMD5: createHash("md5").update(data).digest() },
    });
  }
  const ws = aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName);
  for (const version of ["1", "2"]) {
    aml.seed(`${ws}/models/bench/versions/${version}`, {
      properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/models/bench/", modelType: "custom_model", tags: { stage: "production" } },
    });
  }
}

async function serverSide(h: { azurite: Azurite; aml: AmlServer }, version: string, proxy?: ForwardProxy) {
  const counter = new ByteCounter();
  const provider = new PromotedModelProvider(() => ({
    ml: (sub) => h.aml.client(sub),
    blob: (account) => ({ service: client(h.azurite, account, counter, proxy), sharedKey: h.azurite.credential(account) }),
    pollIntervalMs: 50,
  }));
  const inputs = benchPromotionInputs(h, { modelName: "bench", version, source: DEV, target: QA, copyConcurrency: CONCURRENCY });
  const { seconds, result } = await timed(() => provider.create(inputs));
  return { seconds, clientBytes: counter.bytes, files: result.outs.files, bytes: result.outs.bytes };
}

/** The baseline: every file down to the client and up again, verified the same way (length + MD5). */
async function downloadUpload(azurite: Azurite, folder: string, proxy?: ForwardProxy) {
  const counter = new ByteCounter();
  const src = client(azurite, SRC_ACCOUNT, counter, proxy).getContainerClient(SRC_CONTAINER);
  const dst = client(azurite, DST_ACCOUNT, counter, proxy).getContainerClient(DST_CONTAINER);
  const { seconds } = await timed(async () => {
    const names: { name: string; size: number; md5?: Uint8Array }[] = [];
    for await (const b of src.listBlobsFlat({ prefix: "models/bench/" })) names.push({ name: b.name, size: b.properties.contentLength!, md5: b.properties.contentMD5 });
    const queue = [...names];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const data = await src.getBlobClient(f.name).downloadToBuffer();
        await dst.getBlockBlobClient(`${folder}/${f.name.slice("models/bench/".length)}`).uploadData(data, {
          blobHTTPHeaders: { blobContentMD5: createHash("md5").update(data).digest() },
        });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await verify(dst, folder, names);
  });
  return { seconds, clientBytes: counter.bytes };
}

async function verify(dst: ContainerClient, folder: string, expected: { name: string; size: number; md5?: Uint8Array }[]) {
  const seen = new Map<string, { size: number; md5?: Uint8Array }>();
  for await (const b of dst.listBlobsFlat({ prefix: `${folder}/` })) seen.set(b.name.slice(folder.length + 1), { size: b.properties.contentLength!, md5: b.properties.contentMD5 });
  for (const e of expected) {
    const t = seen.get(e.name.slice("models/bench/".length));
    if (!t || t.size !== e.size || Buffer.compare(Buffer.from(t.md5 ?? []), Buffer.from(e.md5 ?? [])) !== 0) throw new Error(`download+upload produced a wrong ${e.name}`);
  }
}

export default async function run(): Promise<Record<string, unknown>> {
  const azurite = await startAzurite({ accounts: [SRC_ACCOUNT, DST_ACCOUNT] });
  const aml = await startAmlServer();
  const throttled = await startForwardProxy({ linkMiBps: LINK_MIBPS });
  try {
    aml.seedWorkspace({ ...DEV, storageAccountName: SRC_ACCOUNT, blobContainerName: SRC_CONTAINER });
    aml.seedWorkspace({ ...QA, storageAccountName: DST_ACCOUNT, blobContainerName: DST_CONTAINER });
    await seedSource(azurite, aml);

    const direct = await serverSide({ azurite, aml }, "1");
    const directBaseline = await downloadUpload(azurite, "dlul-direct");
    throttled.reset();
    const linked = await serverSide({ azurite, aml }, "2", throttled);
    const linkBytesServerSide = throttled.bytes.up + throttled.bytes.down;
    const linkedBaseline = await downloadUpload(azurite, "dlul-throttled", throttled);

    const r = (n: number, d = 3) => Number(n.toFixed(d));
    return {
      bytes: linked.bytes,
      files: linked.files,
      clientBytes: Math.max(direct.clientBytes, linked.clientBytes),
      linkMiBps: LINK_MIBPS,
      serverSideSeconds: r(linked.seconds),
      downloadUploadSeconds: r(linkedBaseline.seconds),
      speedup: r(linkedBaseline.seconds / linked.seconds, 2),
      unthrottledSpeedup: r(directBaseline.seconds / direct.seconds, 2),
      serverSideSecondsDirect: r(direct.seconds),
      downloadUploadSecondsDirect: r(directBaseline.seconds),
      downloadUploadClientBytes: linkedBaseline.clientBytes,
      serverSideLinkBytes: linkBytesServerSide,
    };
  } finally {
    await throttled.close();
    await aml.close();
    await azurite.stop();
  }
}
