import type { PromotedModelInputs, WorkspaceCoordinates } from "../../components/modelPromotion/types";
import type { AmlServer } from "../../tests/support/amlServer";
import type { Azurite } from "../../tests/support/azurite";

/** The promotion both copy benchmarks measure: source → target on the local servers, archive on delete. */
export function benchPromotionInputs(
  h: { aml: AmlServer; azurite: Azurite },
  p: { modelName: string; version: string; source: WorkspaceCoordinates; target: WorkspaceCoordinates; copyConcurrency: number },
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
