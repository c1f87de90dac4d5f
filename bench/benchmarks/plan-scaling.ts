/**
 * `plan-scaling`: the dev stack's real program and config, then the same with 10× its declared
 * compute clusters and pipelines (and so 10× the pipeline steps): dev's own plus generated ones, planned
 * by `npm run plan -- dev --config <file> --json` in a child process each (bench/lib/scaledPlan.ts adds
 * the generated pipeline definitions first). Goal (issue 20): 10× the declared resources in at most
 * 2× the time, since process start and module loading are paid once and the rest grows linearly.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../shared/plan";
import { scaledPipelineNames } from "../lib/scaledPlan";
import { launcherArgs, REPO_ROOT, round, timeProcess } from "../lib/processes";

const FACTORS = [1, 10];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
export const GOAL_RATIO = 2;

/**
 * Pulumi.dev.yaml with `clusterCount` compute clusters (dev's own, which pipeline steps refer to by key,
 * plus generated CPU clusters) and `pipelineFactor` times its published pipelines.
 */
export function scaledConfig(devYaml: string, clusterCount: number, pipelineFactor = 1): string {
  const doc = (parse(devYaml) ?? {}) as { config?: Record<string, unknown> };
  const config = { ...(doc.config ?? {}) };
  const compute = { ...((config["mlops:compute"] as { clusters?: unknown[] }) ?? {}) };
  const own = compute.clusters ?? [];
  const generated = Array.from({ length: Math.max(0, clusterCount - own.length) }, (_, i) => ({
    name: `c${String(i + 1).padStart(2, "0")}`,
    kind: "cpu",
    vmSize: "Standard_DS3_v2",
    maxNodes: 4,
  }));
  config["mlops:compute"] = { ...compute, clusters: [...own, ...generated] };
  const pipelines = { ...((config["mlops:pipelines"] as { publish?: string[] }) ?? {}) };
  if (pipelineFactor > 1) config["mlops:pipelines"] = { ...pipelines, publish: scaledPipelineNames(pipelines.publish ?? [], pipelineFactor) };
  return stringify({ ...doc, config });
}

/** Clusters of the shipped dev config. */
function devClusterCount(devYaml: string): number {
  const doc = parse(devYaml) as { config?: Record<string, { clusters?: unknown[] }> };
  return doc.config?.["mlops:compute"]?.clusters?.length ?? 0;
}

/** What a plan declares: resources (components included), compute clusters, pipelines and their steps. */
function declared(plan: PlanDocument) {
  const pipelines = plan.resources.filter((r) => r.custom && r.type.endsWith("mlops:PublishedPipeline"));
  const steps = pipelines.reduce((n, r) => n + Object.keys(((r.inputs as { componentIds?: object }).componentIds) ?? {}).length, 0);
  return {
    resources: plan.resources.length,
    clusters: plan.resources.filter((r) => r.type === "azure-native:machinelearningservices:Compute").length,
    pipelines: pipelines.length,
    steps,
  };
}

export default async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-plan-scaling-"));
  try {
    const devYaml = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
    const files = FACTORS.map((f) => {
      const file = path.join(dir, `Pulumi.dev-x${f}.yaml`);
      fs.writeFileSync(file, scaledConfig(devYaml, devClusterCount(devYaml) * f, f));
      return file;
    });
    const seconds = FACTORS.map(() => Infinity);
    const sizes: ReturnType<typeof declared>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < FACTORS.length; i++) {
        const run = await timeProcess(process.execPath, launcherArgs("bench/lib/scaledPlan.ts", [String(FACTORS[i]), files[i]]));
        if (run.code !== 0 && run.code !== 3) throw new Error(`plan ×${FACTORS[i]} exited ${run.code}: ${run.stderr.trim().split("\n").slice(0, 5).join(" | ")}`);
        seconds[i] = Math.min(seconds[i], run.seconds);
        sizes[i] = declared(JSON.parse(run.stdout) as PlanDocument);
      }
    }
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    for (const k of ["clusters", "pipelines", "steps"] as const) {
      if (large[k] < small[k] * FACTORS[FACTORS.length - 1]) throw new Error(`the ×${FACTORS[FACTORS.length - 1]} plan declares ${large[k]} ${k}, not 10× ${small[k]}`);
    }
    const ratio = round(Math.max(...seconds) / Math.min(...seconds), 2);
    return {
      factors: FACTORS,
      clusters: sizes.map((s) => s.clusters),
      pipelines: sizes.map((s) => s.pipelines),
      steps: sizes.map((s) => s.steps),
      resources: sizes.map((s) => s.resources),
      seconds: seconds.map((s) => round(s)),
      // Largest over smallest (§10), not last over first: noise can reorder close times.
      ratio,
      sizeRatio: round(large.resources / small.resources, 2),
      goal: `ratio <= ${GOAL_RATIO} at 10x clusters, pipelines and steps`,
      met: ratio <= GOAL_RATIO,
      rounds: ROUNDS,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
