/**
 * `npm run pipeline -- run …` against the local Azure ML REST server: what it submits (bytes on the
 * wire), how it follows the run, and its exit codes. Time is virtual: `sleep` advances the clock.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { pipelineDefinitions } from "../../../pipelines/definitions";
import { API_VERSIONS } from "../../../components/shared/azure";
import { buildPublishPlan } from "../../../pipelines/publisher/plan";
import { publishedIds } from "../../../pipelines/publisher/provider";
import { ArmRest } from "../../../components/shared/armRest";
import { createRunHistorySender, RunHistory, RUN_HISTORY_API_VERSION } from "../../../pipelines/publisher/runHistory";
import { pipelineCommand, RunDeps, RUN_EXIT } from "../../../tools/pipeline/run";
import { startAmlServer, AmlServer, ChildRunSeed } from "../../support/amlServer";
import { launchArgs } from "../../support/launch";

const ws = { subscriptionId: "00000000-1111-2222-3333-444444444444", resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" };
const clusters = { cpu: { name: "mlops-dev-cpu", kind: "cpu" as const }, gpu: { name: "mlops-dev-gpu", kind: "gpu" as const } };
let aml: AmlServer;
let dir: string;
let outputsFile: string;
let wsPath: string;

function ref(definition: string) {
  const plan = buildPublishPlan({ definition: pipelineDefinitions[definition], clusters, branch: { name: "feature/x", slug: "x" }, definitions: pipelineDefinitions, root: path.resolve(__dirname, "../../..") });
  return {
    definition,
    pipelineName: plan.pipelineName,
    experimentName: plan.experimentName,
    pipelineComponentId: publishedIds(ws, plan).pipelineComponentId,
    inputs: plan.inputs,
    outputs: plan.outputs,
  };
}

let runs = 0;
/** Job name the next `deps()` leads to: real job names are unique, so each test gets its own. */
const nextJobName = () => `${training.experimentName}_20260102030405_run${runs + 1}`.toLowerCase();

/** Deterministic deps: a virtual clock, a job-name suffix per test, captured output. */
function deps(extra: Partial<RunDeps> = {}) {
  const suffix = `run${++runs}`;
  let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const d: RunDeps = {
    sender: (endpoint, sub) => {
      expect(endpoint).toBe(aml.url);
      return aml.client(sub);
    },
    // The workspace's discoveryUrl names this server: the run history host is its origin.
    historySender: (endpoint) => {
      expect(endpoint).toBe(aml.url);
      return createRunHistorySender(aml.credential, aml.clientOptions.additionalPolicies);
    },
    stackOutputs: () => {
      throw new Error("stack outputs should come from --outputs here");
    },
    sleep: async (ms) => void (clock += ms),
    now: () => clock,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    // A CI log (not a TTY): one line per status, with the elapsed time.
    progressStream: { write: (t: string) => progress.push(t), isTTY: false },
    uniqueSuffix: () => suffix,
    ...extra,
  };
  return { d, out, err, progress };
}

const training = ref("training");
const argv = (...more: string[]) => ["run", "training", "--stack", "branch-x", "--outputs", outputsFile, "--arm-endpoint", aml.url, ...more];

