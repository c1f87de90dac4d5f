/**
 * The `@pulumi/policy` adapter, exercised by calling its validate functions with constructed
 * arguments, as the Pulumi engine would during `pulumi preview --policy-pack policy`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Secret } from "@pulumi/policy";
import type { Policy, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { buildPolicies, environmentForPack, plainProps } from "../../policy/pack";
import { allRules } from "../../policy/rules";
import type { ResourceView } from "../../policy/rules/types";
import { edited, hardenedStack } from "./fixtures";

type Report = jest.Mock<void, [string, string?]>;

// The engine's own proxy (it throws on values unknown during preview) and its unknown marker; both are
// internal to @pulumi/policy, so they are not in its type declarations.
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T>(o: T) => T;
  unknownStringValue: string;
};

/** The pack gives every resource policy a single validation function. */
function validate(p: ResourceValidationPolicy): ResourceValidation {
  if (typeof p.validateResource !== "function") throw new Error(`${p.name} has no single validateResource`);
  return p.validateResource;
}

function resourceArgs(r: ResourceView, props: unknown = r.inputs) {
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: { protect: r.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => ({}),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as any;
}

function stackArgs(resources: ResourceView[]) {
  const policyResources: any[] = resources.map((r) => ({
    type: r.type,
    props: r.inputs,
    urn: r.urn,
    name: r.name,
    opts: { protect: r.protect ?? false },
    dependencies: [] as any[],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const byUrn = new Map(policyResources.map((p) => [p.urn, p]));
  resources.forEach((r, i) => (policyResources[i].dependencies = (r.dependsOn ?? []).map((u) => byUrn.get(u)).filter(Boolean)));
  return { resources: policyResources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as any;
}

function policy<T extends Policy>(policies: Policy[], name: string): T {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p as T;
}

const byName = (stack: ResourceView[], name: string) => stack.find((r) => r.name === name)!;

describe("buildPolicies", () => {
  test("one policy per rule; stack rules and waivable rules validate the stack", () => {
    const policies = buildPolicies("prod");
    expect(policies.map((p) => p.name)).toEqual(allRules.map((r) => r.name));
    const stackPolicies = policies.filter((p) => "validateStack" in p).map((p) => p.name);
    expect(stackPolicies.sort()).toEqual(
      ["aks-admin-path-restricted", "aks-egress-filtered", "aks-local-accounts-disabled", "defender-plans", "diagnostic-settings", "environment-isolation", "monitor-private-link-scope", "one-network-model", "private-endpoints-for-workspace", "vnet-flow-logs"].sort(),
    );
    for (const p of policies) expect(p.description).toMatch(/\[.+\]$/);
  });

  test("enforcement levels follow the stack's environment", () => {
    const level = (env: "dev" | "qa" | "prod" | undefined, name: string) => policy(buildPolicies(env), name).enforcementLevel;
    expect(level("dev", "workspace-public-network-disabled")).toBe("advisory");
    expect(level("qa", "workspace-public-network-disabled")).toBe("mandatory");
    expect(level("dev", "prod-stateful-protected")).toBe("disabled");
    expect(level("prod", "prod-stateful-protected")).toBe("mandatory");
    // Unknown stack at load time: enforce like prod.
    expect(level(undefined, "aks-private-cluster")).toBe("mandatory");
  });
});

describe("resource policies", () => {
  const prod = hardenedStack({ environment: "prod" });
  const adminUser = policy<ResourceValidationPolicy>(buildPolicies("prod"), "registry-admin-user-disabled");

  test("report the violation on the resource, with the rule's remediation", () => {
    const report: Report = jest.fn();
    const registry = byName(edited(prod, "prod-registry", (i) => (i.adminUserEnabled = true)), "prod-registry");
    validate(adminUser)(resourceArgs(registry), report);
    expect(report).toHaveBeenCalledTimes(1);
    const [message, urn] = report.mock.calls[0];
    expect(urn).toBe(registry.urn);
    expect(message).toMatch(/^prod-registry \(Registry\): adminUserEnabled is true.*Fix: set adminUserEnabled: false/);
  });

  test("stay silent on a compliant resource and on other types", () => {
    const report: Report = jest.fn();
    validate(adminUser)(resourceArgs(byName(prod, "prod-registry")), report);
    validate(adminUser)(resourceArgs(byName(edited(prod, "prod-storage", (i) => (i.adminUserEnabled = true)), "prod-storage")), report);
    expect(report).not.toHaveBeenCalled();
  });

  test("values unknown during preview neither abort the check nor count as violations", () => {
    const report: Report = jest.fn();
    const pna = policy<ResourceValidationPolicy>(buildPolicies("prod"), "workspace-public-network-disabled");
    const workspace = byName(prod, "prod-workspace");
    const unknownPna = unknownCheckingProxy({ ...workspace.inputs, publicNetworkAccess: unknownStringValue });
    expect(() => (unknownPna as any).publicNetworkAccess).toThrow(/can't be known during preview/);
    validate(pna)(resourceArgs(workspace, unknownPna), report);
    expect(report).not.toHaveBeenCalled();
    const behindVnet = unknownCheckingProxy({ ...workspace.inputs, publicNetworkAccess: unknownStringValue, allowPublicAccessWhenBehindVnet: true });
    validate(pna)(resourceArgs(workspace, behindVnet), report);
    expect(report.mock.calls.map((c) => c[0])).toEqual([expect.stringContaining("allowPublicAccessWhenBehindVnet is true")]);
  });

  test("the protect option reaches the prod protection rule", () => {
    const report: Report = jest.fn();
    const protectedRule = policy<ResourceValidationPolicy>(buildPolicies("prod"), "prod-stateful-protected");
    validate(protectedRule)(resourceArgs({ ...byName(prod, "prod-vault"), protect: false }), report);
    validate(protectedRule)(resourceArgs(byName(prod, "prod-storage")), report);
    expect(report).toHaveBeenCalledTimes(1);
  });

  test("without a known stack at load time, the URN's stack decides the environment", () => {
    const caps = policy<ResourceValidationPolicy>(buildPolicies(undefined), "compute-cost-caps");
    const report: Report = jest.fn();
    const twelveNodes = (env: "dev" | "qa") =>
      byName(edited(hardenedStack({ environment: env }), `${env}-cpu`, (i) => (i.properties.properties.scaleSettings.maxNodeCount = 12)), `${env}-cpu`);
    validate(caps)(resourceArgs(twelveNodes("dev")), report);
    expect(report).not.toHaveBeenCalled();
    validate(caps)(resourceArgs(twelveNodes("qa")), report);
    expect(report.mock.calls[0][0]).toContain("above the qa cap of 8");
  });
});

describe("stack policies", () => {
  test("private endpoints: a missing group is reported on the resource that lacks it", () => {
    const pe = policy<StackValidationPolicy>(buildPolicies("prod"), "private-endpoints-for-workspace");
    const report: Report = jest.fn();
    const stack = hardenedStack({ environment: "prod" });
    pe.validateStack(stackArgs(stack), report);
    expect(report).not.toHaveBeenCalled();
    pe.validateStack(stackArgs(stack.filter((r) => r.name !== "prod-pe-registry")), report);
    expect(report).toHaveBeenCalledWith(expect.stringContaining("no private endpoint for group 'registry'"), byName(stack, "prod-registry").urn);
  });

  test("local accounts: waived on the Azure ML cluster, reported on a plain one", () => {
    const localAccounts = policy<StackValidationPolicy>(buildPolicies("qa"), "aks-local-accounts-disabled");
    const report: Report = jest.fn();
    const stack = hardenedStack({ environment: "qa" });
    localAccounts.validateStack(stackArgs(stack), report);
    expect(report).not.toHaveBeenCalled();
    localAccounts.validateStack(stackArgs(stack.filter((r) => r.name !== "qa-azureml-extension")), report);
    expect(report).toHaveBeenCalledWith(expect.stringContaining("disableLocalAccounts is false"), byName(stack, "qa-aks").urn);
  });

  test("the waiver also matches through the engine's dependency list when names are unknown", () => {
    const localAccounts = policy<StackValidationPolicy>(buildPolicies("qa"), "aks-local-accounts-disabled");
    const report: Report = jest.fn();
    const stack = edited(hardenedStack({ environment: "qa" }), "qa-azureml-extension", (i, r) => {
      i.clusterName = unknownStringValue;
      r.dependsOn = [byName(hardenedStack({ environment: "qa" }), "qa-aks").urn];
    });
    localAccounts.validateStack(stackArgs(stack), report);
    expect(report).not.toHaveBeenCalled();
  });

  test("environment isolation sees references across the whole stack", () => {
    const isolation = policy<StackValidationPolicy>(buildPolicies("qa"), "environment-isolation");
    const report: Report = jest.fn();
    const stack = edited(hardenedStack({ environment: "qa" }), "qa-batch", (i) => (i.workspaceName = "mlw-mlops-prod"));
    isolation.validateStack(stackArgs(stack), report);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0]).toEqual([expect.stringContaining("workspaceName references the prod environment"), byName(stack, "qa-batch").urn]);
  });
});

test("stack references, providers and components are not judged as deployed resources", () => {
  const isolation = policy<StackValidationPolicy>(buildPolicies("qa"), "environment-isolation");
  const report: Report = jest.fn();
  const devWorkspace = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-mlops-dev/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-dev";
  const notDeployed = [
    { type: "pulumi:pulumi:StackReference", name: "organization/mlops/dev", inputs: { name: "organization/mlops/dev", outputs: { workspaceId: devWorkspace } } },
    { type: "pulumi:providers:azure-native", name: "default", inputs: { location: "westeurope" } },
    { type: "mlops:modelPromotion:ModelPromotion", name: "qa-promotion", inputs: { sourceWorkspaceId: devWorkspace } },
  ].map((r) => ({ ...r, urn: `urn:pulumi:qa::mlops-azure::${r.type}::${r.name}` }));
  isolation.validateStack(stackArgs([...hardenedStack({ environment: "qa" }), ...notDeployed]), report);
  expect(report).not.toHaveBeenCalled();
});

describe("adapter helpers", () => {
  test("plainProps shows unknowns and secrets as the plan does", () => {
    const props = unknownCheckingProxy({ a: unknownStringValue, b: [1, { c: new Secret("pw") }], d: "x" });
    expect(plainProps(props)).toEqual({ a: "[unknown]", b: [1, { c: "[secret]" }], d: "x" });
  });

  test("environmentForPack reads the stack, and tolerates a runtime without one", () => {
    expect(environmentForPack(() => "qa")).toBe("qa");
    expect(environmentForPack(() => "branch-feature-x")).toBe("dev");
    expect(
      environmentForPack(() => {
        throw new Error("no stack");
      }),
    ).toBeUndefined();
  });
});

describe("the pack as a standalone Node project", () => {
  const policyDir = path.resolve(__dirname, "../../policy");

  /** Every module reachable from the pack's entry point, by relative import. */
  function reachable(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
      const base = path.resolve(path.dirname(file), m[1]);
      const next = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      if (!next) throw new Error(`${file}: cannot resolve ${m[1]}`);
      reachable(next, seen);
    }
    return seen;
  }

  test("index.ts reaches only files inside policy/ and packages the pack's package.json declares", () => {
    const files = [...reachable(path.join(policyDir, "index.ts"))];
    for (const f of files) expect(path.relative(policyDir, f).startsWith("..")).toBe(false);
    const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(policyDir, "package.json"), "utf8")).dependencies);
    const packages = new Set(
      files.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/from\s+"([^".][^"]*)"/g)].map((m) => m[1].split("/").slice(0, 2).join("/"))),
    );
    for (const p of packages) expect(declared).toContain(p);
    expect(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });
});
