import { execFile } from "node:child_process";
import * as path from "node:path";
import type { PlanDocument, PlanResource } from "../../shared/plan";
import { shareable, shared } from "./commandCache";
import { launchArgs } from "./launch";

export const REPO = path.resolve(__dirname, "../..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a project command (`tools/<name>/cli.ts`) as a child process, the way `npm run` does. A plan that
 * depends on nothing but the sources is run once per test run and shared (`commandCache.ts`).
 */
export function runTool(tool: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  if (shareable(tool, args, opts)) return shared(tool, args, () => spawnTool(tool, args, opts));
  return spawnTool(tool, args, opts);
}

function spawnTool(tool: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      launchArgs(path.join(REPO, "tools", tool, "cli.ts"), args),
      { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The offline plan of a stack as JSON (fails the test with stderr when the plan does not exit 0). */
export async function planJson(stack: string, extra: string[] = []): Promise<PlanDocument> {
  const r = await runTool("plan", [stack, "--json", ...extra]);
  if (r.code !== 0) throw new Error(`plan ${stack} exited ${r.code}:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as PlanDocument;
}

export function ofType(plan: PlanDocument, type: string): PlanResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function one(plan: PlanDocument, type: string): PlanResource {
  const found = ofType(plan, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}
