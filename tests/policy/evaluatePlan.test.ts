/** The offline plan's entry: the same rules on a plan document, as docs/architecture.md, "Command contracts", describes. */
import { evaluatePlan } from "../../policy/evaluate";
import { edited, hardenedStack, planOf, publicDevStack, publicStack, urnOf } from "./fixtures";

const mandatory = (plan: ReturnType<typeof planOf>) => evaluatePlan(plan).violations.filter((v) => v.level === "mandatory");

describe("evaluatePlan", () => {
  test.each(["qa", "prod"] as const)("a hardened %s plan has no violation and records the Azure ML waiver", (env) => {
    const { violations, waivers } = evaluatePlan(planOf(hardenedStack({ environment: env }), env));
    expect(violations).toEqual([]);
    expect(waivers).toEqual([
      {
        policy: "aks-local-accounts-disabled",
        urn: urnOf(env, "azure-native:containerservice:ManagedCluster", `${env}-aks`),
        reason: expect.stringContaining("Microsoft.AzureML.Kubernetes"),
      },
    ]);
  });

  const PUBLIC_MODE_RULES = [
    "workspace-public-network-disabled",
    "private-endpoints-for-workspace",
    "storage-network-restricted",
    "keyvault-network-restricted",
    "registry-public-network-disabled",
    "compute-no-public-node-ip",
    "keyvault-purge-protection",
  ];

  test("dev in public network mode gets advice, not a mandatory violation", () => {
    const { violations } = evaluatePlan(planOf(publicDevStack(), "dev"));
    expect(violations.filter((v) => v.level === "mandatory")).toEqual([]);
    const advised = new Set(violations.map((v) => v.policy));
    for (const p of PUBLIC_MODE_RULES) expect(advised).toContain(p);
  });

  test.each(["qa", "prod"] as const)("the same public settings in %s are mandatory violations", (env) => {
    const { violations } = evaluatePlan(planOf(publicStack(env), env));
    const mandatoryPolicies = new Set(violations.filter((v) => v.level === "mandatory").map((v) => v.policy));
    for (const p of PUBLIC_MODE_RULES) expect(mandatoryPolicies).toContain(p);
  });

  // The acceptance cases: each names the rule and the resource.
  const prod = () => hardenedStack({ environment: "prod" });
  test.each([
    ["public network access", () => edited(prod(), "prod-workspace", (i) => (i.publicNetworkAccess = "Enabled")), "workspace-public-network-disabled", "prod-workspace"],
    ["a public storage account", () => edited(prod(), "prod-storage", (i) => { i.publicNetworkAccess = "Enabled"; i.networkRuleSet = { defaultAction: "Allow" }; i.allowBlobPublicAccess = true; }), "storage-network-restricted", "prod-storage"],
    ["an AKS without Azure RBAC", () => edited(prod(), "prod-aks", (i) => (i.aadProfile = { managed: true, enableAzureRBAC: false })), "aks-entra-rbac", "prod-aks"],
    ["an admin-enabled registry", () => edited(prod(), "prod-registry", (i) => (i.adminUserEnabled = true)), "registry-admin-user-disabled", "prod-registry"],
    ["a cluster with a public node IP", () => edited(prod(), "prod-cpu", (i) => (i.properties.properties.enableNodePublicIp = true)), "compute-no-public-node-ip", "prod-cpu"],
    ["an AKS node pool with public IPs", () => edited(prod(), "prod-aks", (i) => (i.agentPoolProfiles[0].enableNodePublicIP = true)), "aks-no-node-public-ip", "prod-aks"],
  ])("prod with %s is a mandatory violation naming rule and resource", (_what, build, policy, resource) => {
    const found = mandatory(planOf(build(), "prod")).filter((v) => v.policy === policy);
    expect(found).toHaveLength(1);
    expect(found[0].urn).toMatch(new RegExp(`::${resource}$`));
    expect(found[0].message).toContain(resource);
    expect(Object.keys(found[0]).sort()).toEqual(["level", "message", "policy", "urn"]);
  });

  test("the plan's dependency list identifies the Azure ML cluster when names are unknown", () => {
    const stack = edited(hardenedStack({ environment: "qa" }), "qa-azureml-extension", (i, r) => {
      i.clusterName = "[unknown]";
      r.dependsOn = [urnOf("qa", "azure-native:containerservice:ManagedCluster", "qa-aks")];
    });
    const { violations, waivers } = evaluatePlan(planOf(stack, "qa"));
    expect(violations).toEqual([]);
    expect(waivers.map((w) => w.policy)).toEqual(["aks-local-accounts-disabled"]);
  });

  test("components, read resources and the stack itself are not evaluated", () => {
    const plan = planOf(hardenedStack({ environment: "prod" }), "prod");
    plan.resources.push({
      urn: urnOf("prod", "azure-native:storage:StorageAccount", "upstream-storage-lookup"),
      type: "azure-native:storage:StorageAccount",
      name: "upstream-storage-lookup",
      parent: null,
      custom: true,
      protect: false,
      dependsOn: [],
      inputs: { allowBlobPublicAccess: true },
      read: true,
    } as any);
    expect(evaluatePlan(plan).violations).toEqual([]);
  });

  test("a branch stack gets dev's levels and must carry the branch tag", () => {
    const stack = "branch-feature-x-3f9a";
    const resources = hardenedStack({ environment: "dev", stack }).filter((r) => r.type === "azure-native:storage:StorageAccount");
    const { violations } = evaluatePlan(planOf(resources, "dev", stack, "branch"));
    // The storage account alone (no diagnostic setting) also draws dev-level advice.
    expect(violations.filter((v) => v.policy === "diagnostic-settings").map((v) => v.level)).toEqual(["advisory"]);
    expect(violations.filter((v) => v.level === "mandatory")).toEqual([
      expect.objectContaining({ policy: "required-tags", level: "mandatory", message: expect.stringContaining("missing tag 'branch'") }),
    ]);
  });

  test("an environment the plan cannot name falls back to the stack name", () => {
    const plan = { ...planOf(hardenedStack({ environment: "prod" }), "prod"), environment: "production" };
    const edited_ = { ...plan, resources: plan.resources.map((r) => (r.name === "prod-vault" ? { ...r, protect: false } : r)) };
    expect(evaluatePlan(edited_).violations.map((v) => v.policy)).toEqual(["prod-stateful-protected"]);
  });
});
