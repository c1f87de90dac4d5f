/** Child processes timed from spawn to exit, the way a user or CI runner experiences a command. */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface TimedRun {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export function timeProcess(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** The hook the package.json scripts preload (`node -r ./tools/launch/register.js …`). */
export const LAUNCHER = path.join(REPO_ROOT, "tools", "launch", "register.js");

/** Node arguments that run a TypeScript entry point through the launcher the package.json scripts use. */
export function launcherArgs(script: string, args: string[] = []): string[] {
  return ["-r", LAUNCHER, script, ...args];
}

/** `<script> …args` as the package.json scripts run the tools (compiled by the launcher). */
export function timeLauncher(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<TimedRun> {
  return timeProcess(process.execPath, launcherArgs(script, args), { env });
}

/** `tsx <script> …args`: how the tools ran before the launcher, kept for comparison. */
export function timeTsx(script: string, args: string[]): Promise<TimedRun> {
  return timeProcess(process.execPath, [require.resolve("tsx/cli"), script, ...args]);
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
