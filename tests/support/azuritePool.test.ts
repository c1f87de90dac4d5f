/**
 * `startAzurite` reuses the in-memory Azurite of an earlier `stop()` in the same worker (azurite.ts):
 * the next caller must see a fresh service, a process a test killed is never handed on, disk-backed
 * ones are never kept, and no process outlives the worker that started it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { poolKey, startAzurite } from "./azurite";
import { launchArgs } from "./launch";

jest.setTimeout(90_000);

/** True when something accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

async function names(azurite: Awaited<ReturnType<typeof startAzurite>>, account: string): Promise<string[]> {
  const found: string[] = [];
  for await (const c of azurite.serviceClient(account).listContainers()) found.push(c.name);
  return found;
}

test("a stopped in-memory Azurite is handed to the next caller with the same options, empty", async () => {
  const first = await startAzurite({ accounts: ["pooldev", "poolqa"] });
  await first.serviceClient("pooldev").getContainerClient("models").create();
  const promoted = first.serviceClient("poolqa").getContainerClient("promoted");
  await promoted.create();
  await promoted.getBlockBlobClient("a.bin").uploadData(Buffer.from("x"));
  expect(await names(first, "poolqa")).toEqual(["promoted"]);
  await first.stop();

  // Same options, a subset of the accounts: the same process, with nothing left from before.
  const second = await startAzurite({ accounts: ["poolqa"] });
  expect(second.port).toBe(first.port);
  expect(second.accounts.map((a) => a.name)).toEqual(["poolqa"]);
  expect(() => second.blobEndpoint("pooldev")).toThrow(/unknown account 'pooldev'/);
  expect(await names(second, "poolqa")).toEqual([]);
  // Azurite frees a deleted container's name at once, which the hand-over relies on (Azure would answer
  // 409 for at least 30 s: "Delete a blob container with JavaScript", Azure Storage docs).
  await second.serviceClient("poolqa").getContainerClient("promoted").create();
  await second.stop();

  // The account the second caller did not ask for was emptied too.
  const third = await startAzurite({ accounts: ["pooldev"] });
  expect(third.port).toBe(first.port);
  expect(await names(third, "pooldev")).toEqual([]);
  await third.stop();
});

test("only in-memory processes started with the same TLS and memory options are handed on", () => {
  expect(poolKey({ accounts: ["a"] })).toBe(poolKey({ accounts: ["b", "c"] }));
  expect(poolKey({})).not.toBe(poolKey({ oauth: true }));
  expect(poolKey({})).not.toBe(poolKey({ extentMemoryLimitMb: 64 }));
  expect(poolKey({ location: "/tmp/x" })).toBeUndefined();
});

test("stopping twice hands the process on once: two later callers never share it", async () => {
  const once = await startAzurite({ accounts: ["poolqa"] });
  await once.stop();
  await once.stop();
  const [a, b] = await Promise.all([startAzurite({ accounts: ["poolqa"] }), startAzurite({ accounts: ["poolqa"] })]);
  expect(a.port).not.toBe(b.port);
  await Promise.all([a.stop(), b.stop()]);
});

test("a process a test killed is stopped at the end, never handed on", async () => {
  // The idle process of the test before (one start less); what matters is that it gets killed here.
  const faulty = await startAzurite({ accounts: ["poolqa"] });
  await faulty.kill();
  await faulty.stop();
  expect(await listening(faulty.port)).toBe(false);
  const next = await startAzurite({ accounts: ["poolqa"] });
  expect(next.port).not.toBe(faulty.port);
  await next.stop();
});

test("a disk-backed Azurite is stopped, never kept", async () => {
  const location = mkdtempSync(path.join(os.tmpdir(), "mlops-pool-disk-"));
  try {
    const disk = await startAzurite({ accounts: ["pooldisk"], location });
    await disk.stop();
    expect(await listening(disk.port)).toBe(false);
  } finally {
    rmSync(location, { recursive: true, force: true });
  }
});

test("an idle Azurite ends when the process that kept it is killed", async () => {
  // No exit hook runs in a killed process: only the closed IPC channel tells Azurite (azuriteProcess.js).
  // The process starts Azurite, stops it (so it is kept idle), prints its port and is killed.
  const dir = mkdtempSync(path.join(os.tmpdir(), "mlops-pool-exit-"));
  try {
    const script = path.join(dir, "keep.ts");
    writeFileSync(
      script,
      `const { startAzurite } = require(${JSON.stringify(path.join(__dirname, "azurite.ts"))});\n` +
        `startAzurite({ accounts: ["poolexit"] }).then(async (a: any) => { await a.stop(); process.stdout.write(String(a.port), () => process.kill(process.pid, "SIGKILL")); });\n`,
    );
    const port = await new Promise<number>((resolve) =>
      execFile(process.execPath, launchArgs(script), { encoding: "utf8" }, (_err, stdout) => resolve(Number(stdout.trim()))),
    );
    expect(port).toBeGreaterThan(0);
    // The process had an idle Azurite when it was killed; that Azurite is gone within moments.
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      open = await listening(port);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
