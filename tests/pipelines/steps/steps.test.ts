/**
 * The step code of the shipped pipelines, run on the toy dataset the way Azure ML runs it: the
 * parallel steps through init()/run(mini_batch) with the runtime's extra arguments, the others as
 * scripts with the arguments the published components pass.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const steps = path.resolve(__dirname, "../../../pipelines/steps");
const toy = path.resolve(__dirname, "../../../pipelines/toydata/make_toy_dataset.py");
let work: string;

function python(args: string[], cwd?: string, env: Record<string, string> = {}): string {
  const r = spawnSync("python3", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env },
  });
  if (r.status !== 0) throw new Error(`python3 ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Calls a parallel entry script's init() and run() as the parallel runtime does, batch by batch. */
function runParallel(folder: string, module: string, argv: string[], files: string[], batchSize: number): string[] {
  const script = `
import json, sys
argv, files, size = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
sys.argv = ["driver"] + argv
import ${module} as step
step.init()
results = []
for i in range(0, len(files), size):
    results.extend(step.run(files[i:i + size]))
print(json.dumps(results))
`;
  const out = python(["-c", script, JSON.stringify(argv), JSON.stringify(files), String(batchSize)], path.join(steps, folder));
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** Calls the online scoring script as the Azure ML inference server does: init() once, run(body) per request. */
function serve(modelDir: string, request: unknown): any {
  const script = `
import json, sys
import serve
serve.init()
print(json.dumps(serve.run(sys.argv[1])))
`;
  const out = python(["-c", script, JSON.stringify(request)], path.join(steps, "bad_pixels"), { AZUREML_MODEL_DIR: modelDir });
  return JSON.parse(out.trim().split("\n").pop()!);
}

function filesUnder(dir: string, ext?: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && (!ext || e.name.endsWith(ext)))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-steps-"));
  python([toy, "--out", path.join(work, "videos"), "--videos", "3", "--frames", "6"]);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("training and scoring steps on the toy dataset", () => {
  test("the toy dataset is deterministic: same seed, same bytes", () => {
    const again = path.join(work, "again");
    python([toy, "--out", again, "--videos", "3", "--frames", "6"]);
    for (const f of ["video_000.y4m", "video_002.y4m", "labels.json"]) {
      expect(fs.readFileSync(path.join(again, f))).toEqual(fs.readFileSync(path.join(work, "videos", f)));
    }
  });

  test("videos → frames → candidates → model → predictions that find exactly the labelled bad pixels", () => {
    const videos = path.join(work, "videos");
    const frames = path.join(work, "frames");
    const features = path.join(work, "features");
    const model = path.join(work, "model");
    const predictions = path.join(work, "predictions");

    // The parallel runtime passes arguments of its own; the scripts must ignore them.
    const extracted = runParallel(
      "extract_frames",
      "extract_frames",
      ["--frames", frames, "--frame-step", "1", "--logging_level", "INFO"],
      filesUnder(videos),
      1,
    );
    expect(extracted).toEqual([
      "labels.json: skipped (not a video)",
      "video_000.y4m: 6 frames",
      "video_001.y4m: 6 frames",
      "video_002.y4m: 6 frames",
    ]);
    expect(filesUnder(frames, ".pgm")).toHaveLength(18);

    const found = runParallel("frame_features", "frame_features", ["--features", features, "--min-deviation", "40"], filesUnder(frames), 4);
    expect(found).toHaveLength(18);
    expect(filesUnder(features, ".csv")).toHaveLength(18);

    const metrics = JSON.parse(
      python(["train.py", "--features", features, "--labels", videos, "--model", model, "--epochs", "300", "--learning-rate", "2.0"], path.join(steps, "bad_pixels")),
    );
    expect(metrics.f1).toBe(1);

    python(["score.py", "--features", features, "--model", model, "--predictions", predictions, "--threshold", "0.5"], path.join(steps, "bad_pixels"));
    const predicted = fs
      .readFileSync(path.join(predictions, "predictions.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").slice(0, 3).join(","))
      .sort();
    const labels = JSON.parse(fs.readFileSync(path.join(videos, "labels.json"), "utf8")) as Record<string, number[][]>;
    const expected = Object.entries(labels)
      .flatMap(([video, pixels]) => pixels.map(([x, y]) => `${video},${x},${y}`))
      .sort();
    expect(predicted).toEqual(expected);
  });

  test("the online scoring script (init/run) finds the same bad pixels as batch scoring, from the frames' candidates", () => {
    // Runs after the test above: it uses the model trained there and the toy videos' candidates.
    const features = path.join(work, "features");
    const model = path.join(work, "model");
    // Azure ML mounts a registered model at azureml-models/<name>/<version>/<folder>.
    const mounted = path.join(work, "azureml-models", "training_badpixels", "7");
    fs.mkdirSync(mounted, { recursive: true });
    fs.cpSync(model, path.join(mounted, "model"), { recursive: true });
    const videos = fs.readdirSync(features).sort().map((name) => ({
      name,
      frames: filesUnder(path.join(features, name), ".csv").map((f) =>
        fs.readFileSync(f, "utf8").trim().split("\n").slice(1).filter(Boolean).map((l) => l.split(",").map(Number)),
      ),
    }));
    const answer = serve(mounted, { videos, threshold: 0.5 });
    expect(answer.model).toEqual({ name: "training_badpixels", version: "7" });
    const predicted = answer.videos.flatMap((v: any) => v.bad_pixels.map((p: any) => `${v.name},${p.x},${p.y}`)).sort();
    const labels = JSON.parse(fs.readFileSync(path.join(work, "videos", "labels.json"), "utf8")) as Record<string, number[][]>;
    const expected = Object.entries(labels).flatMap(([video, pixels]) => pixels.map(([x, y]) => `${video},${x},${y}`)).sort();
    expect(predicted).toEqual(expected);
  });

  test("the online scoring script answers a malformed request with 400 and every problem", () => {
    const mounted = path.join(work, "azureml-models", "training_badpixels", "7");
    const answer = serve(mounted, { videos: [{ name: "a", frames: [[[1, 2, 999]]] }, { frames: [] }], threshold: 2 });
    expect(answer.status).toBe(400);
    expect(answer.error).toContain("threshold: must be a number 0-1, found 2");
    expect(answer.error).toContain("videos[0].frames[0]: must list [x, y, deviation] integers, deviation 0-255");
    expect(answer.error).toContain("videos[1].name: must be a string");
  });

  test("register_model records the model under its name with lineage tags (outside Azure ML: nothing registered)", () => {
    const model = path.join(work, "model");
    const registration = path.join(work, "registration");
    const env = { AZUREML_ROOT_RUN_ID: "run-42" };
    python(
      ["register_model.py", "--model", model, "--model-name", "training_badpixels_x", "--pipeline-name", "training_badpixels_x", "--branch", "feature/x", "--registration", registration],
      path.join(steps, "register_model"),
      env,
    );
    const record = JSON.parse(fs.readFileSync(path.join(registration, "registration.json"), "utf8"));
    expect(record).toMatchObject({
      name: "training_badpixels_x",
      registered: false,
      version: null,
      tags: { pipeline: "training_badpixels_x", branch: "feature/x", run_id: "run-42", metric_f1: "1.0000" },
    });
    expect(record.tags.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("evaluate_model: a first version, a better one and a worse one, each recorded with its reason", () => {
    const registration = path.join(work, "registration");
    const evaluate = (baseline: Record<string, number> | null) => {
      const out = path.join(work, `evaluation-${baseline ? baseline.f1 : "none"}`);
      const args = ["evaluate_model.py", "--registration", registration, "--evaluation", out, "--tolerance", "0.01"];
      if (baseline) {
        const file = path.join(work, `baseline-${baseline.f1}.json`);
        fs.writeFileSync(file, JSON.stringify(baseline));
        args.push("--baseline-metrics", file);
      }
      python(args, path.join(steps, "evaluate_model"));
      return JSON.parse(fs.readFileSync(path.join(out, "evaluation.json"), "utf8"));
    };
    // The registration written by the test above carries metric_f1 = 1.0000.
    expect(evaluate(null)).toMatchObject({ evaluation: "first", recorded: false });
    expect(evaluate({ f1: 0.995 })).toMatchObject({ evaluation: "passed", evaluation_baseline: "local", evaluation_detail: expect.stringContaining("f1 1.0000 vs approved 0.9950") });
    const rel = path.join(work, "registration-worse");
    fs.mkdirSync(rel, { recursive: true });
    const record = JSON.parse(fs.readFileSync(path.join(registration, "registration.json"), "utf8"));
    fs.writeFileSync(path.join(rel, "registration.json"), JSON.stringify({ ...record, tags: { ...record.tags, metric_f1: "0.8000" } }));
    const out = path.join(work, "evaluation-worse");
    const file = path.join(work, "baseline-good.json");
    fs.writeFileSync(file, JSON.stringify({ f1: 0.95 }));
    python(["evaluate_model.py", "--registration", rel, "--evaluation", out, "--baseline-metrics", file], path.join(steps, "evaluate_model"));
    expect(JSON.parse(fs.readFileSync(path.join(out, "evaluation.json"), "utf8"))).toMatchObject({ evaluation: "failed", evaluation_detail: expect.stringMatching(/f1 0\.8000 vs approved 0\.9500 \(-0\.1500/) });
  });
});

describe("definitions and step scripts agree", () => {
  const { pipelineDefinitions } = require("../../../pipelines/definitions") as typeof import("../../../pipelines/definitions");
  const { buildPublishPlan } = require("../../../pipelines/publisher/plan") as typeof import("../../../pipelines/publisher/plan");
  const clusters = { cpu: { name: "c", kind: "cpu" as const }, gpu: { name: "g", kind: "gpu" as const } };

  for (const [name, definition] of Object.entries(pipelineDefinitions)) {
    test(`every flag the ${name} components pass is one its script accepts`, () => {
      const plan = buildPublishPlan({ definition, clusters, branch: null, definitions: pipelineDefinitions, root: path.resolve(__dirname, "../../..") });
      for (const c of plan.components) {
        const step = definition.steps.find((s) => s.name === c.step)!;
        const line = String(c.spec.command ?? (c.spec.task as { program_arguments: string }).program_arguments);
        const flags = [...line.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]);
        const help = python([step.entry, "--help"], path.resolve(__dirname, "../../..", step.code));
        const accepted = new Set([...help.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
        for (const f of flags) expect(`${c.step}: ${accepted.has(f) ? f : `${f} (not accepted)`}`).toBe(`${c.step}: ${f}`);
      }
    });
  }
});
