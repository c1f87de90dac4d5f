/**
 * Several production environments (docs/architecture.md, "Stacks": `prod`, `prod-<name>`): the offline plans of prod
 * and of two extra production stacks (config fixtures planned with `--config`) pass the policy gate,
 * carry only their own names, and reference neither each other nor qa; dev (the origin) only read-only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildEnvironmentSpec, EnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { checkName, environmentOfStack, NameKind, productionStackNameProblem, tenantNames } from "../../../shared/naming";
import { builtInRoles } from "../../../components/authorization/roles";
import { environmentStacks } from "../../../tools/stacks/environmentStacks";
import { main as stacksMain } from "../../../tools/stacks/cli";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { planJson, REPO, runTool } from "../../support/plans";

const FIXTURES = path.join(__dirname, "fixtures/production");
const EXTRA = ["prod-eu", "prod-nordics"];
const PRODUCTION = ["prod", ...EXTRA];
const ALL = ["dev", "qa", ...PRODUCTION];
const fixture = (stack: string) => path.join(FIXTURES, `Pulumi.${stack}.yaml`);

function specFor(stack: string): EnvironmentSpec {
  const files = readStackConfigFiles({ projectDir: REPO, stack, ...(EXTRA.includes(stack) ? { configFile: fixture(stack) } : {}) });
  return buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
}
const specs = Object.fromEntries(ALL.map((s) => [s, specFor(s)])) as Record<string, EnvironmentSpec>;
const plans: Record<string, PlanDocument> = {};

beforeAll(async () => {
  // One process per stack (the Pulumi runtime is process-wide); two at a time on two cores.
  [plans["prod-eu"], plans["prod-nordics"]] = await Promise.all(EXTRA.map((s) => planJson(s, ["--config", fixture(s)])));
  plans.prod = await planJson("prod");
}, 240_000);

const PROMOTED_MODEL = "pulumi-nodejs:dynamic/mlops:PromotedModel";
const STACK_REFERENCE = "pulumi:pulumi:StackReference";
const ROLE = "azure-native:authorization:RoleAssignment";
const READ_ONLY_ROLES = new Set<string>([builtInRoles.Reader, builtInRoles.StorageBlobDataReader, builtInRoles.AcrPull, "db58b8e5-c6ad-4a2a-8342-4190687cbf4a" /* Storage Blob Delegator */]);

/**
 * What names a stack: its physical names, its name stems, and values read from its stack outputs
 * (`<org>/<project>/<stack>:<output>` placeholders). The `environment` tag (`prod`) names no stack.
 */
function markersOf(stack: string): { text: string[]; stackRef: RegExp } {
  const s = specs[stack];
  const text = [...new Set([...Object.values(s.names), `${s.prefix}-${stack}`, `${s.prefix}${stack.replace(/-/g, "")}`])];
  // Longest first, so `rg-mlops-prod-eu-serving` is removed whole before its stem is looked at.
  return { text: text.sort((a, b) => b.length - a.length), stackRef: new RegExp(`/${stack}(:|$)`) };
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) if (k !== "__provider") strings(v, out);
  return out;
}

function isAllowedPromotionRead(r: PlanResource): boolean {
  if (r.type === PROMOTED_MODEL || r.type === STACK_REFERENCE) return true;
  if (r.type === ROLE) return READ_ONLY_ROLES.has(String(r.inputs.roleDefinitionId).split("/").pop()!);
  return false;
}

function occurrences(value: string, marker: string): number[] {
  const at: number[] = [];
  for (let i = value.indexOf(marker); i !== -1; i = value.indexOf(marker, i + 1)) at.push(i);
  return at;
}

/**
 * The first of `markers` in `value` that is not just part of a longer marker of another stack:
 * `rg-mlops-prod-eu` contains prod's `rg-mlops-prod` without naming prod.
 */
function namedMarker(value: string, markers: string[], longer: string[]): string | undefined {
  return markers.find((m) =>
    occurrences(value, m).some((i) => !longer.some((n) => n.length > m.length && occurrences(value, n).some((j) => j <= i && i + m.length <= j + n.length))),
  );
}

