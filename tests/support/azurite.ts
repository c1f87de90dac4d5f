/**
 * Azurite's blob service as a child process for one test file (or one benchmark).
 *
 *   const azurite = await startAzurite({ accounts: ["devstore", "qastore"] });
 *   azurite.blobEndpoint("devstore")      // http://127.0.0.1:<port>/devstore
 *   azurite.credential("devstore")        // StorageSharedKeyCredential
 *   azurite.serviceClient("devstore")     // BlobServiceClient with that credential
 *   await azurite.stop();
 *
 * With `oauth: true` the service speaks HTTPS (the certificate from `./tls`) and also accepts Azure
 * AD bearer tokens (Azurite's `--oauth basic`: claims are checked, signatures are not), which is
 * what user-delegation SAS needs: `serviceClient(account, options, "token")` signs in with
 * `tokenCredential()`. Azurite itself trusts the certificate through `NODE_EXTRA_CA_CERTS`, so the
 * copy-source checks it makes against itself succeed.
 *
 * Fault tests: `kill()` SIGKILLs the process (a crash) and `restart()` starts it again on the same
 * port with the same accounts and keys, so URLs and credentials stay valid; with `location` the
 * blobs Azurite had saved survive (it autosaves its metadata every 5 s; `kill("SIGTERM")` saves first).
 *
 * Each caller has a process to itself, on an ephemeral port with in-memory persistence, so parallel jest
 * workers never share state. A child process (not in-process) because the account list is read from
 * the `AZURITE_ACCOUNTS` environment variable and Azurite keeps module-level state.
 *
 * Starting Azurite costs 2 to 3 s of CPU (about 4,000 modules), and a dozen test files need one. So
 * `stop()` hands an in-memory process that was never killed to the next test file of the same jest
 * worker that asks for the same options and some of its accounts (it starts with every account the
 * suites use), emptied first: every container deleted and checked gone, so that file sees a fresh
 * service (new account keys are not needed: nothing outside the worker knows them). Processes with
 * `location`, and any that a test killed, are stopped as before. Up to three idle processes wait per
 * worker; they end with it (`azuriteProcess.js`).
 */
