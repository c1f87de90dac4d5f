/**
 * The `mlops:ModelRollout` provider called directly against the local Azure ML server (HTTPS,
 * long-running operations, the serving contract), with smoke requests answered by the real online
 * scoring script (`serve.py`: init() once, run(body)) on a toy model, as the inference server would.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { expectGolden, lastPut } from "../../system/golden/golden";
import { createArmJsonClient } from "../../../components/serving/armJsonClient";
import { API_VERSIONS } from "../../../components/shared/azure";
import {
  checkRolloutInputs,
  ModelRolloutInputs,
  ModelRolloutOutputs,
  ModelRolloutProvider,
  isRolloutFailed,
  type RolloutFailed,
  FAILURE_TAGS,
  ScoringResponse,
  STOP_TAG,
} from "../../../components/serving/modelRolloutProvider";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const RG = "rg-acme-qa";
const WS = "mlw-acme-qa";
const STEPS = path.resolve(__dirname, "../../../pipelines/steps/bad_pixels");
const SAMPLE = JSON.parse(fs.readFileSync(path.join(STEPS, "sample-request.json"), "utf8"));

let aml: AmlServer;
let ws: string;
let endpointPath: string;
let work: string;
/** How each deployment answers: "healthy", "failing", or healthy for the first n requests. */
const behaviour = new Map<string, "healthy" | "failing" | { healthyFor: number }>();
const scored: { deployment: string; authorization: string | undefined }[] = [];

/** The inference server's contract: init() loads the mounted model, run(body) answers. */
function runScoringScript(version: string, body: string): ScoringResponse {
  const modelDir = path.join(work, "azureml-models", "badpixels", version);
  const script = "import json, sys\nimport serve\nserve.init()\nprint(json.dumps(serve.run(sys.stdin.read())))";
  const r = spawnSync("python3", ["-c", script], { cwd: STEPS, input: body, encoding: "utf8", env: { ...process.env, AZUREML_MODEL_DIR: modelDir, PYTHONDONTWRITEBYTECODE: "1" } });
  if (r.status !== 0) return { status: 500, headers: {}, body: r.stderr };
  const answer = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { status: answer.status === 400 ? 400 : 200, headers: {}, body: JSON.stringify(answer) };
}

async function scoring(url: string, headers: Record<string, string>, body: string): Promise<ScoringResponse> {
  expect(url).toBe("https://10.20.16.5/api/v1/endpoint/ep-acme-qa/score");
  const deployment = headers["azureml-model-deployment"];
  scored.push({ deployment, authorization: headers.authorization });
  const b = behaviour.get(deployment) ?? "failing";
  const served = scored.filter((s) => s.deployment === deployment).length;
  if (b === "failing" || (typeof b === "object" && served > b.healthyFor)) return { status: 502, headers: {}, body: "upstream connect error" };
  const res = runScoringScript(deployment.replace(/^v(\d+)-.*$/, "$1"), body);
  return { ...res, headers: { "azureml-model-deployment": deployment } };
}

function provider(sleep?: (ms: number) => Promise<void>): ModelRolloutProvider {
  return new ModelRolloutProvider({
    clientFactory: (arm) =>
      createArmJsonClient(arm, {
        credential: aml.credential,
        additionalPolicies: aml.clientOptions.additionalPolicies,
        retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      }),
    scoring,
    pollIntervalMs: 5,
    ...(sleep ? { sleep } : {}),
  });
}

function inputs(version: number, overrides: Partial<ModelRolloutInputs> = {}): ModelRolloutInputs {
  return {
    endpointId: endpointPath,
    deployment: {
      name: `v${version}-0a1b2c3d`,
      modelId: `${ws}/models/badpixels/versions/${version}`,
      codeId: `${ws}/codes/scoring/versions/c0de`,
      scoringScript: "serve.py",
      environmentId: `${ws}/environments/scoring_env/versions/e1e1`,
      instanceType: "defaultinstancetype",
      instanceCount: 1,
      location: "westeurope",
      tags: { environment: "qa" },
    },
    steps: [10, 50, 100],
    smokeRequest: SAMPLE,
    holdSeconds: 0,
    endpointRevision: "r1",
    armEndpoint: aml.url,
    ...overrides,
  };
}

const traffic = () => aml.get(endpointPath)!.properties.traffic as Record<string, number>;
const deployments = () => aml.list(`${endpointPath}/deployments`).map((d: any) => d.name).sort();

