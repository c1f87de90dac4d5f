import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";

export type DefenderPlanName = "Containers" | "KeyVaults" | "StorageAccounts" | "Arm";

/**
 * Sub-plans, as Microsoft.Security/pricings names them (Defender for Cloud REST "Pricings - Update",
 * api-version 2024-01-01): per-vault Key Vault, the v2 Storage plan, per-subscription ARM.
 * Containers has a single plan.
 */
const SUB_PLANS: Record<DefenderPlanName, string | undefined> = {
  Containers: undefined,
  KeyVaults: "PerKeyVault",
  StorageAccounts: "DefenderForStorageV2",
  Arm: "PerSubscription",
};

export interface DefenderPlansArgs {
  /** Subscription the plans are bought for (pricings are subscription-scoped). */
  subscriptionId: pulumi.Input<string>;
  plans: DefenderPlanName[];
}

/**
 * Microsoft Defender for Cloud plans at Standard tier on one subscription. A pricing is a
 * subscription singleton: two stacks in one subscription must not both declare the same plan.
 */
export class DefenderPlans extends pulumi.ComponentResource {
  readonly pricingIds: pulumi.Output<string>[];

  constructor(name: string, args: DefenderPlansArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:security:DefenderPlans", name, {}, opts);
    const scopeId = pulumi.interpolate`/subscriptions/${args.subscriptionId}`;
    this.pricingIds = args.plans.map((plan) => {
      const subPlan = SUB_PLANS[plan];
      return new security.Pricing(
        `${name}-${plan.toLowerCase()}`,
        { scopeId, pricingName: plan, pricingTier: security.PricingTier.Standard, ...(subPlan ? { subPlan } : {}) },
        { parent: this },
      ).id;
    });
    this.registerOutputs({ pricingIds: this.pricingIds });
  }
}
