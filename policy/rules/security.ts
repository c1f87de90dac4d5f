import { PROD_PAID } from "./levels";
import { TYPES } from "./typeTokens";
import type { StackFinding, StackRule } from "./types";
import { at, isUnknown, sameText, show } from "./values";

/** Defender for Cloud plans covering what an environment declares: AKS, key vault, storage, ARM. */
export const REQUIRED_DEFENDER_PLANS = ["Containers", "KeyVaults", "StorageAccounts", "Arm"] as const;

/**
 * Built-ins (Azure/azure-policy, `Security Center/`), subscription-level AuditIfNotExists:
 * 1c988dd6 "Microsoft Defender for Containers should be enabled", 0e6763cc "Azure Defender for Key
 * Vault should be enabled", 640d2586 "Microsoft Defender for Storage should be enabled", c3d20c29
 * "Azure Defender for Resource Manager should be enabled". They check the pricing tier of the
 * subscription's Microsoft.Security/pricings, which the plan sees as security.Pricing resources.
 */
export const defenderPlansEnabled: StackRule = {
  scope: "stack",
  name: "defender-plans",
  description:
    "The stack buys the Defender for Cloud plans covering what it declares (Containers, KeyVaults, StorageAccounts, Arm) at Standard tier on its subscription, and never sets a declared plan to Free.",
  anchors: ["1c988dd6", "0e6763cc", "640d2586", "c3d20c29"],
  levels: PROD_PAID,
  remediation: "list the plans in mlops:security.defenderPlans (a security.Pricing per plan with pricingTier 'Standard'); in a shared subscription one stack declares them",
  check(resources) {
    const findings: StackFinding[] = [];
    const pricings = resources.filter((r) => r.type === TYPES.defenderPricing);
    for (const p of pricings) {
      const tier = at(p.inputs, "pricingTier");
      if (!isUnknown(tier) && !sameText(tier, "Standard")) findings.push({ urn: p.urn, message: `pricingTier is ${show(tier)}: the ${show(at(p.inputs, "pricingName"))} plan is off` });
    }
    const bought = new Set(pricings.map((p) => String(at(p.inputs, "pricingName")).toLowerCase()));
    const missing = REQUIRED_DEFENDER_PLANS.filter((plan) => !bought.has(plan.toLowerCase()));
    if (missing.length > 0) findings.push({ urn: null, message: `no Defender plan declared for ${missing.join(", ")}` });
    return findings;
  },
};

export const securityRules = [defenderPlansEnabled];
