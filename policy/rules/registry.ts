import { EVERYWHERE, PRIVATE_NETWORK, PROD_DENY } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { at, isBool, isUnknown, sameText, show } from "./values";

const REGISTRY = [TYPES.registry];

export const registryAdminUserDisabled: ResourceRule = {
  scope: "resource",
  name: "registry-admin-user-disabled",
  description: "Container registry has the admin user off (`adminUserEnabled`=false).",
  anchors: ["dc921057", "CKV_AZURE_137", "Azure.ACR.AdminUser"],
  levels: EVERYWHERE,
  remediation:
    "set adminUserEnabled: false and pull with managed identities (AcrPull); bring your own registry rather than the one Azure ML creates with the admin user on",
  types: REGISTRY,
  check: (r) => (isBool(at(r.inputs, "adminUserEnabled"), true) ? ["adminUserEnabled is true: a shared password grants push and pull"] : []),
};

export const registryAnonymousPullDisabled: ResourceRule = {
  scope: "resource",
  name: "registry-anonymous-pull-disabled",
  description: "Container registry refuses anonymous pulls (`anonymousPullEnabled`=false).",
  anchors: ["9f2dea28", "CKV_AZURE_138", "Azure.ACR.AnonymousAccess"],
  levels: EVERYWHERE,
  remediation: "set anonymousPullEnabled: false",
  types: REGISTRY,
  check: (r) => (isBool(at(r.inputs, "anonymousPullEnabled"), true) ? ["anonymousPullEnabled is true: anyone can pull the images"] : []),
};

export const registryPublicNetworkDisabled: ResourceRule = {
  scope: "resource",
  name: "registry-public-network-disabled",
  description: "Container registry is Premium with `publicNetworkAccess`='Disabled' (private link needs Premium).",
  anchors: ["0fdf0491", "bd560fc0", "d0793b48", "CKV_AZURE_139", "Azure.ACR.Firewall"],
  levels: PRIVATE_NETWORK,
  remediation: "use sku.name 'Premium' and set publicNetworkAccess: 'Disabled'; reach it through its private endpoint",
  types: REGISTRY,
  check(r) {
    const problems: string[] = [];
    const pna = at(r.inputs, "publicNetworkAccess");
    if (!isUnknown(pna) && !sameText(pna, "Disabled")) problems.push(`publicNetworkAccess is ${show(pna)}`);
    const sku = at(r.inputs, "sku.name");
    if (!isUnknown(sku) && !sameText(sku, "Premium")) problems.push(`sku.name is ${show(sku)}; private link needs 'Premium'`);
    return problems;
  },
};

export const registryExportDisabled: ResourceRule = {
  scope: "resource",
  name: "registry-export-disabled",
  description: "Container registry forbids exporting artifacts (`policies.exportPolicy.status`='disabled').",
  anchors: ["524b0254"],
  levels: PROD_DENY,
  remediation: "set policies.exportPolicy.status: 'disabled' (Premium, with public network access disabled)",
  types: REGISTRY,
  check(r) {
    const v = at(r.inputs, "policies.exportPolicy.status");
    return isUnknown(v) || sameText(v, "disabled") ? [] : [`policies.exportPolicy.status is ${show(v)} (Azure's default is enabled)`];
  },
};

export const registryArmAudienceTokensDisabled: ResourceRule = {
  scope: "resource",
  name: "registry-arm-audience-tokens-disabled",
  description:
    "Container registry accepts only registry-audience Entra tokens (`policies.azureADAuthenticationAsArmPolicy.status`='disabled').",
  anchors: ["42781ec6"],
  levels: PROD_DENY,
  remediation: "set policies.azureADAuthenticationAsArmPolicy.status: 'disabled'",
  types: REGISTRY,
  check(r) {
    const v = at(r.inputs, "policies.azureADAuthenticationAsArmPolicy.status");
    return isUnknown(v) || sameText(v, "disabled")
      ? []
      : [`policies.azureADAuthenticationAsArmPolicy.status is ${show(v)}: any ARM-audience token can pull`];
  },
};

export const registryRetention: ResourceRule = {
  scope: "resource",
  name: "registry-untagged-retention",
  description: "Container registry deletes untagged manifests after a retention period (`policies.retentionPolicy.status`='enabled').",
  anchors: ["CKV_AZURE_167", "Azure.ACR.Retention"],
  levels: { dev: "disabled", qa: "mandatory", prod: "mandatory" },
  remediation: "set policies.retentionPolicy: { status: 'enabled', days: 7 } (Premium)",
  types: REGISTRY,
  check(r) {
    const v = at(r.inputs, "policies.retentionPolicy.status");
    return isUnknown(v) || sameText(v, "enabled") ? [] : [`policies.retentionPolicy.status is ${show(v)}`];
  },
};

export const registryRules = [
  registryAdminUserDisabled,
  registryAnonymousPullDisabled,
  registryPublicNetworkDisabled,
  registryExportDisabled,
  registryArmAudienceTokensDisabled,
  registryRetention,
];
