/**
 * Child process of the `model-copy-scale` bench: the promotion client alone, so its memory is its own
 * and it can be killed mid-copy. Reads its settings as JSON from argv[2], runs `PromotedModelProvider.create`
 * against the bench's Azurite and Azure ML server, and prints one JSON line: seconds, model bytes that
 * passed through its storage clients, copy requests sent, and its peak resident memory (`peakRssMiB`).
 */
import * as fs from "node:fs";
import * as https from "node:https";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { PromotedModelProvider } from "../../components/modelPromotion/provider";
import type { PromotedModelInputs } from "../../components/modelPromotion/types";
import { copyCounters, countedBlobService } from "./copyCounter";

export interface PromoteChildSettings {
  amlUrl: string;
  amlCertPem: string;
  /** A bearer token the Azure ML server accepts, minted by the bench process (the signing key stays there). */
  armToken: { token: string; expiresOnTimestamp: number };
  azuriteUrl: string;
  accounts: { name: string; key: string }[];
  inputs: PromotedModelInputs;
}

/**
 * This process's own peak resident memory. Linux keeps resource usage across `execve` (getrusage(2),
 * NOTES), and a spawned child starts as a fork of its parent, so `process.resourceUsage().maxRSS`
 * here reports at least the bench process's size at the spawn (a child of a 300 MiB process reads
 * 304 MiB while its own peak is 40). `VmHWM` in /proc/self/status (proc(5)) is the peak of this
 * process's own address space; maxRSS only where there is no /proc.
 */
function peakRssMiB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    /* no procfs */
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]) as PromoteChildSettings;
  const { AzureMachineLearningWorkspaces } = require("@azure/arm-machinelearning") as typeof import("@azure/arm-machinelearning");
  const { StorageSharedKeyCredential } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const agent = new https.Agent({ ca: settings.amlCertPem, keepAlive: true });
  const tlsPolicy: PipelinePolicy = { name: "bench-test-tls", sendRequest: (req, next) => ((req.agent = agent), next(req)) };
  const credential = { getToken: async () => settings.armToken };
  const counters = copyCounters();
  const keys = new Map(settings.accounts.map((a) => [a.name, new StorageSharedKeyCredential(a.name, a.key)]));
  const provider = new PromotedModelProvider(() => ({
    ml: (sub) =>
      new AzureMachineLearningWorkspaces(credential, sub, {
        endpoint: settings.amlUrl,
        additionalPolicies: [{ policy: tlsPolicy, position: "perCall" }],
        retryOptions: { maxRetries: 4, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
      }),
    blob: (account) => {
      const key = keys.get(account);
      if (!key) throw new Error(`unknown account ${account}`);
      return { service: countedBlobService(`${settings.azuriteUrl}/${account}`, key, counters), sharedKey: key };
    },
    pollIntervalMs: 50,
  }));
  const start = process.hrtime.bigint();
  const result = await provider.create(settings.inputs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const outs = result.outs as { files: number; bytes: number };
  process.stdout.write(
    JSON.stringify({ seconds, files: outs.files, bytes: outs.bytes, clientBytes: counters.bytes.bytes, copies: counters.copies.copies, peakRssMiB: peakRssMiB() }) + "\n",
  );
}

main().catch((err) => {
  process.stderr.write(`promoteChild: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
