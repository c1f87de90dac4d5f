import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../../shared/plan";
import { REPO, runTool } from "../../support/plans";

/**
 * The policy gate end to end: the shipped prod config with one secure default switched off (each
 * is a named opt-out in config) plans with exit 3, naming the rule and the resource; the shipped
 * config itself plans with exit 0.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-policy-gate-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Config = Record<string, any>;
const prod = (): Config => parse(fs.readFileSync(path.join(REPO, "Pulumi.prod.yaml"), "utf8"));

const cases: [string, (c: Config) => void, string, RegExp][] = [
  ["workspace open to the public network", (c) => (c.config["mlops:workspace"].publicNetworkAccess = "Enabled"), "workspace-public-network-disabled", /mlops-prod-workspace/],
  ["storage allowing anonymous blob access", (c) => (c.config["mlops:storage"] = { allowBlobPublicAccess: true }), "storage-blob-public-access-disabled", /mlops-prod-storage/],
  ["AKS without Azure RBAC", (c) => (c.config["mlops:serving"].azureRbac = false), "aks-entra-rbac", /mlops-prod-aks/],
  ["registry with its admin user", (c) => (c.config["mlops:registry"] = { adminUserEnabled: true }), "registry-admin-user-disabled", /mlops-prod-registry/],
  ["cluster nodes with public IPs", (c) => (c.config["mlops:compute"].clusters[0].nodePublicIp = true), "compute-no-public-node-ip", /mlops-prod-cpu/],
];

test.each(cases)("prod with %s exits 3 naming the rule and the resource", async (_title, change, rule, resource) => {
  const config = prod();
  change(config);
  const file = path.join(dir, `${rule}.yaml`);
  fs.writeFileSync(file, stringify(config));
  const r = await runTool("plan", ["prod", "--config", file, "--json"]);
  expect(r.code).toBe(3);
  const plan = JSON.parse(r.stdout) as PlanDocument;
  const hits = plan.violations.filter((v) => v.level === "mandatory");
  expect(hits.map((v) => v.policy)).toContain(rule);
  const hit = hits.find((v) => v.policy === rule)!;
  expect(hit.urn).toMatch(resource);
  expect(hit.message.length).toBeGreaterThan(10);
  expect(r.stderr).toContain(rule);
}, 60_000);

test("the shipped qa and prod configs have no mandatory violation", async () => {
  for (const stack of ["qa", "prod"]) {
    const r = await runTool("plan", [stack, "--json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanDocument;
    expect(plan.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    // The recorded waiver (AKS local accounts for the Azure ML extension) is visible in the plan.
    expect(plan.waivers.map((w) => w.policy)).toContain("aks-local-accounts-disabled");
  }
}, 60_000);
