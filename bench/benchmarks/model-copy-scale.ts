/**
 * `model-copy-scale`: promoting a model of 1,000 files and 4 GiB (env `MODEL_COPY_SCALE_FILES`,
 * `MODEL_COPY_SCALE_MIB`) with the `PromotedModel` provider on Azurite (blobs on disk in a temporary
 * folder, deleted afterwards) and the local Azure ML server. Goals (issue 20), each measured here:
 *
 *   clientBytes             0 model bytes through the client (counted in the storage clients' HTTP pipeline)
 *   clientPeakRssMiB        peak resident memory of the client process running the provider
 *                           (bench/lib/promoteChild.ts: its own VmHWM, not getrusage's maxRSS,
 *                           which on Linux includes this bench process's size) stays under 150 MiB
 *   throughputRatio         the provider's copy against the same server-side copies issued directly
 *                           (one Copy Blob From URL per file, same concurrency), each from a fresh
 *                           process against a warmed-up emulator (the mean of a run before and one
 *                           after the provider's): >= 0.8. The median over `BENCH_ROUNDS` rounds
 *                           (default 3): one run of either side varies by 10-20% here
 *   rerunCopies             after the provider is cut off mid-copy, a rerun copies exactly the files
 *                           the target is missing (`rerunMissing`)
 *
 * The kill: a second promotion's process gets SIGKILL once half the files are in the target; the
 * copies it had sent finish in the service; a new process runs the promotion again and its copy
 * requests (`x-ms-copy-source`, counted at its HTTP layer) must equal the files still missing.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { startAzurite, Azurite } from "../../tests/support/azurite";
import { startAmlServer, AmlServer } from "../../tests/support/amlServer";
import type { PromotedModelInputs } from "../../components/modelPromotion/types";
import { targetFolderOf } from "../../components/modelPromotion/promotion";
import { listTargetFiles } from "../../components/modelPromotion/blobFiles";
import type { PromoteChildSettings } from "../lib/promoteChild";
import { benchPromotionInputs } from "../lib/promotionInputs";
import type { DirectCopySettings } from "../lib/directCopyChild";
import { launcherArgs, REPO_ROOT, timeLauncher } from "../lib/processes";

const MiB = 1024 * 1024;
const FILES = Number(process.env.MODEL_COPY_SCALE_FILES ?? 1000);
const TOTAL_MIB = Number(process.env.MODEL_COPY_SCALE_MIB ?? 4096);
const CONCURRENCY = 8;
const RSS_GOAL_MIB = 150;
const THROUGHPUT_GOAL = 0.8;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/**
 * Both clients run without the launcher's V8 code cache (tools/launch/codeCache.js). In a deployment
 * the provider runs in Pulumi's dynamic-provider host, which has no such cache, and the cache holds
 * the code of every module a process loads: with it the client peaked 2-3 MiB higher here (138-142
 * MiB against 136-140, each client's VmHWM).
 */
const CLIENT_ENV: NodeJS.ProcessEnv = { ...process.env, MLOPS_NO_CODE_CACHE: "1" };

