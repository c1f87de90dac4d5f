/**
 * `mlops:promotion.exports`: the known-location export (seed: "copy the model to a known location …
 * Azure ML Workspace is not needed") declared from stack config. The offline plan shows one
 * `mlops:ExportedModel` per export and model, copying the same approved version from the origin;
 * bad export config fails the plan with exit code 2, every problem named by file and key.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../../shared/plan";
import { ofType, REPO, runTool } from "../../support/plans";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-exports-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const EXPORTED = "pulumi-nodejs:dynamic/mlops:ExportedModel";

function prodConfigWith(edit: (promotion: Record<string, any>) => void, name: string): string {
  const config = parse(fs.readFileSync(path.join(REPO, "Pulumi.prod.yaml"), "utf8"));
  edit(config.config["mlops:promotion"]);
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, stringify(config));
  return file;
}

test("an export in prod's config becomes an ExportedModel of the approved version, copied from the origin (never qa)", async () => {
  const file = prodConfigWith((p) => (p.exports = [{ storageAccountName: "stconsumers", containerName: "models", pathPrefix: "mlops/prod" }]), "ok");
  const r = await runTool("plan", ["prod", "--config", file, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.stdout) as PlanDocument;
  const [exported] = ofType(plan, EXPORTED);
  expect(ofType(plan, EXPORTED)).toHaveLength(1);
  expect(exported.name).toBe("mlops-prod-export-0-training_badpixels");
  expect(exported.inputs).toMatchObject({
    modelName: "training_badpixels",
    source: { subscriptionId: "organization/mlops/dev:subscriptionId", resourceGroupName: "organization/mlops/dev:resourceGroupName", workspaceName: "organization/mlops/dev:workspaceName" },
    target: { storageAccountName: "stconsumers", containerName: "models", pathPrefix: "mlops/prod" },
    deleteFilesOnDelete: false,
  });
  // The version and the approved hash are the promoted model's (unknown offline, resolved at deploy time).
  const promoted = ofType(plan, "pulumi-nodejs:dynamic/mlops:PromotedModel")[0];
  expect(exported.inputs.version).toEqual(promoted.inputs.version);
  expect(exported.inputs.expectedContentHash).toEqual(promoted.inputs.expectedContentHash);
  expect(JSON.stringify(exported.inputs)).not.toMatch(/mlops\/qa|rg-mlops-qa/);
});

test("bad exports: exit code 2, every problem named by file and key, nothing planned", async () => {
  const file = prodConfigWith((p) => {
    p.exports = [
      { storageAccountName: "stconsumers", containerName: "models", models: ["nope"] },
      { storageAccountName: "stconsumers", containerName: "models" },
    ];
  }, "bad");
  const r = await runTool("plan", ["prod", "--config", file, "--json"]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("bad.yaml");
  expect(r.stderr).toMatch(/promotion\.exports\[0\]\.models\[0\].*'nope' is not a promoted model/);
  expect(r.stderr).toMatch(/promotion\.exports\[1\].*exports to stconsumers\/models\/models twice/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  // A container name Azure refuses is a schema error, caught before the rules.
  const named = await runTool("plan", ["prod", "--config", prodConfigWith((p) => (p.exports = [{ storageAccountName: "stconsumers", containerName: "Bad--Name" }]), "badname")]);
  expect(named.code).toBe(2);
  expect(named.stderr).toMatch(/badname\.yaml: mlops:promotion\.exports\[0\]\.containerName/);
});

test("exports with the registry strategy are refused (they copy from the origin's storage, which that strategy does not read)", async () => {
  const file = prodConfigWith((p) => Object.assign(p, { strategy: "registry", registry: { importCluster: "cpu" }, exports: [{ storageAccountName: "stconsumers", containerName: "models" }] }), "registry");
  const r = await runTool("plan", ["prod", "--config", file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/promotion\.exports\[0\].*use them with promotion\.strategy: copy/);
});
