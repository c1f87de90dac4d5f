/**
 * `npm run endpoint -- invoke|status` against the local Azure ML server: who served a request, the
 * traffic split, the batch deployment's pinned model; bad arguments all at once with exit 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { EndpointCliDeps, main } from "../../../tools/endpoint/endpoint";
import { InputError } from "../../../shared/errors";
import type { ScoringResponse } from "../../../components/serving/modelRolloutProvider";

const WS = { subscriptionId: "33333333-3333-3333-3333-333333333333", resourceGroupName: "rg-mlops-qa", workspaceName: "mlw-mlops-qa" };
const SAMPLE = path.resolve(__dirname, "../../../pipelines/steps/bad_pixels/sample-request.json");

let aml: AmlServer;
let dir: string;
let outputsFile: string;
let printed: string[];
let sent: { url: string; headers: Record<string, string>; body: string }[];
let deps: EndpointCliDeps;

const run = (...args: string[]) => main([...args, "--stack", "qa", "--outputs", outputsFile, "--arm-endpoint", aml.url], deps);

beforeAll(async () => {
  aml = await startAmlServer();
  aml.seedWorkspace({ ...WS, storageAccountName: "stmlopsqa" });
  const ws = aml.workspacePath(WS.subscriptionId, WS.resourceGroupName, WS.workspaceName);
  aml.seed(`${ws}/onlineEndpoints/ep-qa`, {
    location: "westeurope",
    tags: { "rollout-last-failure": "2026-11-28T10:00:00.000Z v8-cccc3333 stopped at 10%: smoke request failed before 50%: HTTP 502", "rollout-last-failure-steps": "smoke-passed@0 traffic@10 smoke-failed@10 rolled-back@0 deleted@0" },
    properties: { authMode: "AMLToken", traffic: { "v7-aaaa1111": 90, "v8-bbbb2222": 10 }, scoringUri: "https://10.20.16.5/api/v1/endpoint/ep-qa/score" },
  });
  for (const [name, version] of [["v7-aaaa1111", "7"], ["v8-bbbb2222", "8"]]) {
    aml.seed(`${ws}/onlineEndpoints/ep-qa/deployments/${name}`, { location: "westeurope", properties: { model: `${ws}/models/training_badpixels/versions/${version}`, provisioningState: "Succeeded" } });
  }
  aml.seed(`${ws}/batchEndpoints/bep-qa`, { location: "westeurope", properties: { authMode: "AADToken", defaults: { deploymentName: "scoring" } } });
  aml.seed(`${ws}/batchEndpoints/bep-qa/deployments/scoring`, { location: "westeurope", tags: { "model-name": "training_badpixels", "model-version": "7" }, properties: { provisioningState: "Succeeded" } });
  aml.onAction("token", () => ({ status: 200, body: { accessToken: "aml-token" } }));
  dir = mkdtempSync(path.join(os.tmpdir(), "endpoint-cli-"));
  outputsFile = path.join(dir, "qa.outputs.json");
  writeFileSync(outputsFile, JSON.stringify({ ...WS, onlineEndpointName: "ep-qa", batchEndpointName: "bep-qa" }));
});
afterAll(async () => {
  await aml.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  printed = [];
  sent = [];
  deps = {
    credential: aml.credential,
    additionalPolicies: aml.clientOptions.additionalPolicies,
    stdout: (t) => void printed.push(t),
    scoring: async (url, headers, body): Promise<ScoringResponse> => {
      sent.push({ url, headers, body });
      return { status: 200, headers: { "azureml-model-deployment": "v8-bbbb2222" }, body: JSON.stringify({ model: { name: "training_badpixels", version: "8" }, videos: [] }) };
    },
  };
});

test("invoke sends the request file with the endpoint's token and prints the answer, who served it and the split", async () => {
  expect(await run("invoke", "--request", SAMPLE)).toBe(0);
  expect(sent).toHaveLength(1);
  expect(sent[0].url).toBe("https://10.20.16.5/api/v1/endpoint/ep-qa/score");
  expect(sent[0].headers.authorization).toBe("Bearer aml-token");
  expect(JSON.parse(sent[0].body).videos[0].name).toBe("sample");
  const text = printed.join("");
  expect(text).toMatch(/^ep-qa: HTTP 200, served by v8-bbbb2222; traffic: v7-aaaa1111 90%, v8-bbbb2222 10%\n/);
  expect(text).toContain('"version": "8"');
});

test("status shows each deployment's model and share, and the batch endpoint's pinned model", async () => {
  expect(await run("status", "--json")).toBe(0);
  const status = JSON.parse(printed.join(""));
  expect(status.online.traffic).toEqual({ "v7-aaaa1111": 90, "v8-bbbb2222": 10 });
  expect(status.online.deployments).toEqual([
    { name: "v7-aaaa1111", model: "training_badpixels:7", state: "Succeeded", traffic: 90 },
    { name: "v8-bbbb2222", model: "training_badpixels:8", state: "Succeeded", traffic: 10 },
  ]);
  // A failed rollout stays readable after the failed update: the tags it wrote on the endpoint.
  expect(status.online.lastRolloutFailure).toEqual({ summary: expect.stringMatching(/v8-cccc3333 stopped at 10%/), steps: "smoke-passed@0 traffic@10 smoke-failed@10 rolled-back@0 deleted@0" });
  expect(status.batch).toEqual({ name: "bep-qa", defaultDeployment: "scoring", deployments: [{ name: "scoring", model: "training_badpixels:7", state: "Succeeded" }] });
});

test("an answer other than 200 exits 1", async () => {
  deps.scoring = async () => ({ status: 502, headers: {}, body: "upstream connect error" });
  expect(await run("invoke", "--request", SAMPLE)).toBe(1);
  expect(printed.join("")).toMatch(/HTTP 502/);
});

test("every argument problem at once, as bad input", async () => {
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, "{ not json");
  const err = await main(["fire", "--stack", "qa stack", "--request", bad, "--arm-endpoint", "http://insecure"], deps).catch((e) => e);
  expect(err).toBeInstanceOf(InputError);
  const paths = (err as InputError).problems.map((p) => p.path);
  expect(paths).toEqual(expect.arrayContaining(["<command>", "--stack", "--arm-endpoint", ""]));
  expect((err as InputError).problems.find((p) => p.path === "")!.file).toBe(bad);
  const missing = await main(["invoke", "--stack", "qa"], deps).catch((e) => e);
  expect((missing as InputError).problems.map((p) => p.path)).toEqual(["--request"]);
});
