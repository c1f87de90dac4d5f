import { checkName } from "../../../shared/naming";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipelineDefinitions } from "../../../pipelines";
import { buildPublishPlan, PublishPlan } from "../../../pipelines/publisher/plan";
import { snapshotFolder } from "../../../components/mlAssets/snapshot";
import type { ClusterMap } from "../../../pipelines/spec/types";

const projectRoot = path.resolve(__dirname, "../../..");
const clusters: ClusterMap = { cpu: { name: "mlops-dev-cpu", kind: "cpu" }, gpu: { name: "mlops-dev-gpu", kind: "gpu" } };
const tmpRoots: string[] = [];

function plan(name: string, branch: { name: string; slug: string } | null = null, root = projectRoot): PublishPlan {
  return buildPublishPlan({ definition: pipelineDefinitions[name], clusters, branch, definitions: pipelineDefinitions, root });
}

/** A copy of the step code to change files in. */
function copyOfSteps(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-plan-"));
  tmpRoots.push(root);
  fs.cpSync(path.join(projectRoot, "pipelines/steps"), path.join(root, "pipelines/steps"), { recursive: true });
  return root;
}

afterAll(() => tmpRoots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

describe("snapshots of code folders", () => {
  test(".amlignore excludes files and folders, and excluded files never change the hash", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-snap-"));
    tmpRoots.push(dir);
    fs.writeFileSync(path.join(dir, "main.py"), "print(1)\n");
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib", "util.py"), "X = 1\n");
    fs.mkdirSync(path.join(dir, "local_data"));
    fs.writeFileSync(path.join(dir, "local_data", "big.bin"), Buffer.alloc(1024));
    fs.writeFileSync(path.join(dir, "notes.tmp"), "scratch");
    fs.writeFileSync(path.join(dir, ".amlignore"), "local_data/\n*.tmp\n");

    const first = snapshotFolder(dir);
    expect(first.files.map((f) => f.path)).toEqual([".amlignore", "lib/util.py", "main.py"]);

    fs.writeFileSync(path.join(dir, "local_data", "big.bin"), Buffer.alloc(2048, 1));
    fs.writeFileSync(path.join(dir, "notes.tmp"), "other scratch");
    expect(snapshotFolder(dir).hash).toBe(first.hash);

    fs.writeFileSync(path.join(dir, "lib", "util.py"), "X = 2\n");
    expect(snapshotFolder(dir).hash).not.toBe(first.hash);
  });

  test("without .amlignore, .gitignore applies (as in Azure ML)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-snap-"));
    tmpRoots.push(dir);
    fs.writeFileSync(path.join(dir, "main.py"), "print(1)\n");
    fs.writeFileSync(path.join(dir, "secret.env"), "x");
    fs.writeFileSync(path.join(dir, ".gitignore"), "*.env\n");
    expect(snapshotFolder(dir).files.map((f) => f.path)).toEqual([".gitignore", "main.py"]);
  });
});