const DEV = { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroupName: "rg-scale-dev", workspaceName: "mlw-scale-dev" };
const QA = { subscriptionId: "22222222-2222-2222-2222-222222222222", resourceGroupName: "rg-scale-qa", workspaceName: "mlw-scale-qa" };
const SRC = { account: "scaledev", container: "azureml-blobstore-dev" };
const DST = { account: "scaleqa", container: "azureml-blobstore-qa" };
const MODEL_PREFIX = "models/scale/";

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
  for (let version = 1; version <= ROUNDS + 1; version++) {
    aml.seed(`${ws}/models/scale/versions/${version}`, {
      properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/${MODEL_PREFIX}`, modelType: "custom_model", tags: { stage: "production" } },
    });
  }
  return size * FILES;
}

/** Runs the promotion in its own process (bench/lib/promoteChild.ts); `killAt` kills it once the target holds that many files. */
async function promoteInChild(h: { azurite: Azurite; aml: AmlServer }, version: string, killAt?: number): Promise<ChildReport | "killed"> {
  const settings: PromoteChildSettings = {
    amlUrl: h.aml.url,
    amlCertPem: h.aml.tls.cert,
    armToken: (await h.aml.credential.getToken("https://management.azure.com/.default"))!,
    azuriteUrl: h.azurite.url,
    accounts: h.azurite.accounts,
    inputs: inputs(h, version),
  };
  const child = spawn(process.execPath, launcherArgs("bench/lib/promoteChild.ts", [JSON.stringify(settings)]), {
    cwd: REPO_ROOT,
    env: CLIENT_ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  if (killAt !== undefined) {
    let done = false;
    void exited.then(() => (done = true));
    while (!done && (await targetFiles(h, version)) < killAt) await new Promise((r) => setTimeout(r, 200));
    if (!done) {
      child.kill("SIGKILL");
      await exited;
      return "killed";
    }
  }
  const code = await exited;
  if (code !== 0) throw new Error(`promotion of version ${version} exited ${code}: ${err.trim()}`);
  return JSON.parse(out) as ChildReport;
}

interface ChildReport {
  seconds: number;
  files: number;
  bytes: number;
  clientBytes: number;
  copies: number;
  peakRssMiB: number;
}

function inputs(h: { aml: AmlServer; azurite: Azurite }, version: string): PromotedModelInputs {
  return benchPromotionInputs(h, { modelName: "scale", version, source: DEV, target: QA, copyConcurrency: CONCURRENCY });
}

/**
 * The same server-side copies the provider makes, issued straight at the emulator from a fresh
 * process (bench/lib/directCopyChild.ts): the ceiling. Returns the seconds the copies took.
 */
async function directInChild(azurite: Azurite, folder: string): Promise<number> {
  const settings: DirectCopySettings = {
    azuriteUrl: azurite.url,
    accounts: azurite.accounts,
    source: { ...SRC, prefix: MODEL_PREFIX },
    target: { ...DST, folder },
    concurrency: CONCURRENCY,
  };
  const run = await timeLauncher("bench/lib/directCopyChild.ts", [JSON.stringify(settings)], CLIENT_ENV);
  if (run.code !== 0) throw new Error(`direct copies into ${folder} exited ${run.code}: ${run.stderr.trim()}`);
  const report = JSON.parse(run.stdout) as { seconds: number; files: number; copies: number; clientBytes: number };
  if (report.copies !== report.files || report.clientBytes !== 0) {
    throw new Error(`direct copies into ${folder}: ${report.copies} copy requests for ${report.files} files, ${report.clientBytes} bytes through the client`);
  }
  return report.seconds;
}

/**
 * Files of a promoted version in the target, listed as the provider lists them. Only that folder is
 * listed: polled every 200 ms for the kill, a listing of every round's copies took about a second
 * and let the promotion run far past the point it was to be cut off.
 */
async function targetFiles(h: { azurite: Azurite; aml: AmlServer }, version: string): Promise<number> {
  const dst = h.azurite.serviceClient(DST.account).getContainerClient(DST.container);
  return (await listTargetFiles(dst, targetFolderOf(inputs(h, version)))).length;
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

    // The emulator's first copies are slower (its JIT, new extents on disk): warm it up with one
    // untimed pass of the same copies. Then each round times the provider's promotion (a new version,
    // in its own process: model bytes through it, its peak memory, its time) between two runs of the
    // direct copies, and compares it with their mean, so neither side gets a warmer emulator.
    await directInChild(azurite, "warmup");
    const directRuns = [await directInChild(azurite, "direct-0")];
    const promotions: ChildReport[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const promoted = (await promoteInChild(h, String(round))) as ChildReport;
      directRuns.push(await directInChild(azurite, `direct-${round}`));
      promotions.push(promoted);
      ratios.push((directRuns[round - 1] + directRuns[round]) / 2 / promoted.seconds);
    }
    const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const ratio = Math.round(middle(ratios) * 100) / 100;
    const promoted = promotions[ratios.indexOf(middle(ratios))];

    // Killed mid-copy, then run again: the rerun must copy exactly what the target is missing.
    const cut = String(ROUNDS + 1);
    const half = Math.floor(FILES / 2);
    const killed = await promoteInChild(h, cut, half);
    // Copies the killed process had sent finish in the service; wait until the target stops growing.
    let before = -1;
    for (let now = await targetFiles(h, cut); now !== before; now = await targetFiles(h, cut)) {
      before = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rerun = (await promoteInChild(h, cut)) as ChildReport;
    const after = await targetFiles(h, cut);

    const clients = [...promotions, rerun];
    const peakRss = Math.max(...clients.map((c) => c.peakRssMiB));
    const goals = {
      clientBytes: clients.every((c) => c.clientBytes === 0),
      rss: peakRss < RSS_GOAL_MIB,
      throughput: ratio >= THROUGHPUT_GOAL,
      rerun: killed === "killed" && rerun.copies === FILES - before && after === FILES && rerun.files === FILES,
    };
    const ms = (n: number) => Math.round(n * 1000) / 1000;
    return {
      files: promoted.files,
      bytes: promoted.bytes,
      seededBytes: bytes,
      concurrency: CONCURRENCY,
      clientBytes: clients.reduce((n, c) => n + c.clientBytes, 0),
      clientPeakRssMiB: Math.round(peakRss * 10) / 10,
      clientRssMiB: clients.map((c) => Math.round(c.peakRssMiB * 10) / 10),
      rounds: ROUNDS,
      providerSeconds: promotions.map((p) => ms(p.seconds)),
      directSeconds: directRuns.map(ms),
      roundRatios: ratios.map((r) => Math.round(r * 100) / 100),
      throughputRatio: ratio,
      providerMiBps: Math.round((promoted.bytes / MiB / promoted.seconds) * 10) / 10,
      killedAfterFiles: before,
      rerunMissing: FILES - before,
      rerunCopies: rerun.copies,
      goal: `clientBytes 0; clientPeakRssMiB < ${RSS_GOAL_MIB}; throughputRatio (median of the rounds) >= ${THROUGHPUT_GOAL}; rerunCopies = rerunMissing`,
      met: Object.values(goals).every(Boolean),
      goalsMet: goals,
    };
  } finally {
    await aml.close();
    await azurite.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
