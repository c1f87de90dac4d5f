import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { PromotedModel, resolveApproval } from "../../components/modelPromotion";

export interface PromotionCore {
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
}

export interface PromotionOutputs {
  /** The origin environment's (dev's) workspace and storage: the only cross-environment reads. */
  origin: { workspaceId: pulumi.Output<string>; storageAccountId: pulumi.Output<string> };
  models: PromotedModel[];
}

/**
 * Models promoted into this environment, always copied from the origin (dev, the workspace that
 * trained them): qa promotes the newest version approved in dev; prod promotes the newest version
 * qa approved, as recorded on the origin version with the hash of qa's tested copy, and checks the
 * origin bytes against that hash. The only stack read is the origin's (`requireOutput`), so no prod
 * resource, identity or network path reaches qa (ARCHITECTURE §6). The resolved version is an input,
 * so a preview shows "7 → 9" and revoking an approval rolls back on the next `up`; offline (the
 * plan) it is unknown.
 */
export function declarePromotion(
  spec: EnvironmentSpec,
  core: PromotionCore,
  inputs: { subscriptionId: pulumi.Input<string>; offline: boolean },
): PromotionOutputs | undefined {
  const promotion = spec.promotion;
  if (!promotion) return undefined;
  const base = `${spec.prefix}-${spec.environment}`;
  const origin = new pulumi.StackReference(`${base}-origin`, { name: promotion.originStack });
  const text = (key: string) => origin.requireOutput(key).apply((v) => String(v));
  const source = {
    subscriptionId: text("subscriptionId"),
    resourceGroupName: text("resourceGroupName"),
    workspaceName: text("workspaceName"),
  };

  const models = promotion.models.map((m) => {
    const approved = resolveApproval({
      source,
      modelName: m.name,
      approvalTag: promotion.approvalTag,
      approvedIn: promotion.upstreamEnvironment,
      originEnvironment: promotion.originEnvironment,
      ...(m.pinnedVersion ? { pinnedVersion: m.pinnedVersion } : {}),
      offline: inputs.offline,
    });
    return new PromotedModel(`${base}-model-${m.name}`, {
      modelName: m.name,
      version: approved.version,
      expectedContentHash: approved.apply((a) => a.expectedContentHash ?? ""),
      approvals: approved.approvals,
      source,
      target: { subscriptionId: inputs.subscriptionId, resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName },
      approvalTag: promotion.approvalTag,
      archiveOnDelete: promotion.archiveOnDelete,
    });
  });

  return { origin: { workspaceId: text("workspaceId"), storageAccountId: text("storageAccountId") }, models };
}