import { spawn, ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { RequestPolicyFactory } from "@azure/core-http-compat";
import { createTestTls, TestTls } from "./tls";
import { testCredential } from "./tokens";
import type { StorageSharedKeyCredential, BlobServiceClient, StoragePipelineOptions } from "@azure/storage-blob";

export interface AzuriteAccount {
  name: string;
  /** Base64 account key. */
  key: string;
}

export interface AzuriteOptions {
  /** Storage account names (3–24 lowercase letters/digits). Default: `devstore`, `qastore`. */
  accounts?: string[];
  /** Milliseconds to wait for the service to listen. Default 30 000 (two busy cores). */
  startTimeoutMs?: number;
  /** Cap on in-memory extents in MB; Azurite's default is half the machine's memory. */
  extentMemoryLimitMb?: number;
  /** HTTPS plus Azure AD bearer tokens (see above). */
  oauth?: boolean;
  /**
   * Keep blobs on disk in this folder instead of in memory (benchmarks copying gigabytes). The caller
   * creates and deletes the folder.
   */
  location?: string;
}

export interface Azurite {
  /** `http://127.0.0.1:<port>` (`https:` with `oauth`). */
  url: string;
  port: number;
  accounts: AzuriteAccount[];
  /** Path-style blob endpoint of one account, without a trailing slash. */
  blobEndpoint(account: string): string;
  credential(account: string): StorageSharedKeyCredential;
  /**
   * A `BlobServiceClient` for the account, signed with its shared key or (with `oauth`) a bearer
   * token; `options` go to the pipeline.
   */
  serviceClient(account: string, options?: StoragePipelineOptions, auth?: "sharedKey" | "token"): BlobServiceClient;
  /** With `oauth`: a credential whose tokens Azurite accepts (unsigned JWTs with storage claims). */
  tokenCredential(): TokenCredential;
  /** With `oauth`: the TLS identity the service presents. */
  tls?: TestTls;
  /**
   * Kills the process (SIGKILL by default: a crash, so metadata Azurite has not yet saved, at most
   * its 5 s autosave interval, is lost; SIGTERM shuts down cleanly and saves it) and resolves once
   * it has exited. Synchronous up to the signal, so a request hook can call it mid-operation.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts the process again after `kill`, on the same port with the same accounts, keys and TLS
   * identity, so every URL and credential stays valid. Blobs survive only with `location`.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A running Azurite process and what it was started with: plain data, so another test file can take it over. */
interface AzuriteProcess {
  /** Set for in-memory processes, which a later test file of this worker may reuse (see `idleProcesses()`). */
  poolKey?: string;
  child: ChildProcess;
  port: number;
  accounts: AzuriteAccount[];
  args: string[];
  env: NodeJS.ProcessEnv;
  tls?: TestTls;
  certDir?: string;
}

/**
 * The account names the suites' harnesses ask for. A process that may be handed on starts with all of
 * them besides those asked for, so whichever test file comes next in the worker finds its accounts in
 * it: one start per worker and TLS setting instead of one per set of names. A name missing here only
 * costs a start; the caller still sees only the accounts it asked for.
 */
const SUITE_ACCOUNTS = ["devstore", "qastore", "stmlopsdev", "stmlopsqa", "stmlopsprod", "stmlopsregistry", "srcacct", "dstacct", "aaddev", "aadqa", "aadsrc", "aaddst"];

/** At most this many idle processes are kept per worker; each holds about 150 MB. */
const MAX_IDLE = 3;

/**
 * The idle processes this jest worker keeps between its test files. jest gives every test file fresh
 * modules and globals, but Node's built-in modules are the worker's own, so the list hangs on one of
 * them. Nothing needs to stop them: each ends when the worker does (`azuriteProcess.js`).
 */
function idleProcesses(): AzuriteProcess[] {
  const host = require("node:child_process") as Record<symbol, AzuriteProcess[] | undefined>;
  const key = Symbol.for("mlops.tests.azurite.idle");
  return (host[key] ??= []);
}

/** What decides whether an idle process may serve a caller, besides its accounts; none for disk persistence. */
export function poolKey(options: AzuriteOptions): string | undefined {
  // Disk persistence belongs to its caller's folder: only in-memory processes are reused.
  return options.location ? undefined : JSON.stringify([Boolean(options.oauth), options.extentMemoryLimitMb ?? null]);
}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
const waitExit = (c: ChildProcess, killAfterMs?: number) =>
  new Promise<void>((resolve) => {
    if (exited(c)) return resolve();
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => c.kill("SIGKILL"), killAfterMs);
    c.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Starts the process (`azuriteProcess.js`: Azurite's own CLI with a code cache) and waits until it listens. */
function launch(proc: Pick<AzuriteProcess, "args" | "env">, listenPort: number, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const args = proc.args.map((a, i) => (proc.args[i - 1] === "--blobPort" ? String(listenPort) : a));
  const child = spawn(process.execPath, [path.join(__dirname, "azuriteProcess.js"), ...args], {
    // In-memory persistence writes nothing, but Azurite resolves its workspace from the cwd.
    cwd: os.tmpdir(),
    env: proc.env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // Neither the channel (it only tells the child when this process is gone) nor the child keeps this
  // process alive: a worker holding idle processes still exits when jest is done with it.
  child.channel?.unref();
  child.unref();

  return new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`azurite did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listens on https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        for (const stream of [child.stdout!, child.stderr!]) {
          stream.resume();
          (stream as unknown as { unref(): void }).unref();
        }
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with code ${code} before listening:\n${out}`));
    });
  });
}

/** Azurite's command line here: loopback, a free port, in memory or in `location`, telemetry off, quiet. */
export function azuriteArgs(location?: string): string[] {
  return [
    "--blobHost", "127.0.0.1",
    "--blobPort", "0",
    ...(location ? ["--location", location] : ["--inMemoryPersistence"]),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--silent",
  ];
}

async function startProcess(names: string[], options: AzuriteOptions, key: string | undefined): Promise<AzuriteProcess> {
  const accounts = names.map((name) => ({ name, key: randomBytes(64).toString("base64") }));
  const args = azuriteArgs(options.location);
  if (options.extentMemoryLimitMb) args.push("--extentMemoryLimit", String(options.extentMemoryLimitMb));
  const env: NodeJS.ProcessEnv = { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(";") };
  let tls: TestTls | undefined;
  let certDir: string | undefined;
  if (options.oauth) {
    tls = await createTestTls();
    certDir = mkdtempSync(path.join(os.tmpdir(), "azurite-tls-"));
    writeFileSync(path.join(certDir, "cert.pem"), tls.cert);
    writeFileSync(path.join(certDir, "key.pem"), tls.key);
    args.push("--oauth", "basic", "--cert", path.join(certDir, "cert.pem"), "--key", path.join(certDir, "key.pem"));
    env.NODE_EXTRA_CA_CERTS = path.join(certDir, "cert.pem");
  }
  const { child, port } = await launch({ args, env }, 0, options.startTimeoutMs ?? 30000);
  return { poolKey: key, child, port, accounts, args, env, tls, certDir };
}

/**
 * An idle process of this worker started with the same options and at least the accounts asked for,
 * if one is still running (an account nobody asked for is never named to the test).
 */
function takeIdle(key: string, names: string[]): AzuriteProcess | undefined {
  const idle = idleProcesses();
  const i = idle.findIndex((p) => p.poolKey === key && !exited(p.child) && names.every((n) => p.accounts.some((a) => a.name === n)));
  return i < 0 ? undefined : idle.splice(i, 1)[0];
}

