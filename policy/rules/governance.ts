import { EVERYWHERE, PROD_ONLY } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { at, isUnknown, show } from "./values";

/** Azure resources the project declares that accept tags. */
const TAGGABLE = [
  TYPES.resourceGroup,
  TYPES.workspace,
  TYPES.compute,
  TYPES.onlineEndpoint,
  TYPES.batchEndpoint,
  TYPES.storageAccount,
  TYPES.vault,
  TYPES.registry,
  TYPES.managedCluster,
  TYPES.privateEndpoint,
  TYPES.virtualNetwork,
  TYPES.userAssignedIdentity,
  "azure-native:machinelearningservices:OnlineDeployment",
  "azure-native:machinelearningservices:BatchDeployment",
  "azure-native:operationalinsights:Workspace",
  "azure-native:applicationinsights:Component",
  "azure-native:network:NetworkSecurityGroup",
  "azure-native:privatedns:PrivateZone",
];

const REQUIRED_TAGS = ["environment", "stack", "managed-by"];

export const requiredTags: ResourceRule = {
  scope: "resource",
  name: "required-tags",
  description: "Taggable resources carry `environment` (this stack's), `stack` and `managed-by` tags (and `branch` on branch stacks).",
  anchors: ["custom"],
  levels: EVERYWHERE,
  remediation: "pass the environment spec's tags to every component and on to each resource's tags input",
  types: TAGGABLE,
  check(r, ctx) {
    const tags = at(r.inputs, "tags");
    if (isUnknown(tags)) return [];
    const required = ctx.stackKind === "branch" ? [...REQUIRED_TAGS, "branch"] : REQUIRED_TAGS;
    const record = tags && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
    const problems: string[] = [];
    const missing = required.filter((t) => record[t] === undefined || record[t] === "");
    if (missing.length > 0) problems.push(`missing tag${missing.length > 1 ? "s" : ""} ${missing.map((t) => `'${t}'`).join(", ")}`);
    const env = record.environment;
    if (typeof env === "string" && !isUnknown(env) && env !== ctx.environment) {
      problems.push(`tag environment is ${show(env)} in the ${ctx.environment} stack`);
    }
    return problems;
  },
};

/** What a prod mistake must not delete: data, secrets, images, the workspace, the serving cluster. */
const STATEFUL = [TYPES.workspace, TYPES.storageAccount, TYPES.vault, TYPES.registry, TYPES.managedCluster];

export const prodStatefulProtected: ResourceRule = {
  scope: "resource",
  name: "prod-stateful-protected",
  description: "In prod, the workspace, storage account, key vault, registry and AKS cluster are `protect`ed from deletion.",
  anchors: ["custom"],
  levels: PROD_ONLY,
  remediation: "leave the prod config's protect at its default (true) so `pulumi destroy` or a rename cannot delete them",
  types: STATEFUL,
  check: (r) => (r.protect === false ? ["is not protected: a destroy or a replacement would delete it"] : []),
};

export const governanceRules = [requiredTags, prodStatefulProtected];
