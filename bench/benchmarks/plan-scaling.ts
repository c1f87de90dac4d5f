/**
 * `plan-scaling`: the dev stack's real program and config with its compute clusters grown to 5, 20 and
 * 50 (dev's own plus generated ones; each is a component with its compute and role assignments), given
 * to the CLI with `--config`. A plan that grows linearly with the resources shows `ratio` well below
 * `sizeRatio`, since process start and module loading are paid once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { timePlan } from "../lib/plans";
import { REPO_ROOT, round } from "../lib/processes";

const CLUSTER_STEPS = [5, 20, 50];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/**
 * Pulumi.dev.yaml with `count` compute clusters: dev's own (pipeline steps refer to them by key) plus
 * generated ones.
 */
export function scaledConfig(devYaml: string, count: number): string {
  const doc = (parse(devYaml) ?? {}) as { config?: Record<string, unknown> };
  const config = { ...(doc.config ?? {}) };
  const compute = { ...((config["mlops:compute"] as { clusters?: unknown[] }) ?? {}) };
  const own = compute.clusters ?? [];
  const generated = Array.from({ length: Math.max(0, count - own.length) }, (_, i) => ({
    name: `c${String(i + 1).padStart(2, "0")}`,
    kind: "cpu",
    vmSize: "Standard_DS3_v2",
    maxNodes: 4,
  }));
  config["mlops:compute"] = { ...compute, clusters: [...own, ...generated] };
  return stringify({ ...doc, config });
}

export default async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-plan-scaling-"));
  try {
    const devYaml = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
    const files = CLUSTER_STEPS.map((n) => {
      const file = path.join(dir, `Pulumi.dev-${n}.yaml`);
      fs.writeFileSync(file, scaledConfig(devYaml, n));
      return file;
    });
    const seconds = CLUSTER_STEPS.map(() => Infinity);
    const resources = CLUSTER_STEPS.map(() => 0);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < files.length; i++) {
        const { seconds: s, plan } = await timePlan("dev", ["--config", files[i]]);
        seconds[i] = Math.min(seconds[i], s);
        resources[i] = plan.resources.length;
        const clusters = plan.resources.filter((x) => x.type === "azure-native:machinelearningservices:Compute").length;
        if (clusters < CLUSTER_STEPS[i]) throw new Error(`config with ${CLUSTER_STEPS[i]} clusters planned only ${clusters}`);
      }
    }
    return {
      // Resources in each plan (components included), for 5, 20 and 50 clusters.
      steps: resources,
      clusters: CLUSTER_STEPS,
      seconds: seconds.map((s) => round(s)),
      // Largest over smallest (§10), not last over first: noise can reorder close times.
      ratio: round(Math.max(...seconds) / Math.min(...seconds), 2),
      sizeRatio: round(Math.max(...resources) / Math.min(...resources), 2),
      rounds: ROUNDS,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