async function terminate(proc: AzuriteProcess): Promise<void> {
  if (!exited(proc.child)) proc.child.kill("SIGTERM");
  await waitExit(proc.child, 5000);
  if (proc.certDir) rmSync(proc.certDir, { recursive: true, force: true });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const names = options.accounts ?? ["devstore", "qastore"];
  for (const n of names) {
    if (!/^[a-z0-9]{3,24}$/.test(n)) throw new Error(`azurite: invalid storage account name '${n}'`);
  }
  const key = poolKey(options);
  const proc = (key && takeIdle(key, names)) || (await startProcess(key ? [...new Set([...names, ...SUITE_ACCOUNTS])] : names, options, key));
  const { port, tls } = proc;
  /** Killed on purpose at least once: stopped at the end, never handed to another test file. */
  let faulted = false;
  /** A second `stop()` must not hand the same process on twice (two callers would then share it). */
  let stopped = false;

  const url = `${options.oauth ? "https" : "http"}://127.0.0.1:${port}`;
  const byName = new Map(proc.accounts.filter((a) => names.includes(a.name)).map((a) => [a.name, a]));
  const accounts = names.map((n) => byName.get(n)!);
  const account = (name: string) => {
    const a = byName.get(name);
    if (!a) throw new Error(`azurite: unknown account '${name}' (have ${names.join(", ")})`);
    return a;
  };
  const storage = () => require("@azure/storage-blob") as typeof import("@azure/storage-blob");

  const tenantId = randomUUID();
  const objectId = randomUUID();
  // Tokens for the scope each request asks for (storage here, ARM when the same credential signs
  // management calls), as Entra ID issues them; Azurite checks issuer, audience and lifetime.
  const tokenCredential = (): TokenCredential => testCredential({ tenantId, objectId });
  /** Storage pipelines take no TLS options; a request policy pins the agent that trusts our cert. */
  const trust = (): RequestPolicyFactory => ({
    create: (next) => ({
      sendRequest(req) {
        req.agent = tls!.agent;
        return next.sendRequest(req);
      },
    }),
  });

  /** A client of any account of the process, the ones the caller did not ask for included. */
  const clientOf = (a: AzuriteAccount, pipelineOptions?: StoragePipelineOptions, auth: "sharedKey" | "token" = "sharedKey") => {
    const { BlobServiceClient, StorageSharedKeyCredential, newPipeline } = storage();
    if (auth === "token" && !tls) throw new Error("azurite: token auth needs startAzurite({ oauth: true })");
    const pipeline = newPipeline(auth === "token" ? tokenCredential() : new StorageSharedKeyCredential(a.name, a.key), pipelineOptions);
    if (tls) pipeline.factories.push(trust());
    return new BlobServiceClient(`${url}/${a.name}`, pipeline);
  };
  const serviceClient: Azurite["serviceClient"] = (name, pipelineOptions, auth) => clientOf(account(name), pipelineOptions, auth);

  /**
   * Hands the process to the next test file of this worker as a fresh service: every container of
   * every account deleted (Azurite drops a deleted container's blobs with it) and checked gone. False
   * when that fails; the caller then stops the process instead. This relies on Azurite freeing a
   * deleted container's name at once; Azure keeps it for at least 30 s and answers 409 to a create in
   * that time ("Delete a blob container with JavaScript", Azure Storage docs), which no product code
   * meets: nothing it does deletes and re-creates a container.
   */
  const emptied = async (): Promise<boolean> => {
    try {
      for (const a of proc.accounts) {
        const service = clientOf(a, { retryOptions: { maxTries: 1 } });
        for await (const c of service.listContainers()) await service.deleteContainer(c.name);
        for await (const c of service.listContainers()) throw new Error(`container ${c.name} survived its deletion`);
      }
      return true;
    } catch {
      return false;
    }
  };

  return {
    url,
    port,
    accounts,
    tls,
    tokenCredential,
    blobEndpoint: (name) => `${url}/${account(name).name}`,
    credential: (name) => new (storage().StorageSharedKeyCredential)(name, account(name).key),
    serviceClient,
    kill(signal = "SIGKILL") {
      faulted = true;
      const c = proc.child;
      if (!exited(c)) c.kill(signal);
      return waitExit(c, signal === "SIGKILL" ? undefined : 5000);
    },
    async restart() {
      if (!exited(proc.child)) throw new Error("azurite: restart() needs the process killed first");
      // The port was just freed; another process could take it in between, which would fail here.
      ({ child: proc.child } = await launch(proc, port, options.startTimeoutMs ?? 30000));
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const idle = idleProcesses();
      if (proc.poolKey && !faulted && !exited(proc.child) && (await emptied())) {
        idle.push(proc);
        if (idle.length > MAX_IDLE) await terminate(idle.shift()!);
        return;
      }
      await terminate(proc);
    },
  };
}
