export { PromotedModel } from "./promotedModel";
export type { PromotedModelArgs, WorkspaceCoordinatesArgs } from "./promotedModel";
export { PromotedModelProvider } from "./provider";
export { resolvePromotedVersion, approvedVersionOf, findLatestApproved } from "./resolve";
export type { ResolvePromotedVersionArgs, MlClientFactory } from "./resolve";
export type { PromotionClients, PromotionClientFactory, BlobAccess } from "./clients";
export { DEFAULTS as PROMOTION_DEFAULTS, LINEAGE } from "./types";
export type { ApprovalTag, WorkspaceCoordinates, TargetWorkspace, PromotedModelInputs, PromotedModelOutputs } from "./types";
