/**
 * `npm run pipeline -- scaffold`: a training script becomes a single-step pipeline whose definition
 * validates and whose step runs on the toy dataset with exactly the command line the published
 * component gives Azure ML.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { pipelineDefinitions } from "../../../pipelines/definitions";
import { buildPublishPlan } from "../../../pipelines/publisher/plan";
import type { ClusterMap, PipelineDefinition } from "../../../pipelines/spec/types";
import { validatePipelineDefinition } from "../../../pipelines/spec/validate";
import { DEFINITION_MARKER, scaffoldCommand } from "../../../tools/pipeline/scaffold";

const REPO = path.resolve(__dirname, "../../..");
const NOTEBOOK = path.join(__dirname, "fixtures/notebook");
const TOY = path.join(REPO, "pipelines/toydata/make_toy_dataset.py");
let root: string;
let work: string;

function python(args: string[], cwd?: string): string {
  const r = spawnSync("python3", args, { cwd, encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  if (r.status !== 0) throw new Error(`python3 ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** A project with the shipped stack config and definitions index, so the scaffold writes there. */
function freshProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-project-"));
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "pipelines/definitions/index.ts"]) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  }
  return dir;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

function devClusters(): ClusterMap {
  const files = readStackConfigFiles({ projectDir: REPO, stack: "dev" });
  const spec = buildEnvironmentSpec({ project: files.project, stack: "dev", config: files.config, sources: files.sources });
  return Object.fromEntries(spec.clusters.map((c) => [c.key, { name: c.name, kind: c.kind }]));
}

beforeAll(() => {
  root = freshProject();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-run-"));
  python([TOY, "--out", path.join(work, "videos"), "--videos", "3", "--frames", "4"]);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe("scaffolding a single-step pipeline from a training script", () => {
  let printed = "";
  let definition: PipelineDefinition;

  beforeAll(async () => {
    const code = await scaffoldCommand(["scaffold", "toy_trainer", "--from", path.join(NOTEBOOK, "train.py"), "--stack", "dev"], root, pipelineDefinitions, (l) => void (printed += `${l}\n`));
    expect(code).toBe(0);
    const source = fs.readFileSync(path.join(root, "pipelines/definitions/toy_trainer.ts"), "utf8");
    const json = source.slice(source.indexOf(DEFINITION_MARKER)).replace(/^[^=]*= /s, "").replace(/;\s*$/, "");
    definition = JSON.parse(json) as PipelineDefinition;
  });

  test("writes the step folder (script, its modules, environment, .amlignore), the definition and its registration", () => {
    expect(filesUnder(path.join(root, "pipelines"))).toEqual([
      "definitions/index.ts",
      "definitions/toy_trainer.ts",
      "steps/toy_trainer/.amlignore",
      "steps/toy_trainer/conda.yml",
      "steps/toy_trainer/helpers.py",
      "steps/toy_trainer/requirements.txt",
      "steps/toy_trainer/train.py",
    ]);
    const index = fs.readFileSync(path.join(root, "pipelines/definitions/index.ts"), "utf8");
    expect(index).toContain('import { toy_trainer } from "./toy_trainer";');
    expect(index).toMatch(/= \{ training, scoring, toy_trainer \};/);
    expect(fs.readFileSync(path.join(root, "pipelines/steps/toy_trainer/conda.yml"), "utf8")).toContain("      - numpy==1.26.4\n");
  });

  test("argparse arguments become a dataset input, a model output and typed hyperparameters with their defaults", () => {
    expect(definition.parameters).toEqual({
      datasets: { videos: { type: "uri_folder", datastore: "training", path: "videos", description: "Folder of toy videos" } },
      hyperparameters: {
        epochs: { type: "integer", default: 3 },
        learning_rate: { type: "number", default: 0.5 },
        verbose: { type: "integer", default: 0, description: "1 prints progress" },
      },
    });
    expect(definition.steps).toHaveLength(1);
    expect(definition.steps[0]).toMatchObject({ kind: "command", compute: "cpu", entry: "train.py", code: "pipelines/steps/toy_trainer", outputs: { model: { type: "custom_model", pipelineOutput: "model" } } });
  });

  test("the written definition validates against the dev clusters", () => {
    expect(validatePipelineDefinition("toy_trainer", definition, devClusters(), { ...pipelineDefinitions, toy_trainer: definition }, { root })).toEqual([]);
  });

  test("the step runs on the toy dataset with the command line of its published component", () => {
    const plan = buildPublishPlan({ definition, clusters: devClusters(), branch: null, root });
    const command = String(plan.components[0].spec.command);
    const model = path.join(work, "model");
    const values: Record<string, string> = { "inputs.videos": path.join(work, "videos"), "outputs.model": model, "inputs.epochs": "3", "inputs.learning_rate": "0.5", "inputs.verbose": "0" };
    const argv = command.split(" ").map((t) => t.replace(/^\$\{\{(.+)\}\}$/, (_, k: string) => values[k] ?? `UNBOUND ${k}`));
    expect(argv.filter((t) => t.startsWith("UNBOUND"))).toEqual([]);
    expect(argv[0]).toBe("python");
    const stdout = python(argv.slice(1), path.join(root, definition.steps[0].code));
    expect(JSON.parse(stdout.trim())).toEqual({ videos: 3 });
    expect(JSON.parse(fs.readFileSync(path.join(model, "model.json"), "utf8"))).toEqual({ videos: 3, epochs: 3, learning_rate: 0.5 });
  });

  test("prints the chosen cluster and how to run it on the toy data from a feature branch", () => {
    expect(printed).toContain("on cluster 'cpu' of dev");
    expect(printed).toContain("git switch -c feature/toy-trainer");
    expect(printed).toMatch(/npm run pipeline -- run toy_trainer --stack branch-toy-trainer\S* --dataset toy --wait/);
  });
});

describe("scaffold refuses what would not publish, all problems at once, writing nothing", () => {
  test("positional, store_true, a flag the publisher would not pass, a missing default and an unknown cluster", async () => {
    const project = freshProject();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-bad-"));
    try {
      fs.writeFileSync(
        path.join(dir, "train.py"),
        [
          "import argparse",
          "p = argparse.ArgumentParser()",
          'p.add_argument("data")',
          'p.add_argument("--dry", action="store_true")',
          'p.add_argument("--batch_size", type=int, default=8)',
          'p.add_argument("--seed", type=int)',
          "p.parse_args()",
          "",
        ].join("\n"),
      );
      const before = filesUnder(project);
      let error: unknown;
      try {
        await scaffoldCommand(["scaffold", "bad", "--from", path.join(dir, "train.py"), "--compute", "tpu"], project, pipelineDefinitions, () => undefined);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      const messages = (error as InputError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(messages).toEqual([
        expect.stringMatching(/^--compute: 'tpu' is not a cluster of stack 'dev' \(known: cpu \(cpu, /),
        expect.stringMatching(/^line 3: data: is positional/),
        expect.stringMatching(/^line 4: dry: is a store_true flag/),
        expect.stringMatching(/^line 5: batch_size: the published step passes --batch-size/),
        expect.stringMatching(/^line 6: seed: needs a default/),
        ": declares no dataset folder argument (name one with --input <arg>)",
      ]);
      expect(filesUnder(project)).toEqual(before);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
