/**
 * `npm run plan` on the real program and the shipped stack configs (dev, qa, prod and a branch stack),
 * each in its own process as users run it. These pin what the plan reports about the real program;
 * what the program declares is pinned by the program's own suites.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkName } from "../../../shared/naming";
import { environmentOutputKeys } from "../../../infra/outputs";
import { prepareStack } from "../../../tools/plan/prepare";
import { renderMermaid } from "../../../tools/plan/render/mermaid";
import type { PlanDocument } from "../../../shared/plan";
import { allStrings, CliRun, REAL_CLI, runCli } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-real-"));
const out = path.join(tmp, "out");
const runs: Record<string, CliRun> = {};
const plans: Record<string, PlanDocument> = {};

beforeAll(async () => {
  const [dev, qa, prod, branch] = await Promise.all([
    // Exactly as `npm run plan` starts it: the SDK's own imports, not the suites' lazy ones (launch.ts).
    runCli(REAL_CLI, ["dev", "--out", out], {}, "npm run"),
    runCli(REAL_CLI, ["qa", "--json"]),
    runCli(REAL_CLI, ["prod", "--json"]),
    // As a pull request plans it: the branch stack has no config file yet.
    runCli(REAL_CLI, ["branch-feature-x", "--branch", "feature/x", "--json"]),
  ]);
  Object.assign(runs, { dev, qa, prod, branch });
  for (const stack of ["qa", "prod", "branch"]) plans[stack] = JSON.parse(runs[stack].stdout);
  plans.dev = JSON.parse(fs.readFileSync(path.join(out, "dev.plan.json"), "utf8"));
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const STACKS = ["dev", "qa", "prod", "branch"];

describe.each(STACKS)("%s", (stack) => {
  it("plans, exiting 3 exactly when a mandatory policy is violated", () => {
    const plan = plans[stack];
    const mandatory = [...new Set(plan.violations.filter((v) => v.level === "mandatory").map((v) => v.policy))];
    // A plan that silently skipped the policy pack would exit 0 with no findings.
    expect(runs[stack].stderr).not.toContain("no policy was evaluated");
    expect(runs[stack].code).toBe(mandatory.length ? 3 : 0);
    for (const policy of mandatory) expect(runs[stack].stderr).toContain(policy);
  });

  it("is a consistent graph: unique URNs, parents first, dependencies inside the plan", () => {
    const plan = plans[stack];
    const index = new Map(plan.resources.map((r, i) => [r.urn, i]));
    expect(index.size).toBe(plan.resources.length);
    expect(plan.resources.length).toBeGreaterThan(0);
    const prefix = `urn:pulumi:${plan.stack}::mlops::`;
    for (const r of plan.resources) {
      expect(r.urn.startsWith(prefix)).toBe(true);
      if (r.parent) expect(index.get(r.parent)).toBeLessThan(index.get(r.urn)!);
      for (const d of r.dependsOn) expect(index.has(d)).toBe(true);
      if (!r.custom) expect(r.type).toMatch(/^mlops:[a-zA-Z]+:[A-Z][A-Za-z]+$/);
      if (r.type.startsWith("pulumi-nodejs:dynamic/")) expect(r.type).toMatch(/^pulumi-nodejs:dynamic\/mlops:[A-Z]\w+$/);
    }
  });

  it("never shows provider code or raw wire markers", () => {
    const strings = allStrings(plans[stack]);
    expect(strings).not.toContain("__provider");
    expect(strings.some((s) => s.includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9") || s.includes("1b47061264138c4ac30d75fd1eb44270"))).toBe(false);
  });
});

describe("dev", () => {
  it("planned as `npm run plan` starts it, is the plan the suites' commands produce (their lazy SDK imports change nothing)", async () => {
    const suite = await runCli(REAL_CLI, ["dev", "--json"]);
    expect(suite.code).toBe(runs.dev.code);
    expect(JSON.parse(suite.stdout)).toEqual(plans.dev);
  });

  const workspace = () => plans.dev.resources.find((r) => r.type === "azure-native:machinelearningservices:Workspace")!;
  const clusters = () =>
    plans.dev.resources.filter((r) => r.type === "azure-native:machinelearningservices:Compute" && (r.inputs.properties as any)?.computeType === "AmlCompute");

  it("shows the workspace's physical name in its dependants and outputs", () => {
    const name = workspace().inputs.workspaceName;
    expect(typeof name).toBe("string");
    expect(clusters().length).toBeGreaterThan(0);
    for (const c of clusters()) expect(c.inputs.workspaceName).toBe(name);
    expect(plans.dev.outputs.workspaceName).toBe(name);
  });

  it("shows principal ids, known only after deployment, as unknown", () => {
    const principalKeys = environmentOutputKeys.filter((k) => k.endsWith("PrincipalId") && k in plans.dev.outputs);
    expect(principalKeys.length).toBeGreaterThan(0);
    for (const k of principalKeys) expect(plans.dev.outputs[k]).toBe("[unknown]");
  });

  it("prints the tree and counts matching the JSON", () => {
    const text = runs.dev.stdout;
    expect(text).toMatch(new RegExp(`─ ${workspace().name}  azure-native:machinelearningservices:Workspace`));
    expect(text).toContain(`name=${workspace().inputs.workspaceName}`);
    const computes = plans.dev.resources.filter((r) => r.type === "azure-native:machinelearningservices:Compute").length;
    expect(text).toMatch(new RegExp(`\\n +${computes}  azure-native:machinelearningservices:Compute\\n`));
  });

  it("writes Markdown whose diagram holds the resource group, workspace and every cluster", () => {
    const md = fs.readFileSync(path.join(out, "dev.plan.md"), "utf8");
    const rg = plans.dev.resources.find((r) => r.type === "azure-native:resources:ResourceGroup")!;
    expect(md).toContain(`subgraph g`);
    expect(md).toContain(`resource group ${rg.inputs.resourceGroupName}`);
    expect(md).toContain(`ML workspace<br/>${workspace().inputs.workspaceName}`);
    for (const c of clusters()) expect(md).toMatch(new RegExp(`AmlCompute<br/>[\\w-]+ · ${c.inputs.computeName}<br/>`));
  });
});

describe("qa", () => {
  it("diagrams the isolated AKS cluster attached to the workspace", () => {
    const m = renderMermaid(plans.qa);
    const aks = plans.qa.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
    expect(aks).toBeDefined();
    expect(checkName("aksCluster", String(aks.inputs.resourceName))).toBeNull();
    expect(m).toContain(`AKS<br/>${aks.inputs.resourceName}`);
    expect(m).toMatch(/n\d+ -->\|attached\| n\d+/);
  });
});

// Both copy from the origin (dev); prod learns qa's approval from the origin version, not from qa.
describe.each([
  ["qa", "dev"],
  ["prod", "dev"],
])("%s promotion", (stack, upstream) => {
  it(`reads ${upstream} through a stack reference and draws the promotion edge`, () => {
    const plan = plans[stack];
    const ref = plan.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
    expect(ref).toMatchObject({ read: true, inputs: { name: `organization/mlops/${upstream}` } });
    const promoted = plan.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/mlops:PromotedModel");
    expect(promoted.length).toBeGreaterThan(0);
    expect(renderMermaid(plan)).toMatch(new RegExp(`\\("upstream stack<br/>organization/mlops/${upstream}"\\)[\\s\\S]*-\\.->\\|promotes ${promoted.length} models?\\|`));
  });

  it("shows the upstream's outputs as placeholders and an unpinned model version, resolved online, as unknown", () => {
    const pinned = new Map(prepareStack({ stack }).spec.promotion!.models.map((m) => [m.name, m.pinnedVersion]));
    const promoted = plans[stack].resources.filter((r) => r.type === "pulumi-nodejs:dynamic/mlops:PromotedModel");
    // One promoted model per configured model, so the checks below cover every one of them.
    expect(promoted.map((m) => String(m.inputs.modelName)).sort()).toEqual([...pinned.keys()].sort());
    for (const model of promoted) {
      const placeholders = allStrings(model.inputs).filter((s) => s.startsWith(`organization/mlops/${upstream}:`));
      expect(placeholders.length).toBeGreaterThan(0);
      for (const p of placeholders) expect(environmentOutputKeys).toContain(p.slice(`organization/mlops/${upstream}:`.length));
      const name = String(model.inputs.modelName);
      expect(pinned.has(name)).toBe(true);
      expect(model.inputs.version).toBe(pinned.get(name) ?? "[unknown]");
    }
  });
});

describe("branch stack", () => {
  it("reads dev through a stack reference that resolves to documented placeholders", () => {
    const plan = plans.branch;
    expect(runs.branch.stderr).toContain("planning branch stack 'branch-feature-x' with Pulumi.dev.yaml");
    expect(plan).toMatchObject({ kind: "branch", branch: "feature/x", environment: "dev" });
    const ref = plan.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
    expect(ref).toMatchObject({ read: true, inputs: { name: "organization/mlops/dev" } });
    const placeholders = allStrings(plan.outputs).filter((s) => s.startsWith("organization/mlops/dev:"));
    expect(placeholders.length).toBeGreaterThan(0);
    for (const p of placeholders) expect(environmentOutputKeys).toContain(p.slice("organization/mlops/dev:".length));
  });
});
