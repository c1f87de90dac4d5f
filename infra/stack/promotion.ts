import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { PromotedModel, resolvePromotedVersion } from "../../components/modelPromotion";
import { requiredText } from "./stackOutputs";

export interface PromotionCore {
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
}

export interface PromotionOutputs {
  /** The upstream environment's workspace and storage, for the deployer's read-only grants. */
  upstream: { workspaceId: pulumi.Output<string>; storageAccountId: pulumi.Output<string> };
  models: PromotedModel[];
}

/**
 * Models approved upstream (qa ← dev, prod ← qa) copied into this environment. The version to
 * promote is resolved when the program runs — the newest upstream version carrying the approval tag,
 * or a pinned one — and is an input of the promoted model, so a preview shows "7 → 9" and removing
 * the tag upstream rolls back on the next `up`. Offline (the plan), the version is unknown.
 */
export function declarePromotion(
  spec: EnvironmentSpec,
  core: PromotionCore,
  inputs: { subscriptionId: pulumi.Input<string>; offline: boolean },
): PromotionOutputs | undefined {
  const promotion = spec.promotion;
  if (!promotion) return undefined;
  const base = `${spec.prefix}-${spec.environment}`;
  const upstream = new pulumi.StackReference(`${base}-upstream`, { name: promotion.upstreamStack });
  const text = requiredText(upstream, promotion.upstreamStack, `${spec.stack}'s model promotion`);
  const source = {
    subscriptionId: text("subscriptionId"),
    resourceGroupName: text("resourceGroupName"),
    workspaceName: text("workspaceName"),
  };

  const models = promotion.models.map((m) => {
    const version = resolvePromotedVersion({
      source,
      modelName: m.name,
      approvalTag: promotion.approvalTag,
      ...(m.pinnedVersion ? { pinnedVersion: m.pinnedVersion } : {}),
      offline: inputs.offline,
    });
    return new PromotedModel(`${base}-model-${m.name}`, {
      modelName: m.name,
      version,
      source,
      target: { subscriptionId: inputs.subscriptionId, resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName },
      approvalTag: promotion.approvalTag,
      archiveOnDelete: promotion.archiveOnDelete,
    });
  });

  return { upstream: { workspaceId: text("workspaceId"), storageAccountId: text("storageAccountId") }, models };
}