describe("publish plan", () => {
  test("dev: names without branch, a component per step on the clusters the definition names", () => {
    const p = plan("training");
    expect(p.pipelineName).toBe("training_badpixels");
    expect(p.experimentName).toBe("training_badpixels");
    expect(p.modelName).toBe("training_badpixels");
    expect(p.contentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(p.pipelineComponent).toMatchObject({ name: "training_badpixels", version: p.contentHash });
    expect(p.components.map((c) => [c.step, c.name, c.kind, c.cluster.name, c.cluster.kind])).toEqual([
      ["extract_frames", "training_badpixels_extract_frames", "parallel", "mlops-dev-cpu", "cpu"],
      ["frame_features", "training_badpixels_frame_features", "parallel", "mlops-dev-cpu", "cpu"],
      ["train", "training_badpixels_train", "distributed", "mlops-dev-gpu", "gpu"],
      ["register_model", "training_badpixels_register_model", "command", "mlops-dev-cpu", "cpu"],
      ["evaluate_model", "training_badpixels_evaluate_model", "command", "mlops-dev-cpu", "cpu"],
    ]);
    for (const c of p.codes) {
      expect(c.version).toBe(snapshotFolder(path.join(projectRoot, c.folder)).hash.slice(0, 16));
      expect(c.blobPrefix).toBe(`LocalUpload/${c.name}/${c.version}`);
    }
    expect(p.pipelineComponent.nodes.map((n) => [n.step, n.compute])).toEqual([
      ["extract_frames", "mlops-dev-cpu"],
      ["frame_features", "mlops-dev-cpu"],
      ["train", "mlops-dev-gpu"],
      ["register_model", "mlops-dev-cpu"],
      ["evaluate_model", "mlops-dev-cpu"],
    ]);
  });

  test("a branch suffixes every name, so two branches never overwrite each other", () => {
    const a = plan("training", { name: "feature/churn-model-a", slug: "churn-model-a" });
    const b = plan("training", { name: "feature/churn-model-b", slug: "churn-model-b" });
    expect(a.pipelineName).toMatch(/^training_badpixels_churn-model-a-[a-z2-7]{13}$/);
    expect(a.modelName.length).toBeLessThanOrEqual(30);
    expect(a.experimentName.length).toBeLessThanOrEqual(36);
    expect(a.modelName).not.toBe(b.modelName);
    expect(a.experimentName).not.toBe(b.experimentName);
    for (const c of a.components) expect(c.name).toMatch(/^training_badpixels_churn_model_a_[a-z2-7]{13}_[a-z_]+$/);
    // The pipeline itself is published as a component: the component rule holds for it too (no '-').
    expect(a.pipelineComponent.name).toMatch(/^training_badpixels_churn_model_a_[a-z2-7]{13}$/);
    expect(a.pipelineComponent.spec).toMatchObject({ name: a.pipelineComponent.name, display_name: a.pipelineName });
    expect(checkName("component", a.pipelineComponent.name)).toBeNull();
    expect(a.pipelineComponent.name).not.toBe(b.pipelineComponent.name);
    // Same code on both branches: same code versions, different asset names.
    expect(a.codes.map((c) => c.version)).toEqual(b.codes.map((c) => c.version));
    expect(a.codes[0].name).not.toBe(b.codes[0].name);
  });

  test("component specs: parallel settings, distributed training, the args with published names filled in", () => {
    const p = plan("training", { name: "feature/x", slug: "x" });
    const [extract, , train, register] = p.components;
    expect(extract.spec).toMatchObject({
      type: "parallel",
      input_data: "${{inputs.videos}}",
      mini_batch_size: "1",
      max_concurrency_per_instance: 2,
      resources: { instance_count: 4 },
      retry_settings: { max_retries: 2, timeout: 600 },
      task: {
        type: "run_function",
        entry_script: "extract_frames.py",
        program_arguments: "--frame-step ${{inputs.frame_step}} --frames ${{outputs.frames}}",
      },
    });
    expect(train.spec).toMatchObject({
      type: "command",
      distribution: { type: "pytorch", process_count_per_instance: 1 },
      resources: { instance_count: 2 },
      outputs: { model: { type: "custom_model" } },
      inputs: { features: { type: "uri_folder" }, labels: { type: "uri_folder" }, epochs: { type: "integer" }, learning_rate: { type: "number" } },
    });
    expect(register.spec.command).toBe(
      `python register_model.py --model \${{inputs.model}} --registration \${{outputs.registration}} --model-name ${p.modelName} --pipeline-name ${p.pipelineName} --branch feature/x`,
    );
    // On dev there is no branch: the empty argument is quoted so the shell still passes it.
    expect(plan("training").components[3].spec.command).toMatch(/--branch ''$/);
  });

  test("the pipeline component wires parameters and step outputs; scoring uses the training model of the same branch", () => {
    const p = plan("scoring", { name: "feature/x", slug: "x" });
    const t = plan("training", { name: "feature/x", slug: "x" });
    expect(p.inputs.models).toEqual({ model: { type: "custom_model", modelName: t.modelName } });
    expect(p.inputs.datasets).toEqual({ videos: { type: "uri_folder", datastore: "scoring", path: "videos" } });
    const score = p.pipelineComponent.nodes.find((n) => n.step === "score")!;
    expect(score.node.inputs).toEqual({
      features: { job_input_type: "literal", value: "${{parent.jobs.frame_features.outputs.features}}" },
      model: { job_input_type: "literal", value: "${{parent.inputs.model}}" },
      threshold: { job_input_type: "literal", value: "${{parent.inputs.threshold}}" },
    });
    expect(score.node.outputs).toEqual({ predictions: { type: "literal", value: "${{parent.outputs.predictions}}" } });
    expect(p.pipelineComponent.spec).toMatchObject({
      type: "pipeline",
      inputs: { videos: { type: "uri_folder" }, model: { type: "custom_model" }, threshold: { type: "number", default: 0.5 } },
      outputs: { predictions: { type: "uri_folder" } },
    });
  });

  test("hashes are stable, and a change in one step's code changes that component and the pipeline only", () => {
    const root = copyOfSteps();
    const before = plan("training", null, root);
    expect(plan("training", null, root)).toEqual(before);
    expect(before.contentHash).toBe(plan("training").contentHash);

    fs.appendFileSync(path.join(root, "pipelines/steps/frame_features/frame_features.py"), "\n# tuned\n");
    const after = plan("training", null, root);
    const changed = after.components.filter((c, i) => c.version !== before.components[i].version).map((c) => c.step);
    expect(changed).toEqual(["frame_features"]);
    expect(after.environments).toEqual(before.environments);
    expect(after.contentHash).not.toBe(before.contentHash);

    // A file the step's .amlignore excludes changes nothing.
    fs.mkdirSync(path.join(root, "pipelines/steps/bad_pixels/local_data"));
    fs.writeFileSync(path.join(root, "pipelines/steps/bad_pixels/local_data/sample.csv"), "x,y\n");
    expect(plan("training", null, root).contentHash).toBe(after.contentHash);
  });

  test("moving a step to another cluster republishes the pipeline component, not the step's component", () => {
    const p1 = plan("training");
    const p2 = buildPublishPlan({
      definition: pipelineDefinitions.training,
      clusters: { ...clusters, cpu: { name: "mlops-dev-cpu2", kind: "cpu" } },
      branch: null,
      definitions: pipelineDefinitions,
      root: projectRoot,
    });
    expect(p2.components.map((c) => c.version)).toEqual(p1.components.map((c) => c.version));
    expect(p2.contentHash).not.toBe(p1.contentHash);
  });
});
