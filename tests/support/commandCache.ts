/**
 * One offline plan per stack per test run, shared by every suite (and every jest worker) that asks for
 * the same command: `plan dev --json` gives the same stdout, stderr and exit code each time the sources
 * are the same, and each costs a process full of SDK loading. Results live in
 * `node_modules/.cache/mlops-plans/<digest of the sources>/`, so an edit to the program, a stack file
 * or the lock file starts a fresh cache, and a rerun with unchanged sources reuses the last one.
 *
 * Only commands whose result depends on nothing but the sources are shared: no file arguments
 * (`--config`, `--out`, `--against`), no extra environment, the repository as working directory.
 * Workers coordinate with a lock directory per command; a lock whose owner died is taken over.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../..");
const ROOT_DIR = path.join(REPO, "node_modules", ".cache", "mlops-plans");
/** What a plan reads: the program, its tools and policy, stack files, dependency versions. */
const SOURCE_FOLDERS = ["shared", "infra", "components", "pipelines", "policy", "tools"];
const SOURCE_FILE = /^(Pulumi(\.[\w.-]+)?\.yaml|package(-lock)?\.json|tsconfig\.json)$/;
/** Environment the program reads (branch detection in CI) or that changes the SDK's behaviour. */
const ENV_KEY = /^(GITHUB_|BUILD_|SYSTEM_|MLOPS_|PULUMI_|AZURE_)/;
const FILE_FLAGS = ["--config", "--out", "--against"];
const KEEP_DIGESTS = 3;
const STALE_LOCK_MS = 10 * 60_000;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

let digest: string | undefined;

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== ".git") yield* files(full);
    } else if (e.isFile()) yield full;
  }
}

/** Hash of every file a plan depends on, plus Node's version and the relevant environment. */
export function sourcesDigest(): string {
  if (digest) return digest;
  const hash = createHash("sha256").update(process.version);
  const roots = fs.readdirSync(REPO).filter((f) => SOURCE_FILE.test(f)).sort().map((f) => path.join(REPO, f));
  const all = [...roots, ...SOURCE_FOLDERS.flatMap((d) => (fs.existsSync(path.join(REPO, d)) ? [...files(path.join(REPO, d))] : []))];
  for (const f of all) hash.update(path.relative(REPO, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  for (const k of Object.keys(process.env).filter((k) => ENV_KEY.test(k)).sort()) hash.update(`${k}=${process.env[k]}\0`);
  digest = hash.digest("hex").slice(0, 16);
  return digest;
}

/** True when the command's result depends only on the sources (see the module comment). */
export function shareable(tool: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): boolean {
  if (tool !== "plan" || opts.env !== undefined || (opts.cwd !== undefined && path.resolve(opts.cwd) !== REPO)) return false;
  return !args.some((a) => FILE_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
}

const inProcess = new Map<string, Promise<CommandResult>>();

/**
 * The command's result from the shared cache, or `run()` once for all workers. Results with exit 0
 * or 3 (planned, policy findings) are kept; anything else is returned but not stored.
 */
export function shared(tool: string, args: string[], run: () => Promise<CommandResult>): Promise<CommandResult> {
  const key = createHash("sha256").update(JSON.stringify([tool, ...args])).digest("hex").slice(0, 24);
  let pending = inProcess.get(key);
  if (!pending) {
    pending = lookup(key, run);
    inProcess.set(key, pending);
  }
  return pending;
}

async function lookup(key: string, run: () => Promise<CommandResult>): Promise<CommandResult> {
  const dir = path.join(ROOT_DIR, sourcesDigest());
  fs.mkdirSync(dir, { recursive: true });
  pruneOldDigests();
  const result = path.join(dir, `${key}.json`);
  const lock = path.join(dir, `${key}.lock`);
  for (;;) {
    const cached = readResult(result);
    if (cached) return cached;
    if (!takeLock(lock)) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      const again = readResult(result);
      if (again) return again;
      const r = await run();
      if (r.code === 0 || r.code === 3) {
        const tmp = `${result}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(r));
        fs.renameSync(tmp, result);
      }
      return r;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

function readResult(file: string): CommandResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as CommandResult;
  } catch {
    return undefined;
  }
}

/** mkdir is atomic: whoever creates the lock directory runs the command. */
function takeLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, "owner"), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  if (lockIsStale(lock)) fs.rmSync(lock, { recursive: true, force: true });
  return false;
}

function lockIsStale(lock: string): boolean {
  try {
    const age = Date.now() - fs.statSync(lock).mtimeMs;
    if (age > STALE_LOCK_MS) return true;
    const pid = Number(fs.readFileSync(path.join(lock, "owner"), "utf8"));
    if (!pid) return age > 5_000; // owner file not written yet: give it a moment
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Keeps the caches of the last few source versions. */
function pruneOldDigests(): void {
  try {
    const dirs = fs
      .readdirSync(ROOT_DIR)
      .map((name) => ({ name, mtime: fs.statSync(path.join(ROOT_DIR, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const d of dirs.slice(KEEP_DIGESTS)) fs.rmSync(path.join(ROOT_DIR, d.name), { recursive: true, force: true });
  } catch {
    // Pruning is housekeeping; another worker may be doing it at the same time.
  }
}
