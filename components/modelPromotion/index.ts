export { PromotedModel } from "./promotedModel";
export type { PromotedModelArgs, WorkspaceCoordinatesArgs } from "./promotedModel";
export { PromotedModelProvider } from "./provider";
export { resolvePromotedVersion, resolveApproval, approvalOf, approvedVersionOf, findLatestApproved } from "./resolve";
export type { ResolvePromotedVersionArgs, ResolveApprovalArgs, ResolvedApproval, MlClientFactory } from "./resolve";
export type { PromotionClients, PromotionClientFactory, BlobAccess } from "./clients";
export { DEFAULTS as PROMOTION_DEFAULTS, LINEAGE, ORIGIN_APPROVAL } from "./types";
export type { ApprovalTag, WorkspaceCoordinates, TargetWorkspace, PromotedModelInputs, PromotedModelOutputs } from "./types";