/** Every value in `plan` (of `stack`) that names another environment, except read-only use of its promotion source. */
function isolationLeaks(plan: PlanDocument, stack: string, promotionSource: string | null): string[] {
  const leaks: string[] = [];
  for (const other of ALL.filter((s) => s !== stack)) {
    const { text, stackRef } = markersOf(other);
    const longer = ALL.filter((s) => s !== other).flatMap((s) => markersOf(s).text);
    for (const r of plan.resources) {
      for (const value of strings(r.inputs)) {
        const hit = namedMarker(value, text, longer) ?? (stackRef.test(value) ? value : undefined);
        if (!hit) continue;
        if (other === promotionSource && isAllowedPromotionRead(r)) continue;
        leaks.push(`${r.type} ${r.name}: '${value}' names ${other} (${hit})`);
      }
    }
  }
  return leaks;
}

describe("production stacks: prod-<name>", () => {
  test("a stack name decides the environment: prod-<name> runs as prod, a malformed prod-… is refused, others are branch stacks", () => {
    expect(PRODUCTION.map(environmentOfStack)).toEqual(["prod", "prod", "prod"]);
    expect(["prod-", "prod-EU", "prod-1eu", "prod-eu-west", "prod-abcdefghi"].map((s) => productionStackNameProblem(s) !== null)).toEqual([true, true, true, true, true]);
    expect(environmentOfStack("branch-prod-x")).toBeNull();
    expect(environmentOfStack("production")).toBeNull();
  });

  test.each(EXTRA)("%s: its spec is a prod environment promoting what qa approved from the origin (dev), tagged with its own stack", (stack) => {
    const s = specs[stack];
    expect({ kind: s.kind, environment: s.environment, protect: s.protect, upstream: s.promotion?.upstreamEnvironment, origin: s.promotion?.originEnvironment }).toEqual({
      kind: "environment",
      environment: "prod",
      protect: true,
      upstream: "qa",
      origin: "dev",
    });
    expect(s.tags).toMatchObject({ environment: "prod", stack });
    expect(s.identity.github?.environments).toEqual([stack]);
  });

  test("every physical name is valid for each production stack and no two production stacks share one", () => {
    const kinds: Record<string, NameKind> = { resourceGroup: "resourceGroup", servingResourceGroup: "resourceGroup", storageAccount: "storageAccount", keyVault: "keyVault", containerRegistry: "containerRegistry", workspace: "workspace", aksCluster: "aksCluster", kubernetesCompute: "computeCluster", onlineEndpoint: "onlineEndpoint", batchEndpoint: "batchEndpoint" };
    for (const stack of PRODUCTION) {
      for (const [key, kind] of Object.entries(kinds)) expect({ stack, key, problem: checkName(kind, (specs[stack].names as unknown as Record<string, string>)[key]) }).toEqual({ stack, key, problem: null });
    }
    const perName = (get: (s: EnvironmentSpec) => string[]) => PRODUCTION.flatMap((st) => get(specs[st]));
    for (const key of Object.keys(specs.prod.names)) {
      const values = perName((s) => [(s.names as unknown as Record<string, string>)[key]]);
      expect({ key, unique: new Set(values).size }).toEqual({ key, unique: PRODUCTION.length });
    }
    const clusters = perName((s) => s.clusters.map((c) => c.name));
    expect(new Set(clusters).size).toBe(clusters.length);
    // Tenant-wide display names (apps, group, custom roles) differ too: they carry the stack.
    const tenant = PRODUCTION.map((st) => tenantNames({ project: specs[st].project, stack: specs[st].stack, prefix: specs[st].prefix, subscriptionId: "00000000-0000-0000-0000-000000000001" }));
    for (const key of ["ciApplication", "auditApplication", "dataScientistsGroup"] as const) expect(new Set(tenant.map((t) => t[key])).size).toBe(PRODUCTION.length);
  });

  test("names of the longest production stack with the longest prefix still fit Azure's limits", () => {
    const files = readStackConfigFiles({ projectDir: REPO, stack: "prod-abcdefgh", configFile: fixture("prod-eu") });
    const spec = buildEnvironmentSpec({ project: files.project, stack: "prod-abcdefgh", config: { ...files.config, "mlops:prefix": "abcdefgh" }, sources: files.sources });
    expect(spec.names.workspace).toBe("mlw-abcdefgh-prod-abcdefgh");
    expect(spec.names.keyVault.length).toBeLessThanOrEqual(24);
    expect(spec.names.storageAccount.length).toBeLessThanOrEqual(24);
  });

  test.each(PRODUCTION)("%s: the plan passes the policy gate and serves from its own AKS, network and workspace", (stack) => {
    const plan = plans[stack];
    const s = specs[stack];
    expect(plan.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(plan.stack).toBe(stack);
    const inputsOf = (type: string) => plan.resources.filter((r) => r.type === type).map((r) => r.inputs);
    expect(inputsOf("azure-native:containerservice:ManagedCluster")).toEqual([expect.objectContaining({ resourceName: s.names.aksCluster, resourceGroupName: s.names.servingResourceGroup })]);
    expect(inputsOf("azure-native:network:VirtualNetwork")).toEqual([expect.objectContaining({ virtualNetworkName: s.names.virtualNetwork, addressSpace: { addressPrefixes: [s.network.addressSpace] } })]);
    expect(inputsOf("azure-native:machinelearningservices:Workspace")).toEqual([expect.objectContaining({ workspaceName: s.names.workspace })]);
    // Prod reads qa's approval from the origin version (docs/promotion.md, "The chain"): its one stack reference is the origin's.
    expect(inputsOf(STACK_REFERENCE).map((i) => i.name)).toEqual([s.promotion!.originStack]);
  });

  test.each(PRODUCTION)("%s references no other production stack, nor qa at all, and dev only to read its promotion source (the origin)", (stack) => {
    expect(specs[stack].promotion?.originEnvironment).toBe("dev");
    expect(isolationLeaks(plans[stack], stack, "dev")).toEqual([]);
  });

  test("the check finds a production stack naming another one, writing to the origin, or reading qa", () => {
    const eu = plans["prod-eu"];
    const leak = (name: string, inputs: PlanResource["inputs"], type = ROLE): PlanResource => ({ urn: `urn:${name}`, type, name, parent: null, custom: true, protect: false, dependsOn: [], inputs });
    const leaky: PlanDocument = {
      ...eu,
      resources: [
        ...eu.resources,
        leak("to-prod", { resourceGroupName: specs.prod.names.servingResourceGroup }, "azure-native:containerservice:ManagedCluster"),
        leak("to-nordics", { scope: `/subscriptions/x/resourceGroups/${specs["prod-nordics"].names.resourceGroup}`, roleDefinitionId: `/p/${builtInRoles.Reader}` }),
        leak("writes-dev", { scope: "organization/mlops/dev:storageAccountId", roleDefinitionId: `/p/${builtInRoles.Contributor}` }),
        leak("reads-qa", { scope: "organization/mlops/qa:storageAccountId", roleDefinitionId: `/p/${builtInRoles.StorageBlobDataReader}` }),
      ],
    };
    const leaks = isolationLeaks(leaky, "prod-eu", "dev");
    expect(leaks).toHaveLength(4);
    expect(leaks).toEqual(expect.arrayContaining([
      expect.stringMatching(/ to-nordics: .* names prod-nordics /),
      expect.stringMatching(/ to-prod: .* names prod /),
      expect.stringMatching(/ writes-dev: .* names dev /),
      expect.stringMatching(/ reads-qa: .* names qa /),
    ]));
  });
});

describe("listing the environment stacks (npm run stacks)", () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
  beforeAll(() => {
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.qa.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(REPO, f), path.join(project, f));
    for (const s of EXTRA) fs.copyFileSync(fixture(s), path.join(project, `Pulumi.${s}.yaml`));
    fs.writeFileSync(path.join(project, "Pulumi.branch-x-3f9a12.yaml"), "config: {}\n");
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  test("lists dev, qa, prod and every prod-<name> with its upstream, skipping branch stacks", () => {
    expect(environmentStacks(project)).toEqual([
      { stack: "dev", environment: "dev", upstream: null },
      { stack: "qa", environment: "qa", upstream: "dev" },
      { stack: "prod", environment: "prod", upstream: "qa" },
      { stack: "prod-eu", environment: "prod", upstream: "qa" },
      { stack: "prod-nordics", environment: "prod", upstream: "qa" },
    ]);
  });

  test("--named --json prints what the deploy workflows fan out over; a malformed production file is refused", async () => {
    let out = "";
    await stacksMain(["--named", "--json"], project, (t) => void (out += t));
    expect(JSON.parse(out)).toEqual(EXTRA);
    fs.writeFileSync(path.join(project, "Pulumi.prod-EU.yaml"), "config: {}\n");
    try {
      expect(() => environmentStacks(project)).toThrow(/Pulumi\.prod-EU\.yaml: invalid production stack name 'prod-EU'/);
    } finally {
      fs.rmSync(path.join(project, "Pulumi.prod-EU.yaml"));
    }
  });

  test("the plan refuses a malformed production stack with exit 2 instead of planning it as a branch stack", async () => {
    const r = await runTool("plan", ["prod-EU", "--config", fixture("prod-eu")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid production stack name 'prod-EU'");
  });
});
