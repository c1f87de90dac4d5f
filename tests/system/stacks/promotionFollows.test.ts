import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../../shared/plan";
import { one, REPO, runTool } from "../../support/plans";

/**
 * What a version change does to the qa stack: the promoted model's version is an input (so a preview
 * shows 7 → 6), and the online deployment serves exactly that version of the model in qa's own
 * workspace. Pinning stands in here for what the approval tag resolves to at deploy time.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-promotion-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function qaWithVersion(version: string): Promise<PlanDocument> {
  const config = parse(fs.readFileSync(path.join(REPO, "Pulumi.qa.yaml"), "utf8"));
  config.config["mlops:promotion"].models[0].pinnedVersion = version;
  const file = path.join(dir, `qa-${version}.yaml`);
  fs.writeFileSync(file, stringify(config));
  const r = await runTool("plan", ["qa", "--config", file, "--json"]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as PlanDocument;
}

test("rolling back from 7 to 6 changes the promoted version, the served model and the batch deployment's pinned version, nothing else", async () => {
  const [v7, v6] = await Promise.all([qaWithVersion("7"), qaWithVersion("6")]);
  const model = (p: PlanDocument) => one(p, "pulumi-nodejs:dynamic/mlops:PromotedModel");
  const deployment = (p: PlanDocument) => one(p, "pulumi-nodejs:dynamic/mlops:ModelRollout");
  expect(model(v7).inputs.version).toBe("7");
  expect(model(v6).inputs.version).toBe("6");
  const served = (p: PlanDocument) => (deployment(p).inputs.deployment as { modelId: string }).modelId;
  expect(served(v7)).toMatch(/\/workspaces\/mlw-mlops-qa\/models\/training_badpixels\/versions\/7$/);
  expect(served(v6)).toMatch(/\/workspaces\/mlw-mlops-qa\/models\/training_badpixels\/versions\/6$/);

  // The desired-state diff a pull request shows: exactly the version, the served model and the model
  // the batch deployment is pinned to change.
  const base = path.join(dir, "qa-7.plan.json");
  fs.writeFileSync(base, JSON.stringify(v7));
  const file = path.join(dir, "qa-6.yaml");
  const r = await runTool("plan", ["qa", "--config", file, "--against", base]);
  expect(r.code).toBe(0);
  // The batch deployment's own pipeline component binds the model: a new version of it, named for the model version.
  expect(r.stdout).toMatch(/0 added, 0 removed, 4 changed/);
  expect(r.stdout).toMatch(/~ mlops-qa-endpoints-batch-component \(azure-native:machinelearningservices:ComponentVersion\)\n(\s+inputs\.\S+: .*\n)*\s+inputs\.version: "m7-[0-9a-f]{10}" → "m6-[0-9a-f]{10}"/);
  expect(r.stdout).toContain('inputs.version: "7" → "6"');
  expect(r.stdout).toMatch(/~ mlops-qa-endpoints-batch-scoring \(azure-native:machinelearningservices:BatchDeployment\)\n(\s+inputs\.\S+: .*\n)*\s+inputs\.tags\.model-version: "7" → "6"/);
  // A new version is a new deployment (its name carries the version), rolled out beside the live one.
  expect(r.stdout).toMatch(/~ mlops-qa-endpoints-online-rollout \(pulumi-nodejs:dynamic\/mlops:ModelRollout\)\n(\s+inputs\.deployment\.\S+.*\n)*\s+inputs\.deployment\.name: "v7-[0-9a-f]{8}" → "v6-[0-9a-f]{8}"/);
}, 60_000);
