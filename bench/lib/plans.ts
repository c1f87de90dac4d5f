/** Plan runs for the benchmarks: the CLI in a child process per stack, exactly as `npm run plan` does. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PlanDocument } from "../../shared/plan";
import { LAUNCHER, timeLauncher, timeProcess } from "./processes";
import { LOAD_MODULES_SCRIPT } from "./sdkModules";

export const PLAN_CLI = "tools/plan/cli.ts";

/** Plans one stack with `--json`; exit 3 (mandatory policy findings) is still a complete plan. */
export async function timePlan(stack: string, extraArgs: string[] = []): Promise<{ seconds: number; plan: PlanDocument }> {
  const run = await timeLauncher(PLAN_CLI, [stack, "--json", ...extraArgs]);
  if (run.code !== 0 && run.code !== 3) {
    throw new Error(`plan ${stack} ${extraArgs.join(" ")} exited ${run.code}: ${run.stderr.trim().split("\n").slice(0, 5).join(" | ")}`);
  }
  return { seconds: run.seconds, plan: JSON.parse(run.stdout) as PlanDocument };
}

/** The SDK module files a plan of `stack` loads (discovered in a separate, untimed process). */
export async function discoverSdkModules(stack: string, extraArgs: string[] = []): Promise<string[]> {
  const run = await timeLauncher("bench/lib/discoverModules.ts", [stack, ...extraArgs]);
  if (run.code !== 0) throw new Error(`module discovery for ${stack} failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as string[];
}

/** How the floor's process starts: bare Node (the floor), through the launcher, or through tsx. */
export type FloorLaunch = "node" | "launcher" | "tsx";

/**
 * Time for a process to load exactly these module files: with `node`, the floor under a plan. With
 * `launcher`, the same load through tools/launch/register.js (its V8 code cache included), which is
 * what the plan's own start gets; with `tsx`, how `npm run plan` started the CLI before the launcher.
 */
export async function timeModuleLoad(files: string[], launch: FloorLaunch = "node"): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-bench-"));
  try {
    const list = path.join(dir, "modules.json");
    fs.writeFileSync(list, JSON.stringify(files));
    const run =
      launch === "tsx"
        ? await timeProcess(process.execPath, [require.resolve("tsx/cli"), "-e", LOAD_MODULES_SCRIPT.replace("process.argv[1]", JSON.stringify(list))])
        : launch === "launcher"
          ? await timeProcess(process.execPath, ["-r", LAUNCHER, "-e", LOAD_MODULES_SCRIPT, list])
          : await timeProcess(process.execPath, ["-e", LOAD_MODULES_SCRIPT, list]);
    if (run.code !== 0) throw new Error(`loading SDK modules failed: ${run.stderr.trim()}`);
    return run.seconds;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function managedCount(plan: PlanDocument): number {
  return plan.resources.filter((r) => r.custom && !r.read).length;
}
