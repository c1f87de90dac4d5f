/**
 * A pipeline step may not ask for more nodes than its cluster scales to: the job would wait in the
 * queue forever. The spec checks each published step against its cluster's `maxNodes`, and the plan
 * refuses such a stack with the definition's file and key path (exit 2).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { pipelineDefinitions } from "../../../pipelines/definitions";
import { validatePipelineDefinition } from "../../../pipelines/spec/validate";
import { InputError, InputProblem } from "../../../shared/errors";
import { runTool } from "../../support/plans";

const REPO = path.resolve(__dirname, "../../..");
const train = pipelineDefinitions.training.steps.findIndex((s) => s.name === "train");
const trainNodes = pipelineDefinitions.training.steps[train].nodes!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-nodes-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** dev's config with the gpu cluster's maxNodes set to `maxNodes`, written to a file of its own. */
function devConfigWithGpuMax(maxNodes: number): string {
  const doc = parse(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, { clusters: { name: string; maxNodes: number }[] }> };
  const gpu = doc.config["mlops:compute"].clusters.find((c) => c.name === "gpu")!;
  gpu.maxNodes = maxNodes;
  const file = path.join(dir, `dev-gpu-${maxNodes}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

function problemsOf(configFile: string): InputProblem[] {
  const files = readStackConfigFiles({ projectDir: REPO, stack: "dev", configFile });
  try {
    buildEnvironmentSpec({ project: files.project, stack: "dev", config: files.config, sources: files.sources });
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  return [];
}

test("the training step's nodes above the gpu cluster's maxNodes is a definition problem naming file and key path", () => {
  const problems = problemsOf(devConfigWithGpuMax(trainNodes - 1));
  expect(problems).toEqual([
    {
      file: "pipelines/definitions/training.ts",
      path: `steps[${train}].nodes`,
      message: expect.stringMatching(new RegExp(`asks for ${trainNodes} nodes but cluster 'gpu' \\(.+\\) scales to at most ${trainNodes - 1}`)),
    },
  ]);
});

test("as many nodes as the cluster's maxNodes is fine", () => {
  expect(problemsOf(devConfigWithGpuMax(trainNodes))).toEqual([]);
});

test("a cluster map without maxNodes (no stack config known) does not limit the node count", () => {
  const clusters = { cpu: { name: "c", kind: "cpu" as const }, "cpu-large": { name: "cl", kind: "cpu" as const }, gpu: { name: "g", kind: "gpu" as const } };
  const limited = { ...clusters, gpu: { ...clusters.gpu, maxNodes: 1 } };
  const nodeProblems = (c: typeof clusters) =>
    validatePipelineDefinition("training", pipelineDefinitions.training, c, pipelineDefinitions).filter((p) => p.path.endsWith(".nodes"));
  expect(nodeProblems(clusters)).toEqual([]);
  expect(nodeProblems(limited).map((p) => p.path)).toEqual([`steps[${train}].nodes`]);
});

test("npm run plan refuses it: exit 2, the definition's file and key path, no stack trace, nothing written", async () => {
  const out = path.join(dir, "out");
  const r = await runTool("plan", ["dev", "--config", devConfigWithGpuMax(1), "--out", out]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`pipelines/definitions/training.ts: steps[${train}].nodes: step 'train' asks for ${trainNodes} nodes`);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(fs.existsSync(out)).toBe(false);
}, 60_000);
