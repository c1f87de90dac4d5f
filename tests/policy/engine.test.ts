/** The machinery around the rules: context, value reading, levels, waivers and the README table. */
import { allRules, allWaivers } from "../../policy/rules";
import { buildContext, environmentOfStack, inferNetworkMode, stackOfUrn } from "../../policy/rules/context";
import { evaluateResources } from "../../policy/rules/engine";
import { durationSeconds } from "../../policy/rules/compute";
import { environmentOfName } from "../../policy/rules/isolation";
import { renderRulesTable } from "../../policy/evaluate";
import type { StackRule } from "../../policy/rules/types";
import { at, isUnknown } from "../../policy/rules/values";
import { edited, hardenedStack, publicDevStack, urnOf } from "./fixtures";
import { runRule, stackUrnFor } from "./helpers";

describe("context", () => {
  test.each([
    ["dev", "dev", "environment"],
    ["qa", "qa", "environment"],
    ["organization/mlops/prod", "prod", "environment"],
    ["branch-feature-x-3f9a", "dev", "branch"],
  ])("stack %s is environment %s (%s)", (stack, environment, stackKind) => {
    expect(environmentOfStack(stack)).toEqual({ environment, stackKind });
  });

  test("the stack name is read from a URN", () => {
    expect(stackOfUrn("urn:pulumi:prod::mlops-azure::azure-native:storage:StorageAccount::st")).toBe("prod");
    expect(stackOfUrn("not-a-urn")).toBeNull();
  });

  test("network mode follows the workspace and private endpoints", () => {
    expect(inferNetworkMode(hardenedStack({ environment: "prod" }))).toBe("private");
    expect(inferNetworkMode(publicDevStack())).toBe("public");
    expect(inferNetworkMode([])).toBe("public");
  });

  test("promotion sources follow dev → qa → prod", () => {
    expect(buildContext([], "dev", "environment").promotionSource).toBeNull();
    expect(buildContext([], "qa", "environment").promotionSource).toBe("dev");
    expect(buildContext([], "prod", "environment").promotionSource).toBe("dev"); // prod copies from the origin, never from qa
  });

  test("environment tokens are whole name segments", () => {
    expect(environmentOfName("rg-mlops-qa-serving")).toBe("qa");
    expect(environmentOfName("MC_rg-mlops-prod-serving_aks-mlops-prod_westeurope")).toBe("prod");
    expect(environmentOfName("rg-devops-shared")).toBeNull();
  });
});

describe("values", () => {
  test("paths ignore case, as ARM does", () => {
    const inputs = { addonProfiles: { azurePolicy: { enabled: true } } };
    expect(at(inputs, "addonProfiles.azurepolicy.enabled")).toBe(true);
    expect(at(inputs, "addonProfiles.omsagent.enabled")).toBeUndefined();
  });

  test("an unknown value stops the walk and is never a violation", () => {
    expect(at({ networkRuleSet: "[unknown]" }, "networkRuleSet.defaultAction")).toBe("[unknown]");
    expect(isUnknown("[secret]")).toBe(true);
    const stack = edited(hardenedStack({ environment: "prod" }), "prod-workspace", (i) => (i.publicNetworkAccess = "[unknown]"));
    expect(runRule("workspace-public-network-disabled", stack, "prod").findings).toEqual([]);
  });

  test("ISO 8601 durations", () => {
    expect(durationSeconds("PT15M")).toBe(900);
    expect(durationSeconds("PT1H30M")).toBe(5400);
    expect(durationSeconds("P1D")).toBe(86400);
    expect(durationSeconds("15 minutes")).toBeNull();
    expect(durationSeconds("PT")).toBeNull();
  });
});

describe("levels", () => {
  test("a network rule is advice in dev and mandatory in qa and prod", () => {
    const levels = (["dev", "qa", "prod"] as const).map((env) => {
      const stack = edited(hardenedStack({ environment: env }), `${env}-workspace`, (i) => (i.publicNetworkAccess = "Enabled"));
      return runRule("workspace-public-network-disabled", stack, env).findings[0]?.level;
    });
    expect(levels).toEqual(["advisory", "mandatory", "mandatory"]);
  });

  test("a prod-only rule does not run elsewhere", () => {
    const stack = edited(hardenedStack({ environment: "qa" }), "qa-vault", (_i, r) => (r.protect = false));
    expect(runRule("prod-stateful-protected", stack, "qa").findings).toEqual([]);
  });

  test("every rule names its anchors, a remediation and a level per environment", () => {
    for (const rule of allRules) {
      expect(rule.anchors.length).toBeGreaterThan(0);
      expect(rule.remediation.length).toBeGreaterThan(10);
      expect(Object.keys(rule.levels).sort()).toEqual(["dev", "prod", "qa"]);
    }
    expect(allRules.filter((r) => r.levels.qa === "mandatory").length).toBeGreaterThanOrEqual(30);
  });
});