beforeAll(async () => {
  aml = await startAmlServer();
  aml.seedWorkspace({ ...ws, storageAccountName: "devstore", properties: { discoveryUrl: `${aml.url}/discovery` } });
  wsPath = aml.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-run-"));
  outputsFile = path.join(dir, "outputs.json");
  const scoring = ref("scoring");
  fs.writeFileSync(outputsFile, JSON.stringify({ workspaceName: ws.workspaceName, publishedPipelines: { training, scoring } }));
  // The published pipeline components the runs reference: Azure refuses a job naming a missing one.
  for (const r of [training, scoring]) aml.seed(r.pipelineComponentId, { properties: { componentSpec: { type: "pipeline", name: r.pipelineComponentId.split("/").at(-3) } } });
});
afterAll(async () => {
  await aml?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => aml.clearRequests());

describe("pipeline run", () => {
  test("submits a pipeline job of the published pipeline on the toy dataset, with asset inputs intact on the wire", async () => {
    const jobName = nextJobName();
    const { d, out, progress } = deps();
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Completed"]);
    expect(await pipelineCommand(argv("--dataset", "toy", "--wait", "--param", "epochs=5"), d)).toBe(RUN_EXIT.completed);

    const [put] = aml.writes();
    expect(put.method).toBe("PUT");
    expect(put.path).toBe(`${wsPath}/jobs/${jobName}`);
    expect(put.query["api-version"]).toBe(API_VERSIONS.machineLearningAssets);
    const props = (put.body as any).properties;
    expect(props).toMatchObject({
      jobType: "Pipeline",
      experimentName: training.experimentName,
      inputs: {
        videos: { jobInputType: "uri_folder", uri: "azureml://datastores/toy/paths/videos", mode: "ReadOnlyMount" },
        epochs: { jobInputType: "literal", value: "5" },
        learning_rate: { jobInputType: "literal", value: "2" },
      },
      outputs: { model: { jobOutputType: "custom_model" } },
      jobs: {
        training: {
          type: "pipeline",
          componentId: training.pipelineComponentId,
          inputs: { videos: { job_input_type: "literal", value: "${{parent.inputs.videos}}" } },
          outputs: { model: { type: "literal", value: "${{parent.outputs.model}}" } },
        },
      },
      tags: { stack: "branch-x", dataset: "toy" },
    });
    expect(out).toContain(
      `portal: https://ml.azure.com/runs/${jobName}?wsid=/subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroupName}/workspaces/${ws.workspaceName}`,
    );
    // Status goes to stderr with the elapsed time, never to stdout.
    expect(out.filter((l) => /status|Running/.test(l))).toEqual([]);
    expect(progress.map((l) => l.replace(/ \(.*\)\n$/, ""))).toEqual(expect.arrayContaining([`run ${jobName}: Starting`, `run ${jobName}: Running`, `run ${jobName}: Completed`]));
    expect(progress.at(-1)).toMatch(/: Completed \(\d+(s|m\d\ds)\)\n$/);
  });

  test("why the SDK's own operation is not used: it drops uri and mode from the same job", async () => {
    const { d } = deps();
    await pipelineCommand(argv("--dataset", "toy"), d);
    const sent = (aml.writes()[0].body as any).properties;
    aml.clearRequests();
    // Azure refuses the SDK's version of the job: an asset input without its uri.
    await expect(aml.client(ws.subscriptionId).jobs.createOrUpdate(ws.resourceGroupName, ws.workspaceName, "via-sdk", { properties: sent })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/inputs\.videos\.uri' is required/),
    });
    const viaSdk = (aml.writes()[0].body as any).properties;
    expect(viaSdk.inputs.videos).toEqual({ jobInputType: "uri_folder" });
    expect(sent.inputs.videos.uri).toBe("azureml://datastores/toy/paths/videos");
  });

  test("a failed run exits 1 and says where to look", async () => {
    const jobName = nextJobName();
    const { d, err } = deps();
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Failed"]);
    expect(await pipelineCommand(argv("--wait"), d)).toBe(RUN_EXIT.failed);
    expect(err.join("\n")).toMatch(new RegExp(`run ${jobName} ended Failed: https://ml.azure.com/runs/`));
  });

  test("a run still going at the timeout is canceled and exits 5", async () => {
    const jobName = nextJobName();
    const { d, err } = deps();
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Queued", "Running"]);
    expect(await pipelineCommand(argv("--wait", "--timeout", "2", "--poll-seconds", "30"), d)).toBe(RUN_EXIT.timedOut);
    expect(aml.writes().map((r) => `${r.method} ${r.path.replace(wsPath, "")}`)).toEqual([
      `PUT /jobs/${jobName}`,
      `POST /jobs/${jobName}/cancel`,
    ]);
    expect(aml.get(`${wsPath}/jobs/${jobName}`).properties.status).toBe("Canceled");
    expect(err[0]).toMatch(/^timed out after 2 min with the run Running; canceling/);
  });

  test("the timeout falls when it is due, not a full poll interval later", async () => {
    const jobName = nextJobName();
    const slept: number[] = [];
    const base = deps();
    const sleep = base.d.sleep;
    const d = { ...base.d, sleep: async (ms: number) => (slept.push(ms), sleep(ms)) };
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running"]);
    expect(await pipelineCommand(argv("--wait", "--timeout", "1", "--poll-seconds", "600"), d)).toBe(RUN_EXIT.timedOut);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(60_000);
  });

  test("without --wait it submits, prints the link and exits 0 without polling", async () => {
    const { d, out } = deps();
    expect(await pipelineCommand(argv(), d)).toBe(RUN_EXIT.completed);
    expect(aml.reads()).toEqual([]);
    expect(out.some((l) => l.startsWith("portal: https://ml.azure.com/runs/"))).toBe(true);
  });

  test("without --outputs the stack's own outputs are read (pulumi stack output --json --stack <stack>)", async () => {
    const asked: string[] = [];
    const { d } = deps({
      stackOutputs: (stack) => {
        asked.push(stack);
        return { publishedPipelines: { training } };
      },
    });
    expect(await pipelineCommand(["run", "training", "--stack", "branch-x", "--arm-endpoint", aml.url], d)).toBe(0);
    expect(asked).toEqual(["branch-x"]);
    expect(aml.writes()).toHaveLength(1);
  });

  test("scoring runs with the latest registered version of the training model", async () => {
    const scoring = ref("scoring");
    const model = scoring.inputs.models.model.modelName;
    aml.seed(`${wsPath}/models/${model}/versions/1`, { properties: { modelType: "custom_model" } }, "2026-01-01T00:00:00Z");
    aml.seed(`${wsPath}/models/${model}/versions/2`, { properties: { modelType: "custom_model" } }, "2026-01-02T00:00:00Z");
    const { d, out } = deps();
    expect(await pipelineCommand(["run", "scoring", "--stack", "branch-x", "--outputs", outputsFile, "--arm-endpoint", aml.url], d)).toBe(0);
    const props = (aml.writes()[0].body as any).properties;
    expect(props.inputs.model).toEqual({ jobInputType: "custom_model", uri: `azureml:${wsPath}/models/${model}/versions/2`, mode: "ReadOnlyMount" });
    expect(out).toContain(`model model: ${model} version 2`);
  });

  test("scoring before any model is registered fails clearly", async () => {
    const other = ref("scoring");
    other.inputs.models.model.modelName = "never_trained";
    const file = path.join(dir, "untrained.json");
    fs.writeFileSync(file, JSON.stringify({ publishedPipelines: { scoring: other } }));
    const { d } = deps();
    await expect(pipelineCommand(["run", "scoring", "--stack", "s", "--outputs", file, "--arm-endpoint", aml.url], d)).rejects.toMatchObject({
      code: RUN_EXIT.failed,
      message: expect.stringMatching(/model 'never_trained' has no registered version yet/),
    });
    expect(aml.writes()).toEqual([]);
  });
});

