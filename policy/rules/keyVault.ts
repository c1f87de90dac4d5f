import { EVERYWHERE, OUTSIDE_DEV, PRIVATE_NETWORK } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { at, isBool, isUnknown, sameText, show } from "./values";

// keyvault.Vault keeps ARM's `properties` envelope in azure-native v3.
const VAULT = [TYPES.vault];

export const keyVaultSoftDelete: ResourceRule = {
  scope: "resource",
  name: "keyvault-soft-delete",
  description: "Key vault keeps soft delete on (`properties.enableSoftDelete` is not false).",
  anchors: ["1e66c121", "CKV_AZURE_111", "Azure.KeyVault.SoftDelete"],
  levels: EVERYWHERE,
  remediation: "remove properties.enableSoftDelete: false (soft delete is on by default and cannot be turned off once on)",
  types: VAULT,
  check(r) {
    const v = at(r.inputs, "properties.enableSoftDelete");
    return isBool(v, false) ? ["properties.enableSoftDelete is false"] : [];
  },
};

export const keyVaultPurgeProtection: ResourceRule = {
  scope: "resource",
  name: "keyvault-purge-protection",
  description: "Key vault has purge protection (`properties.enablePurgeProtection`=true).",
  anchors: ["0b60c0b2", "CKV_AZURE_110", "CKV_AZURE_42", "Azure.KeyVault.PurgeProtect"],
  levels: OUTSIDE_DEV,
  remediation:
    "set properties.enablePurgeProtection: true (dev may leave it off: a purge-protected name cannot be reused for the retention period after destroy)",
  types: VAULT,
  check(r) {
    const v = at(r.inputs, "properties.enablePurgeProtection");
    return isUnknown(v) || isBool(v, true) ? [] : [`properties.enablePurgeProtection is ${show(v)}`];
  },
};

export const keyVaultRbacAuthorization: ResourceRule = {
  scope: "resource",
  name: "keyvault-rbac-authorization",
  description: "Key vault uses Azure RBAC for data access (`properties.enableRbacAuthorization`=true).",
  anchors: ["12d4fa5e"],
  levels: EVERYWHERE,
  remediation: "set properties.enableRbacAuthorization: true and grant data roles with role assignments instead of access policies",
  types: VAULT,
  check(r) {
    const v = at(r.inputs, "properties.enableRbacAuthorization");
    return isUnknown(v) || isBool(v, true) ? [] : [`properties.enableRbacAuthorization is ${show(v)}: access policies grant data access`];
  },
};

/**
 * Both built-ins apply, independently: 405c5871 flags `publicNetworkAccess` not 'Disabled' (absent
 * counts: Azure's default is Enabled) and 55615ac9 flags `networkAcls.defaultAction` not 'Deny'
 * (Azure/azure-policy, Key Vault/AzureKeyVaultPublicNetworkAccess_Audit.json and
 * AzureKeyVaultFirewallEnabled_Audit.json). A closed firewall does not excuse an Enabled public
 * endpoint: the IP and VNet rules stay a way in.
 */
export const keyVaultNetworkRestricted: ResourceRule = {
  scope: "resource",
  name: "keyvault-network-restricted",
  description:
    "Key vault is closed to public networks: `properties.publicNetworkAccess`='Disabled' and `properties.networkAcls.defaultAction`='Deny'.",
  anchors: ["405c5871", "55615ac9", "CKV_AZURE_189", "CKV_AZURE_109"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set properties.publicNetworkAccess: 'Disabled' (access through a private endpoint) and properties.networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' }",
  types: VAULT,
  check(r) {
    const problems: string[] = [];
    const pna = at(r.inputs, "properties.publicNetworkAccess");
    if (!isUnknown(pna) && !sameText(pna, "Disabled")) {
      problems.push(`properties.publicNetworkAccess is ${show(pna)}: the vault has a public endpoint whatever its firewall says`);
    }
    const action = at(r.inputs, "properties.networkAcls.defaultAction");
    if (!isUnknown(action) && !sameText(action, "Deny")) {
      problems.push(`properties.networkAcls.defaultAction is ${show(action)}: reachable from any network that reaches the endpoint`);
    }
    // One finding per resource: the parts are one fix.
    return problems.length > 0 ? [problems.join("; ")] : [];
  },
};

export const keyVaultRules = [keyVaultSoftDelete, keyVaultPurgeProtection, keyVaultRbacAuthorization, keyVaultNetworkRestricted];