describe("waivers", () => {
  const cluster = (env: "qa" | "prod") => urnOf(env, "azure-native:containerservice:ManagedCluster", `${env}-aks`);

  test("local accounts on the Azure ML cluster are waived with the reason, not reported", () => {
    const { findings, waivers } = runRule("aks-local-accounts-disabled", hardenedStack({ environment: "prod" }), "prod");
    expect(findings).toEqual([]);
    expect(waivers).toHaveLength(1);
    expect(waivers[0]).toMatchObject({ policy: "aks-local-accounts-disabled", urn: cluster("prod") });
    expect(waivers[0].reason).toMatch(/does not support disabling local accounts/);
  });

  test("when names are unknown, the extension's dependency on the cluster identifies it", () => {
    let stack = edited(hardenedStack({ environment: "qa" }), "qa-azureml-extension", (i, r) => {
      i.clusterName = "[unknown]";
      r.dependsOn = [cluster("qa")];
    });
    expect(runRule("aks-local-accounts-disabled", stack, "qa").waivers).toHaveLength(1);
    stack = edited(stack, "qa-azureml-extension", (_i, r) => (r.dependsOn = []));
    expect(runRule("aks-local-accounts-disabled", stack, "qa").findings).toHaveLength(1);
  });

  test("another extension type does not earn the waiver", () => {
    const stack = edited(hardenedStack({ environment: "qa" }), "qa-azureml-extension", (i) => (i.extensionType = "microsoft.flux"));
    const { findings, waivers } = runRule("aks-local-accounts-disabled", stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings.map((f) => f.urn)).toEqual([cluster("qa")]);
  });

  test("every waiver points at a rule of the pack", () => {
    const names = new Set(allRules.map((r) => r.name));
    for (const w of allWaivers) {
      expect(names).toContain(w.policy);
      expect(w.reason.length).toBeGreaterThan(20);
    }
  });
});

describe("engine", () => {
  test("a stack finding without a resource is reported on the stack URN", () => {
    const rule: StackRule = {
      scope: "stack",
      name: "needs-a-workspace",
      description: "test rule",
      anchors: ["custom"],
      levels: { dev: "advisory", qa: "mandatory", prod: "mandatory" },
      remediation: "declare a workspace",
      check: (resources) => (resources.length === 0 ? [{ urn: null, message: "the stack is empty" }] : []),
    };
    const ctx = buildContext([], "qa", "environment");
    expect(evaluateResources([], ctx, [rule], [], stackUrnFor("qa")).findings).toEqual([
      { policy: "needs-a-workspace", level: "mandatory", urn: stackUrnFor("qa"), message: "the stack is empty. Fix: declare a workspace" },
    ]);
  });
});

describe("renderRulesTable", () => {
  test("one row per rule with anchors and the level in each environment", () => {
    const table = renderRulesTable();
    const lines = table.trim().split("\n");
    expect(lines[0]).toBe("| rule | checks | anchors | dev | qa | prod |");
    expect(lines).toHaveLength(allRules.length + 2);
    expect(table).toContain("| `aks-private-cluster` |");
    const row = lines.find((l) => l.startsWith("| `workspace-public-network-disabled` |"))!;
    expect(row).toMatch(/438c38d2, CKV_AZURE_144, CKV2_AZURE_49, Azure\.ML\.PublicAccess \| advisory \| mandatory \| mandatory \|$/);
  });
});

describe("waiver review dates and conditions", () => {
  const qaCluster = () => hardenedStack({ environment: "qa" });
  const ruleOf = (name: string) => allRules.filter((r) => r.name === name);
  test("a waiver past its review date no longer applies, and says so", () => {
    const stack = qaCluster();
    const ctx = buildContext(stack, "qa", "environment");
    const waiver = allWaivers.find((w) => w.policy === "aks-local-accounts-disabled")!;
    const before = evaluateResources(stack, ctx, ruleOf("aks-local-accounts-disabled"), allWaivers, stackUrnFor("qa"), waiver.reviewBy);
    expect(before.findings).toEqual([]);
    expect(before.waivers).toHaveLength(1);
    const after = evaluateResources(stack, ctx, ruleOf("aks-local-accounts-disabled"), allWaivers, stackUrnFor("qa"), "2999-01-01");
    expect(after.waivers).toEqual([]);
    expect(after.findings[0].message).toMatch(/review date \d{4}-\d{2}-\d{2} has passed/);
  });

  test("every waiver carries conditions and a real review date", () => {
    for (const w of allWaivers) {
      expect(w.conditions.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(w.reviewBy))).toBe(false);
    }
  });

  test("no kube-audit logs on the cluster: the waiver is refused in the fixture stack too", () => {
    const stack = qaCluster().filter((r) => r.name !== "qa-aks-diag");
    const { findings, waivers } = runRule("aks-local-accounts-disabled", stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings[0].message).toMatch(/waiver not applied/);
  });
});
