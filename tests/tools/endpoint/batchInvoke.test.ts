/**
 * `npm run endpoint -- invoke --batch` against the local Azure ML server, which answers a batch
 * endpoint's scoring URI as Azure does (tests/support/batchInvokeContract.ts): a job on the promoted
 * model's deployment, waited for with progress on stderr; job failure, the bounded wait and bad input
 * each with their exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { testCredential } from "../../support/tokens";
import { EndpointCliDeps, main } from "../../../tools/endpoint/endpoint";
import { InputError } from "../../../shared/errors";
import { createArmJsonClient } from "../../../components/serving/armJsonClient";
import { pinnedComponentSpec } from "../../../components/serving/pinnedBatchComponent";
import { batchInterfaceOf } from "../../../pipelines/spec/batchInterface";
import { pipelineDefinitions } from "../../../pipelines/definitions";

const WS = { subscriptionId: "33333333-3333-3333-3333-333333333333", resourceGroupName: "rg-mlops-qa", workspaceName: "mlw-mlops-qa" };
const VIDEOS = "azureml://datastores/scoring/paths/videos";

let aml: AmlServer;
let ws: string;
let endpointPath: string;
let dir: string;
let outputsFile: string;
let printed: string[];
let progress: string[];
let clock: number;
let deps: EndpointCliDeps;

const run = (...args: string[]) => main(["invoke", "--batch", ...args, "--stack", "qa", "--outputs", outputsFile, "--arm-endpoint", aml.url], deps);
const result = () => JSON.parse(printed.join(""));
const invocations = () => aml.requests.filter((r) => r.path.startsWith("/inference/"));

beforeAll(async () => {
  aml = await startAmlServer();
  aml.seedWorkspace({ ...WS, storageAccountName: "stmlopsqa" });
  ws = aml.workspacePath(WS.subscriptionId, WS.resourceGroupName, WS.workspaceName);
  endpointPath = `${ws}/batchEndpoints/bep-qa`;
  // The pinned component as the stack declares it (same spec builder), wrapping the scoring pipeline.
  const scoringId = `${ws}/components/scoring/versions/3`;
  aml.seed(scoringId, { properties: { componentSpec: { type: "pipeline", inputs: {} } } });
  const pinnedId = `${ws}/components/mlops_batch_scoring/versions/m7-0123456789`;
  const spec = pinnedComponentSpec({ name: "mlops_batch_scoring", version: "m7-0123456789", scoringComponentId: scoringId, modelUri: `azureml:${ws}/models/training_badpixels/versions/7`, iface: batchInterfaceOf(pipelineDefinitions.scoring), description: "Batch scoring with training_badpixels version 7" });
  aml.seed(pinnedId, { properties: { componentSpec: spec } });
  aml.seed(endpointPath, { location: "westeurope", properties: { authMode: "AADToken", defaults: { deploymentName: "scoring" }, scoringUri: aml.batchScoringUri(endpointPath) } });
  const deployment = { deploymentConfiguration: { deploymentConfigurationType: "PipelineComponent", componentId: { referenceType: "Id", assetId: pinnedId } }, provisioningState: "Succeeded" };
  aml.seed(`${endpointPath}/deployments/scoring`, { location: "westeurope", tags: { "model-name": "training_badpixels", "model-version": "7" }, properties: deployment });
  aml.seed(`${endpointPath}/deployments/scoring-v6`, { location: "westeurope", tags: { "model-name": "training_badpixels", "model-version": "6" }, properties: deployment });
  dir = mkdtempSync(path.join(os.tmpdir(), "batch-invoke-"));
  outputsFile = path.join(dir, "qa.outputs.json");
  writeFileSync(outputsFile, JSON.stringify({ ...WS, onlineEndpointName: "ep-qa", batchEndpointName: "bep-qa" }));
});
afterAll(async () => {
  await aml.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  printed = [];
  progress = [];
  clock = 1_000_000;
  aml.clearRequests();
  deps = {
    credential: aml.credential,
    additionalPolicies: aml.clientOptions.additionalPolicies,
    stdout: (t) => void printed.push(t),
    stderr: (t) => void progress.push(t),
    progressStream: { write: (t: string) => progress.push(t), isTTY: false },
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  };
});

test("a job on the default deployment runs the promoted model and is followed to Completed, progress on stderr", async () => {
  aml.queueBatchJobStatuses(["Running", "Running", "Completed"]);
  expect(await run("--input", VIDEOS, "--poll-seconds", "30")).toBe(0);
  const r = result();
  expect(r).toMatchObject({ stack: "qa", endpoint: "bep-qa", deployment: "scoring", model: "training_badpixels:7", status: "Completed", inputs: { videos: { JobInputType: "UriFolder", Uri: VIDEOS } } });
  expect(r.job).toMatch(/^batchjob-[0-9a-f-]{36}$/);
  // The job exists in the workspace, created by the POST to the scoring URI (no deployment header: the default).
  expect(aml.get(`${ws}/jobs/${r.job}`).properties.properties["azureml.deploymentname"]).toBe("scoring");
  expect(invocations()).toHaveLength(1);
  expect(invocations()[0].body).toEqual({ properties: { InputData: { videos: { JobInputType: "UriFolder", Uri: VIDEOS } } } });
  // Plain lines in CI (not a TTY): one per change of state, with the elapsed time.
  expect(progress.filter((l) => l.startsWith(`batch job ${r.job}: `))).toEqual([`batch job ${r.job}: Queued (0s)\n`, `batch job ${r.job}: Running (30s)\n`, `batch job ${r.job}: Completed (1m30s)\n`]);
});

test("on a terminal the progress line is rewritten in place", async () => {
  aml.queueBatchJobStatuses(["Completed"]);
  deps.progressStream = { write: (t: string) => progress.push(t), isTTY: true };
  expect(await run("--input", VIDEOS)).toBe(0);
  expect(progress[0].startsWith("\r\u001b[2K")).toBe(true);
  expect(progress[0].slice(5)).toMatch(/^batch job batchjob-\S+: Queued \(0s\)$/);
  expect(progress.at(-1)).toMatch(/Completed \(15s\)\n$/);
});

test("a named deployment and literal inputs from an inputs file", async () => {
  aml.queueBatchJobStatuses(["Completed"]);
  const file = path.join(dir, "inputs.json");
  writeFileSync(file, JSON.stringify({ inputs: { videos: { type: "uri_folder", path: VIDEOS }, threshold: 0.7, frame_step: 2 } }));
  expect(await run("--input", file, "--deployment", "scoring-v6")).toBe(0);
  expect(result()).toMatchObject({ deployment: "scoring-v6", model: "training_badpixels:6" });
  expect(invocations()[0].body).toEqual({
    properties: { InputData: { videos: { JobInputType: "UriFolder", Uri: VIDEOS }, threshold: { JobInputType: "Literal", Value: 0.7 }, frame_step: { JobInputType: "Literal", Value: 2 } } },
  });
  expect(aml.get(`${ws}/jobs/${result().job}`).properties.properties["azureml.deploymentname"]).toBe("scoring-v6");
});

test("a failed job exits 1 with its status", async () => {
  aml.queueBatchJobStatuses(["Running", "Failed"]);
  expect(await run("--input", VIDEOS)).toBe(1);
  expect(result().status).toBe("Failed");
  expect(progress.join("")).toContain(": Failed (");
});

test("the wait is bounded: still running at the timeout exits 5 and leaves the job running", async () => {
  aml.queueBatchJobStatuses(Array(20).fill("Running"));
  expect(await run("--input", VIDEOS, "--timeout", "1", "--poll-seconds", "20")).toBe(5);
  const r = result();
  expect(r.status).toBe("Running");
  expect(progress.join("")).toContain("still Running after 1 min");
  expect(aml.writes(/\/cancel$/)).toEqual([]);
  expect(clock - 1_000_000).toBe(60_000);
});

test("bad input: every problem at once naming the key, exit 2, and no job started", async () => {
  const file = path.join(dir, "bad-inputs.json");
  writeFileSync(file, JSON.stringify({ inputs: { videoz: VIDEOS, threshold: "high", frame_step: 1.5 }, extra: true }));
  const err = await run("--input", file).catch((e) => e);
  expect(err).toBeInstanceOf(InputError);
  const problems = (err as InputError).problems;
  expect(problems.every((p) => p.file === file)).toBe(true);
  expect(problems.map((p) => p.path).sort()).toEqual(["extra", "inputs.frame_step", "inputs.threshold", "inputs.videos", "inputs.videoz"]);
  expect(problems.find((p) => p.path === "inputs.videos")!.message).toMatch(/missing/);
  expect(invocations()).toEqual([]);
  // Arguments too: all at once.
  const args = await main(["invoke", "--batch", "--stack", "qa", "--request", "x.json", "--timeout", "0", "--deployment", "9x"], deps).catch((e) => e);
  expect((args as InputError).problems.map((p) => p.path).sort()).toEqual(["--deployment", "--input", "--request", "--timeout"]);
  const notUri = await run("--input", path.join(dir, "nowhere")).catch((e) => e);
  expect((notUri as InputError).problems).toEqual([expect.objectContaining({ path: "--input", message: expect.stringMatching(/neither a data URI .* nor a file/) })]);
});

describe("the local server refuses invocations as Azure does", () => {
  const post = (audience: string, body: unknown, headers?: Record<string, string>) =>
    createArmJsonClient(audience, { credential: testCredential(), additionalPolicies: aml.clientOptions.additionalPolicies, retryOptions: { maxRetries: 0 } }).send("POST", aml.batchScoringUri(endpointPath), body, headers);

  test("a token for ARM instead of https://ml.azure.com is refused (401)", async () => {
    const res = await post("https://management.azure.com", { properties: { InputData: { videos: { JobInputType: "UriFolder", Uri: VIDEOS } } } });
    expect(res.status).toBe(401);
  });

  test("undeclared, mistyped and missing inputs, all named (400)", async () => {
    const res = await post("https://ml.azure.com", { properties: { InputData: { videoz: { JobInputType: "UriFolder", Uri: VIDEOS }, threshold: { JobInputType: "UriFile", Uri: VIDEOS } } } });
    expect(res.status).toBe(400);
    const message = res.body.error.message as string;
    expect(message).toContain("properties.InputData.videoz is not an input");
    expect(message).toContain("properties.InputData.threshold is a number input: pass it as JobInputType Literal");
    expect(message).toContain("properties.InputData.videos is required");
  });

  test("no InputData, an unknown deployment (404) and an unknown input kind", async () => {
    expect((await post("https://ml.azure.com", { properties: {} })).status).toBe(400);
    expect((await post("https://ml.azure.com", { properties: { InputData: { videos: { JobInputType: "UriFolder", Uri: VIDEOS } } } }, { "azureml-model-deployment": "nope" })).status).toBe(404);
    const kind = await post("https://ml.azure.com", { properties: { InputData: { videos: { JobInputType: "MLTable", Uri: VIDEOS } } } });
    expect(kind.status).toBe(400);
    expect(kind.body.error.message).toMatch(/JobInputType must be one of UriFolder, UriFile, Literal/);
  });
});