describe("pipeline run --wait: steps (run history child runs)", () => {
  // The published job has one node, the pipeline component; its child runs are the steps.
  const at = (s: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + s * 1000).toISOString();
  function steps(jobName: string, node: ChildRunSeed["status"], snapshots: ChildRunSeed[][]) {
    const nodeRun = `${jobName}_training`;
    aml.queueChildRuns(wsPath, jobName, [[{ runId: nodeRun, displayName: "training", status: node, startTimeUtc: at(1) }]]);
    aml.queueChildRuns(wsPath, nodeRun, snapshots);
  }
  const prepare = (status: string, end?: number): ChildRunSeed => ({ runId: "p1", displayName: "prepare", status, startTimeUtc: at(5), ...(end ? { endTimeUtc: at(end) } : {}) });
  const train = (status: string, extra: Partial<ChildRunSeed> = {}): ChildRunSeed => ({ runId: "t1", displayName: "train", status, startTimeUtc: at(25), ...extra });

  test("CI log: each step's change of status is a line with its elapsed time, on stderr only", async () => {
    const jobName = nextJobName();
    const { d, out, progress } = deps();
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Running", "Completed"]);
    steps(jobName, "Running", [
      [prepare("Running")],
      [prepare("Completed", 25), train("Running")],
      [prepare("Completed", 25), train("Completed", { endTimeUtc: at(40) })],
    ]);
    expect(await pipelineCommand(argv("--wait"), d)).toBe(RUN_EXIT.completed);
    expect(progress).toEqual([
      `run ${jobName}: Starting (0s)\n`,
      `run ${jobName}: Running (15s)\n`,
      `run ${jobName}: step training/prepare: Running (10s)\n`,
      `run ${jobName}: step training/prepare: Completed (20s)\n`,
      `run ${jobName}: step training/train: Running (5s)\n`,
      `run ${jobName}: step training/train: Completed (15s)\n`,
      `run ${jobName}: Completed (45s)\n`,
    ]);
    expect(out.join("\n")).not.toMatch(/step|prepare/);
    // The documented operation, its api-version, and a token for the Azure ML data plane.
    const history = aml.reads(/^\/history\//);
    expect(history[0].path).toBe(`/history/v1.0${wsPath}/experiments/${training.experimentName}/runs/${jobName}/children`);
    expect(history.every((r) => r.query["api-version"] === RUN_HISTORY_API_VERSION && r.status === 200)).toBe(true);
    const aud = JSON.parse(Buffer.from(String(history[0].headers.authorization).split(".")[1], "base64url").toString()).aud;
    expect(aud).toBe("https://ml.azure.com");
  });

  test("a failed step is named, with its error, and the run exits 1", async () => {
    const jobName = nextJobName();
    const { d, err, progress } = deps();
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Failed"]);
    steps(jobName, "Failed", [[prepare("Running")], [prepare("Completed", 25), train("Failed", { endTimeUtc: at(28), error: "CUDA out of memory" })]]);
    expect(await pipelineCommand(argv("--wait"), d)).toBe(RUN_EXIT.failed);
    expect(progress).toContain(`run ${jobName}: step training/train: Failed (3s)\n`);
    expect(err).toContain("step training/train Failed: CUDA out of memory");
    expect(err.at(-1)).toMatch(new RegExp(`^run ${jobName} ended Failed \\(step training/train Failed\\): https://ml.azure.com/runs/`));
  });

  test("terminal: one block redrawn in place (run line, then a line per step), no line per change", async () => {
    const jobName = nextJobName();
    const frames: string[] = [];
    const { d } = deps({ progressStream: { write: (t: string) => frames.push(t), isTTY: true } });
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Running", "Completed"]);
    steps(jobName, "Running", [[prepare("Running")], [prepare("Completed", 25), train("Running")], [prepare("Completed", 25), train("Completed", { endTimeUtc: at(40) })]]);
    expect(await pipelineCommand(argv("--wait"), d)).toBe(RUN_EXIT.completed);
    // Each frame goes back over the previous block (its line count), erases, and draws the new one.
    // ESC shown as <ESC>: "<ESC>[nA" moves n lines up, "\r<ESC>[J" erases to the end of the screen.
    const shown = frames.map((f) => f.split(String.fromCharCode(27)).join("<ESC>"));
    expect(shown.map((f) => /^(?:<ESC>\[(\d+)A)?\r<ESC>\[J/.exec(f)?.[1] ?? "none")).toEqual(["none", "1", "2", "3"]);
    const block = (i: number) => shown[i].replace(/^(?:<ESC>\[\d+A)?\r<ESC>\[J/, "").split("\n").filter(Boolean);
    expect(block(2)).toEqual([`run ${jobName}: Running (30s)`, "  ✓ training/prepare  Completed  20s", "  ▸ training/train    Running  5s"]);
    expect(block(shown.length - 1)).toEqual([`run ${jobName}: Completed (45s)`, "  ✓ training/prepare  Completed  20s", "  ✓ training/train    Completed  15s"]);
  });

  test("steps that cannot be read do not stop the wait: said once, the job's own status still followed", async () => {
    const jobName = nextJobName();
    // A token for ARM, not for the data plane: the run history refuses it.
    const { d, err } = deps({ historySender: () => aml.client(ws.subscriptionId) });
    aml.queueJobStatuses(`${wsPath}/jobs/${jobName}`, ["Running", "Running", "Completed"]);
    expect(await pipelineCommand(argv("--wait"), d)).toBe(RUN_EXIT.completed);
    expect(err.filter((l) => l.startsWith("step status unavailable"))).toEqual([
      expect.stringMatching(/^step status unavailable \(run history answered 401 InvalidAuthenticationTokenAudience/),
    ]);
  });
});

describe("local run history refuses what Azure refuses", () => {
  const childrenPath = (experiment: string, runId: string) => `/history/v1.0${wsPath}/experiments/${experiment}/runs/${runId}/children`;
  const history = () => new ArmRest(createRunHistorySender(aml.credential, aml.clientOptions.additionalPolicies), aml.url, RUN_HISTORY_API_VERSION);

  test("unknown run, another experiment, missing api-version, a token for another audience", async () => {
    const jobName = nextJobName();
    await pipelineCommand(argv(), deps().d);
    expect((await history().send("GET", childrenPath(training.experimentName, jobName))).status).toBe(200);
    expect(await history().send("GET", childrenPath(training.experimentName, "no_such_run"))).toMatchObject({ status: 404, body: { error: { code: "UserError" } } });
    expect(await history().send("GET", childrenPath("other_experiment", jobName))).toMatchObject({ status: 404 });
    expect(await new ArmRest(createRunHistorySender(aml.credential, aml.clientOptions.additionalPolicies), aml.url, "").send("GET", childrenPath(training.experimentName, jobName))).toMatchObject({
      status: 400,
      body: { error: { code: "MissingApiVersionParameter" } },
    });
    const armToken = new ArmRest(aml.client(ws.subscriptionId), aml.url, RUN_HISTORY_API_VERSION);
    expect(await armToken.send("GET", childrenPath(training.experimentName, jobName))).toMatchObject({ status: 401, body: { error: { code: "InvalidAuthenticationTokenAudience" } } });
  });

  test("pages: the client follows continuationToken to the last page", async () => {
    const small = await startAmlServer({ pageSize: 2 });
    try {
      small.seedWorkspace(ws);
      const p = small.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName);
      small.seed(`${p}/jobs/job1`, { properties: { jobType: "Pipeline", experimentName: "exp" } });
      const five = ["a", "b", "c", "d", "e"].map((n) => ({ runId: n, displayName: n, status: "Completed" }));
      small.queueChildRuns(p, "job1", [five]);
      const h = new RunHistory(createRunHistorySender(small.credential, small.clientOptions.additionalPolicies), small.url);
      expect((await h.steps(ws, "exp", "job1")).map((s) => s.name)).toEqual(["a", "b", "c", "d", "e"]);
      expect(small.reads(/children$/).map((r) => r.query.$continuationtoken)).toEqual(expect.arrayContaining([undefined, "2", "4"]));
    } finally {
      await small.close();
    }
  });
});

describe("bad input", () => {
  async function problems(args: string[]) {
    const { d } = deps();
    try {
      await pipelineCommand(args, d);
    } catch (e) {
      if (e instanceof InputError) return e.problems.map((p) => `${p.file}: ${p.path}: ${p.message.split("\n")[0]}`);
      throw e;
    }
    throw new Error("expected bad input");
  }

  test("every argument problem at once", async () => {
    expect(await problems(["start", "Training!", "--timeout", "soon", "--dataset", "Toy", "--param", "epochs"])).toEqual([
      "command line: start: expected the command 'run', 'scaffold' or 'changed'",
      "command line: <pipeline>: 'Training!' is not a pipeline definition name",
      "command line: --stack: is required",
      "command line: --dataset: 'Toy' is not a datastore name",
      "command line: --timeout: must be a number of minutes from 1 to 1440 (found 'soon')",
      "command line: --param: expected <name>=<value> (found 'epochs')",
    ]);
  });

  test("outputs that lack the pipeline, or are not JSON, name the file and the key", async () => {
    expect(await problems(["run", "evaluation", "--stack", "dev", "--outputs", outputsFile])).toEqual([
      `${outputsFile}: publishedPipelines.evaluation: is missing; the stack publishes: training, scoring`,
    ]);
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, "{ not json");
    expect((await problems(["run", "training", "--stack", "dev", "--outputs", broken]))[0]).toMatch(new RegExp(`^${broken}: : is not valid JSON`));
    const partial = path.join(dir, "partial.json");
    fs.writeFileSync(partial, JSON.stringify({ publishedPipelines: { training: { ...training, pipelineComponentId: "nope", inputs: undefined } } }));
    expect(await problems(["run", "training", "--stack", "dev", "--outputs", partial])).toEqual([
      `${partial}: publishedPipelines.training.pipelineComponentId: is not an Azure ML component ARM id (found 'nope')`,
      `${partial}: publishedPipelines.training.inputs: must hold datasets, hyperparameters and models`,
    ]);
  });

  test("hyperparameter overrides are checked against the published pipeline", async () => {
    expect(await problems(argv("--param", "epochs=many", "--param", "lr=1"))).toEqual([
      "command line: --param epochs: must be an integer (found 'many')",
      "command line: --param lr: unknown hyperparameter; training has: frame_step, min_deviation, epochs, learning_rate",
    ]);
  });

  test("durations are range-checked before anything runs (Node timers overflow past 2^31-1 ms)", async () => {
    expect(await problems(argv("--poll-seconds", "2147484", "--timeout", "0"))).toEqual([
      "command line: --timeout: must be a number of minutes from 1 to 1440 (found '0')",
      "command line: --poll-seconds: must be a number of seconds from 1 to 600 (found '2147484')",
    ]);
    expect(await problems(argv("--timeout", "1e9", "--poll-seconds", "", "--param", "epochs=1", "--param", "epochs=2"))).toEqual([
      "command line: --timeout: must be a number of minutes from 1 to 1440 (found '1e9')",
      "command line: --poll-seconds: must be a number of seconds from 1 to 600 (found '')",
      "command line: --param epochs: given more than once",
    ]);
  });

  test("names that exist on every object are not hyperparameters", async () => {
    expect(await problems(argv("--param", "constructor=5", "--param", "__proto__=1", "--param", "toString=x"))).toEqual([
      "command line: --param constructor: unknown hyperparameter; training has: frame_step, min_deviation, epochs, learning_rate",
      "command line: --param __proto__: unknown hyperparameter; training has: frame_step, min_deviation, epochs, learning_rate",
      "command line: --param toString: unknown hyperparameter; training has: frame_step, min_deviation, epochs, learning_rate",
    ]);
  });

  test("the CLI exits 2 with the problems and no stack trace", () => {
    const r = spawnSync(process.execPath, launchArgs(path.resolve(__dirname, "../../../tools/pipeline/cli.ts"), ["run", "training"]), { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("1 problem found:\n  - command line: --stack: is required\n");
  });
});
