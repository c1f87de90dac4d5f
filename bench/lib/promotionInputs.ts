import type { PromotedModelInputs } from "../../components/modelPromotion/types";
import type { AmlServer } from "../../tests/support/amlServer";
import type { Azurite } from "../../tests/support/azurite";
import type { WorkspaceRef } from "../../shared/workspace";

/** The promotion both copy benchmarks measure: source → target on the local servers, archive on delete. */
export function benchPromotionInputs(
  h: { aml: AmlServer; azurite: Azurite },
  p: { modelName: string; version: string; source: WorkspaceRef; target: WorkspaceRef; copyConcurrency: number },
): PromotedModelInputs {
  return {
    modelName: p.modelName,
    version: p.version,
    source: p.source,
    target: { ...p.target, datastoreName: "workspaceblobstore" },
    approvalTag: { key: "stage", value: "production" },
    targetPathPrefix: "promoted",
    armEndpoint: h.aml.url,
    blobEndpointTemplate: `${h.azurite.url}/{account}`,
    archiveOnDelete: true,
    copyConcurrency: p.copyConcurrency,
  };
}
