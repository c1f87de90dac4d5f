import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipelineDefinitions, validatePipelineDefinitions } from "../../../pipelines";
import type { ClusterMap, PipelineDefinition } from "../../../pipelines/spec/types";

const clusters: ClusterMap = { cpu: { name: "mlops-dev-cpu", kind: "cpu" }, gpu: { name: "mlops-dev-gpu", kind: "gpu" } };

/** A fresh copy of the shipped definitions, to break one thing at a time. */
function defs(): Record<string, PipelineDefinition> {
  return structuredClone(pipelineDefinitions);
}

function problemsOf(d: Record<string, PipelineDefinition>, c: ClusterMap = clusters) {
  return validatePipelineDefinitions(d, c).map((p) => `${p.file}: ${p.path}: ${p.message}`);
}

describe("pipeline definition validation", () => {
  test("the shipped training and scoring definitions are valid", () => {
    expect(Object.keys(pipelineDefinitions).sort()).toEqual(["scoring", "training"]);
    expect(problemsOf(defs())).toEqual([]);
  });

  test("an unknown cluster names the file, the step path and the clusters that exist", () => {
    const d = defs();
    d.training.steps[1].compute = "cpuu";
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[1].compute: unknown compute cluster 'cpuu'; did you mean 'cpu'? (the stack defines: cpu, gpu)",
    ]);
  });

  test("a GPU-only step on a CPU cluster is rejected", () => {
    const d = defs();
    d.training.steps[2].compute = "cpu";
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[2].compute: step 'train' needs a GPU but cluster 'cpu' (mlops-dev-cpu) is a CPU cluster",
    ]);
    // The same step is fine when the stack's `cpu` key is a GPU cluster.
    expect(problemsOf(d, { ...clusters, cpu: { name: "x", kind: "gpu" } })).toEqual([]);
  });

  test("a cycle between steps is reported with the steps it goes through", () => {
    const d = defs();
    d.training.steps[0].inputs = { ...d.training.steps[0].inputs, features: { step: "frame_features", output: "features" } };
    const problems = problemsOf(d);
    expect(problems).toEqual([
      "pipelines/definitions/training.ts: steps[0].inputs: steps form a cycle: extract_frames → frame_features → extract_frames",
    ]);
  });

  test("a step reading its own output is a cycle", () => {
    const d = defs();
    d.training.steps[1].inputs = { ...d.training.steps[1].inputs, again: { step: "frame_features", output: "features" } };
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[1].inputs.again: step 'frame_features' reads its own output 'features' (a cycle)",
    ]);
  });

  test("dangling inputs: unknown parameter, unknown step, unknown output", () => {
    const d = defs();
    d.training.steps[2].inputs = {
      features: { step: "frame_featurez", output: "features" },
      labels: { parameter: "video" },
      epochs: { step: "extract_frames", output: "nope" },
    };
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[2].inputs.features.step: unknown step 'frame_featurez'; did you mean 'frame_features'?",
      "pipelines/definitions/training.ts: steps[2].inputs.labels.parameter: unknown parameter 'video'; did you mean 'videos'?",
      "pipelines/definitions/training.ts: steps[2].inputs.epochs.output: step 'extract_frames' has no output 'nope'; its outputs: frames",
    ]);
  });

  test("missing code folder, missing entry script and missing conda file", () => {
    const d = defs();
    d.training.steps[0].code = "pipelines/steps/no_such_step";
    d.training.steps[1].entry = "features.py";
    d.training.steps[3].environment = { ...d.training.steps[3].environment, conda: "env.yml" };
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[0].code: code folder 'pipelines/steps/no_such_step' does not exist",
      "pipelines/definitions/training.ts: steps[1].entry: entry script 'features.py' not found in code folder 'pipelines/steps/frame_features'",
      "pipelines/definitions/training.ts: steps[3].environment.conda: conda file 'env.yml' not found in code folder 'pipelines/steps/register_model'",
    ]);
  });

  test("an entry script that .amlignore excludes would never be uploaded", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-validate-"));
    try {
      fs.mkdirSync(path.join(root, "step"));
      fs.writeFileSync(path.join(root, "step", "main.py"), "print('hi')\n");
      fs.writeFileSync(path.join(root, "step", ".amlignore"), "main.py\n");
      const def: PipelineDefinition = {
        name: "tiny",
        type: "training",
        base: "tiny",
        description: "one step",
        parameters: { datasets: { data: { type: "uri_folder", datastore: "toy", path: "data" } } },
        steps: [
          { name: "only", kind: "command", code: "step", entry: "main.py", environment: { image: "python:3.11" }, compute: "cpu", inputs: { data: { parameter: "data" } } },
        ],
      };
      const problems = validatePipelineDefinitions({ tiny: def }, clusters, { root });
      expect(problems).toEqual([
        {
          file: "pipelines/definitions/tiny.ts",
          path: "steps[0].entry",
          message: "entry script 'main.py' is excluded by the code folder's ignore file, so it would not be uploaded",
        },
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("duplicate step names point at both steps", () => {
    const d = defs();
    d.scoring.steps[2].name = "extract_frames";
    const problems = problemsOf(d);
    expect(problems).toContain(
      "pipelines/definitions/scoring.ts: steps[2].name: duplicate step name 'extract_frames' (also steps[0])",
    );
  });

  test("schema problems and graph problems of several definitions come back together", () => {
    const d = defs();
    (d.training.steps[2] as unknown as Record<string, unknown>).framework = "jax";
    (d.training.steps[0] as unknown as Record<string, unknown>).nodes = 0;
    d.scoring.steps[0].compute = "tpu";
    (d.scoring as unknown as Record<string, unknown>).stepz = [];
    const problems = problemsOf(d);
    expect(problems).toEqual(
      expect.arrayContaining([
        'pipelines/definitions/training.ts: steps[2].framework: must be one of "pytorch", "tensorflow", "mpi" (found "jax")',
        "pipelines/definitions/training.ts: steps[0].nodes: must be >= 1 (found 0)",
        "pipelines/definitions/scoring.ts: stepz: unknown key 'stepz'; did you mean 'steps'?",
        "pipelines/definitions/scoring.ts: steps[0].compute: unknown compute cluster 'tpu'; did you mean 'cpu'? (the stack defines: cpu, gpu)",
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  test("kind-specific settings: parallel needs a splittable input, options belong to their kind", () => {
    const d = defs();
    const extract = d.training.steps[0] as unknown as Record<string, unknown>;
    extract.over = "frame_step";
    const register = d.training.steps[3] as unknown as Record<string, unknown>;
    register.framework = "pytorch";
    register.args = ["--model-name", "{modelname}"];
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: steps[0].over: a parallel step splits a uri_folder or mltable input; 'frame_step' is integer",
      "pipelines/definitions/training.ts: steps[3].framework: only applies to distributed steps (this step is command)",
      "pipelines/definitions/training.ts: steps[3].args[1]: unknown placeholder {modelname}; available: {modelName}, {pipelineName}, {experimentName}, {branch}",
    ]);
  });

  test("parameters: wrong default type, unknown model source, a name defined twice", () => {
    const d = defs();
    d.training.parameters.hyperparameters!.epochs = { type: "integer", default: 2.5 };
    d.scoring.parameters.models!.model.fromPipeline = "trainig";
    d.scoring.parameters.hyperparameters!.videos = { type: "string", default: "x" };
    expect(problemsOf(d)).toEqual([
      "pipelines/definitions/training.ts: parameters.hyperparameters.epochs.default: must be an integer (found 2.5)",
      "pipelines/definitions/scoring.ts: parameters.hyperparameters.videos: parameter 'videos' is defined more than once",
      "pipelines/definitions/scoring.ts: parameters.models.model.fromPipeline: unknown pipeline definition 'trainig'; did you mean 'training'?",
    ]);
  });

  test("the definition's name must match its key (the file it lives in)", () => {
    const d = defs();
    d.training.name = "train";
    expect(problemsOf(d)).toEqual(["pipelines/definitions/training.ts: name: must equal the definition key 'training' (found 'train')"]);
  });
});
