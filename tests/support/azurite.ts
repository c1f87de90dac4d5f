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
 * Each call starts its own process on an ephemeral port with in-memory persistence, so parallel
 * jest workers never share state. A child process (not in-process) because the account list is
 * read from the `AZURITE_ACCOUNTS` environment variable and Azurite keeps module-level state.
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

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const names = options.accounts ?? ["devstore", "qastore"];
  for (const n of names) {
    if (!/^[a-z0-9]{3,24}$/.test(n)) throw new Error(`azurite: invalid storage account name '${n}'`);
  }
  const accounts = names.map((name) => ({ name, key: randomBytes(64).toString("base64") }));
  const main = require.resolve("azurite/dist/src/blob/main.js");
  const args = [
    main,
    "--blobHost", "127.0.0.1",
    "--blobPort", "0",
    ...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--silent",
  ];
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
  const launch = async (listenPort: number): Promise<{ child: ChildProcess; port: number }> => {
    const portArgs = args.map((a, i) => (args[i - 1] === "--blobPort" ? String(listenPort) : a));
    const child = spawn(process.execPath, portArgs, {
      // In-memory persistence writes nothing, but Azurite resolves its workspace from the cwd.
      cwd: os.tmpdir(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    killAllOnExit();
    child.once("exit", () => running.delete(child));

    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`azurite did not start within ${options.startTimeoutMs ?? 30000} ms:\n${out}`));
      }, options.startTimeoutMs ?? 30000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listens on https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          child.stdout!.resume();
          child.stderr!.resume();
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited with code ${code} before listening:\n${out}`));
      });
    });
    return { child, port };
  };
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
  const first = await launch(0);
  const port = first.port;
  let child = first.child;

  const url = `${options.oauth ? "https" : "http"}://127.0.0.1:${port}`;
  const byName = new Map(accounts.map((a) => [a.name, a]));
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

  return {
    url,
    port,
    accounts,
    tls,
    tokenCredential,
    blobEndpoint: (name) => `${url}/${account(name).name}`,
    credential: (name) => new (storage().StorageSharedKeyCredential)(name, account(name).key),
    serviceClient(name, pipelineOptions, auth = "sharedKey") {
      const { BlobServiceClient, StorageSharedKeyCredential, newPipeline } = storage();
      const a = account(name);
      if (auth === "token" && !tls) throw new Error("azurite: token auth needs startAzurite({ oauth: true })");
      const pipeline = newPipeline(auth === "token" ? tokenCredential() : new StorageSharedKeyCredential(a.name, a.key), pipelineOptions);
      if (tls) pipeline.factories.push(trust());
      return new BlobServiceClient(`${url}/${a.name}`, pipeline);
    },
    kill(signal = "SIGKILL") {
      const c = child;
      if (!exited(c)) c.kill(signal);
      return waitExit(c, signal === "SIGKILL" ? undefined : 5000);
    },
    async restart() {
      if (!exited(child)) throw new Error("azurite: restart() needs the process killed first");
      // The port was just freed; another process could take it in between, which would fail here.
      ({ child } = await launch(port));
    },
    stop: async () => {
      const c = child;
      if (!exited(c)) c.kill("SIGTERM");
      await waitExit(c, 5000);
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    },
  };
}