beforeAll(async () => {
  aml = await startAmlServer({ lroPolls: 1 });
  aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS });
  ws = aml.workspacePath(SUB, RG, WS);
  endpointPath = `${ws}/onlineEndpoints/ep-acme-qa`;
  aml.onAction("token", () => ({ status: 200, body: { accessToken: "aml-token", tokenType: "Bearer", expiryTimeUtc: 0, refreshAfterTimeUtc: 0 } }));
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-rollout-"));
  // Toy models: a pixel far from its neighbours in every frame is bad.
  for (const version of ["1", "2", "3", "4", "5"]) {
    const dir = path.join(work, "azureml-models", "badpixels", version, "model");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({ weights: [12, 6], bias: -9, features: ["mean_deviation", "persistence"] }));
    aml.seed(`${ws}/models/badpixels/versions/${version}`, { properties: { modelType: "custom_model", modelUri: "azureml://datastores/workspaceblobstore/paths/m" } });
  }
  aml.seed(`${ws}/codes/scoring/versions/c0de`, { properties: { codeUri: "https://devstore.blob.core.windows.net/c/LocalUpload/scoring/c0de" } });
  aml.seed(`${ws}/environments/scoring_env/versions/e1e1`, { properties: { image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest" } });
  aml.seed(endpointPath, {
    location: "westeurope",
    kind: "K8S",
    tags: { environment: "qa" },
    properties: {
      authMode: "AMLToken",
      compute: `${ws}/computes/acme-qa-aks`,
      traffic: {},
      provisioningState: "Succeeded",
      scoringUri: "https://10.20.16.5/api/v1/endpoint/ep-acme-qa/score",
    },
  });
});

afterAll(async () => {
  await aml.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("the local server holds deployments to Azure's serving contract", () => {
  const put = (name: string, properties: Record<string, unknown>) =>
    createArmJsonClient(aml.url, { credential: aml.credential, additionalPolicies: aml.clientOptions.additionalPolicies }).send(
      "PUT",
      `${aml.url}${endpointPath}/deployments/${name}?api-version=${API_VERSIONS.machineLearningEndpoints}`,
      { location: "westeurope", properties: { endpointComputeType: "Kubernetes", ...properties } },
    );

  test("a custom_model deployment without scoring script and environment is refused, naming both", async () => {
    const res = await put("bare", { model: `${ws}/models/badpixels/versions/1` });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/custom_model model needs a scoring script and an environment \(missing: codeConfiguration\.scoringScript, environmentId\)/);
    expect(aml.get(`${endpointPath}/deployments/bare`)).toBeUndefined();
  });

  test("an MLflow model deploys without them; a registry model cannot go to Kubernetes; references must exist", async () => {
    aml.seed(`${ws}/models/mlflowed/versions/1`, { properties: { modelType: "mlflow_model" } });
    expect((await put("mlflowed", { model: `${ws}/models/mlflowed/versions/1` })).status).toBeLessThan(300);
    const registry = await put("fromreg", { model: "azureml://registries/shared/models/badpixels/versions/1", codeConfiguration: { scoringScript: "serve.py" }, environmentId: `${ws}/environments/scoring_env/versions/e1e1` });
    expect(registry.status).toBe(400);
    const missingEnv = await put("noenv", { model: `${ws}/models/badpixels/versions/1`, codeConfiguration: { codeId: `${ws}/codes/scoring/versions/c0de`, scoringScript: "serve.py" }, environmentId: `${ws}/environments/gone/versions/1` });
    expect(missingEnv.status).toBe(400);
    expect(missingEnv.body.error.message).toMatch(/environmentId: .*could not be found/);
    aml.remove(`${endpointPath}/deployments/mlflowed`);
  });
});

describe("safe rollout", () => {
  let live: ModelRolloutOutputs;

  test("the first version: the deployment is created with its scoring code and environment, answers a smoke request, then takes all traffic", async () => {
    behaviour.set("v1-0a1b2c3d", "healthy");
    const result = await provider().create(inputs(1));
    live = result.outs!;
    expect(result.id).toBe(`${endpointPath}/rollout`);
    const stored = aml.get(`${endpointPath}/deployments/v1-0a1b2c3d`)!;
    expect(stored.properties).toMatchObject({
      codeConfiguration: { codeId: `${ws}/codes/scoring/versions/c0de`, scoringScript: "serve.py" },
      environmentId: `${ws}/environments/scoring_env/versions/e1e1`,
      instanceType: "defaultinstancetype",
    });
    expect(traffic()).toEqual({ "v1-0a1b2c3d": 100 });
    expect(live.live).toBe("v1-0a1b2c3d");
    expect(live.history.map((e) => e.event)).toEqual(["smoke-passed", "traffic"]);
    // The bodies Azure receives, pinned: the deployment and the endpoint PUT that moves the traffic.
    expectGolden("rollout-deployment", lastPut(aml.requests, /\/onlineEndpoints\/[^/]+\/deployments\/v1-0a1b2c3d$/));
    expectGolden("rollout-endpoint-traffic", lastPut(aml.requests, /\/onlineEndpoints\/[^/]+$/));
    // The smoke request went through the scoring path with the endpoint's token, to that deployment.
    expect(scored.at(-1)).toEqual({ deployment: "v1-0a1b2c3d", authorization: "Bearer aml-token" });
  });

  test("a healthy new version steps forward 10 → 50 → 100 beside the live one, which is removed at 100 %; the history is in the outputs", async () => {
    behaviour.set("v2-0a1b2c3d", "healthy");
    const p = provider();
    const diff = await p.diff("id", live, inputs(2));
    expect(diff.changes).toBe(true);
    const result = await p.update("id", live, inputs(2));
    live = result.outs!;
    const steps = live.history.filter((e) => e.deployment === "v2-0a1b2c3d" && e.event === "traffic").map((e) => e.traffic);
    expect(steps).toEqual([
      { "v1-0a1b2c3d": 90, "v2-0a1b2c3d": 10 },
      { "v1-0a1b2c3d": 50, "v2-0a1b2c3d": 50 },
      { "v1-0a1b2c3d": 0, "v2-0a1b2c3d": 100 },
    ]);
    expect(live.history.filter((e) => e.deployment === "v2-0a1b2c3d").map((e) => e.event)).toEqual(["smoke-passed", "traffic", "smoke-passed", "traffic", "smoke-passed", "traffic", "deleted"]);
    // The earlier rollout stays in the history.
    expect(live.history[0]).toMatchObject({ deployment: "v1-0a1b2c3d", event: "smoke-passed" });
    expect(deployments()).toEqual(["v2-0a1b2c3d"]);
    expect(traffic()["v2-0a1b2c3d"]).toBe(100);
    expect(live.live).toBe("v2-0a1b2c3d");
    // The real scoring script answered: the sample's stuck pixel (3, 4) is reported.
    const answer = JSON.parse(runScoringScript("2", JSON.stringify(SAMPLE)).body);
    expect(answer.videos[0].bad_pixels.map((b: any) => [b.x, b.y])).toEqual([[3, 4]]);
  });

  test("a version that fails its smoke request at 50 % steps back: all traffic returns to the live deployment and the new one is deleted", async () => {
    behaviour.set("v3-0a1b2c3d", { healthyFor: 1 });
    const error = await provider().update("id", live, inputs(3)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isRolloutFailed(error)).toBe(true);
    const failed = error as RolloutFailed;
    expect(failed.message).toMatch(/rollout of v3-0a1b2c3d stopped at 10%: smoke request failed before 50%: HTTP 502/);
    expect(failed.message).toMatch(/traffic is back on v2-0a1b2c3d/);
    const mine = failed.history.filter((e) => e.deployment === "v3-0a1b2c3d");
    expect(mine.map((e) => e.event)).toEqual(["smoke-passed", "traffic", "smoke-failed", "rolled-back", "deleted"]);
    expect(mine[1].traffic).toEqual({ "v2-0a1b2c3d": 90, "v3-0a1b2c3d": 10 });
    expect(mine[3].traffic).toMatchObject({ "v2-0a1b2c3d": 100, "v3-0a1b2c3d": 0 });
    expect(traffic()["v2-0a1b2c3d"]).toBe(100);
    expect(deployments()).toEqual(["v2-0a1b2c3d"]);
    // The failure stays readable after the failed update: on the endpoint's tags, beside its own.
    const tags = aml.get(endpointPath)!.tags;
    expect(tags[FAILURE_TAGS.summary]).toMatch(/^\d{4}-\d\d-\d\dT\S+ v3-0a1b2c3d stopped at 10%: smoke request failed before 50%: HTTP 502/);
    expect(tags[FAILURE_TAGS.steps]).toBe("smoke-passed@0 traffic@10 smoke-failed@10 rolled-back@0 deleted@0");
    expect(tags.environment).toBe("qa");
  });

  test("rolling back (the approval revoked: an older version named again) goes the same way", async () => {
    behaviour.set("v1-0a1b2c3d", "healthy");
    const result = await provider().update("id", live, inputs(1));
    expect(result.outs!.live).toBe("v1-0a1b2c3d");
    expect(deployments()).toEqual(["v1-0a1b2c3d"]);
    live = result.outs!;
  });

  test(`a team stops a rollout by tagging the endpoint ${STOP_TAG.key}=${STOP_TAG.value} while a step holds`, async () => {
    behaviour.set("v4-0a1b2c3d", "healthy");
    const stopDuringHold = async () => {
      const ep = aml.get(endpointPath)!;
      aml.seed(endpointPath, { ...ep, tags: { ...ep.tags, [STOP_TAG.key]: STOP_TAG.value } });
    };
    const error = await provider(stopDuringHold).update("id", live, inputs(4, { holdSeconds: 30 })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/stopped at 10%: stopped by the endpoint tag rollout=stop/);
    expect(deployments()).toEqual(["v1-0a1b2c3d"]);
    expect(traffic()["v1-0a1b2c3d"]).toBe(100);
  });

  test("diff is pure and sees a new version; inputs are checked all at once", async () => {
    const before = aml.requests.length;
    expect((await provider().diff("id", live, inputs(1))).changes).toBe(false);
    expect((await provider().diff("id", live, inputs(5))).changes).toBe(true);
    expect(aml.requests.length).toBe(before);
    const failures = checkRolloutInputs({ ...inputs(1), steps: [50, 10], endpointId: "/nope", deployment: { ...inputs(1).deployment, name: "7" } });
    expect(failures.map((f) => f.property).sort()).toEqual(["deployment.name", "endpointId", "steps"]);
  });
});
