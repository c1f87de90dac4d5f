/**
 * The Azurite child process (azuriteProcess.js) serves blobs without loading what these starts never
 * use: Application Insights and the OpenTelemetry SDK behind it (telemetry is off) and Sequelize (no
 * SQL metadata store). Both were required at Azurite's top and made up most of each start's CPU.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { azuriteArgs } from "./azurite";

jest.setTimeout(60_000);

const ACCOUNT = "probe";
const KEY = randomBytes(64).toString("base64");

interface Run {
  packages: string[];
  blobs: string[];
}

/** Starts Azurite as the suites do (in memory, or on disk in a new folder), writes and lists a blob, closes the channel. */
async function serveOnce(onDisk: boolean): Promise<Run> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "mlops-azurite-process-"));
  const child = spawn(
    process.execPath,
    ["-r", path.join(__dirname, "fixtures", "loadedPackages.js"), path.join(__dirname, "azuriteProcess.js"),
      ...azuriteArgs(onDisk ? cwd : undefined)],
    { cwd, env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${KEY}` }, stdio: ["ignore", "pipe", "pipe", "ipc"] },
  );
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const onData = () => {
        const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (!m) return;
        child.stdout!.off("data", onData);
        resolve(Number(m[1]));
      };
      child.stdout!.on("data", onData);
      void exited.then((code) => reject(new Error(`azurite exited with ${code} before listening:\n${out}`)));
    });
    const service = new BlobServiceClient(`http://127.0.0.1:${port}/${ACCOUNT}`, new StorageSharedKeyCredential(ACCOUNT, KEY));
    const container = service.getContainerClient("models");
    await container.create();
    await container.getBlockBlobClient("v1/model.pkl").uploadData(Buffer.from("weights"));
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat()) blobs.push(b.name);
    child.disconnect();
    expect(await exited).toBe(0);
    const line = /^loaded-packages (.*)$/m.exec(out);
    if (!line) throw new Error(`no report from the child:\n${out}`);
    return { packages: JSON.parse(line[1]) as string[], blobs };
  } finally {
    child.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
  }
}

const UNUSED = /^(applicationinsights|@opentelemetry\/|@azure\/monitor-opentelemetry|sequelize)/;

test.each([
  ["in memory", false],
  ["on disk", true],
])("Azurite %s serves blobs without loading telemetry or SQL packages", async (_name, onDisk) => {
  const run = await serveOnce(onDisk);
  expect(run.blobs).toEqual(["v1/model.pkl"]);
  // The report is real: Azurite's own server packages are in it.
  expect(run.packages).toEqual(expect.arrayContaining(["azurite", "express"]));
  expect(run.packages.filter((p) => UNUSED.test(p))).toEqual([]);
});
