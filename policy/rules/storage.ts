import { EVERYWHERE, OUTSIDE_DEV, PRIVATE_NETWORK, PROD_DENY, QA_AND_PROD } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { at, isBool, isUnknown, sameText, show } from "./values";

const STORAGE = [TYPES.storageAccount];

/** A boolean the rule wants explicitly `expected` (Azure's default differs or changed over time). */
function explicitBool(value: unknown, expected: boolean, path: string): string[] {
  return isUnknown(value) || isBool(value, expected) ? [] : [`${path} is ${show(value)}, expected ${expected}`];
}

export const storageBlobPublicAccessDisabled: ResourceRule = {
  scope: "resource",
  name: "storage-blob-public-access-disabled",
  description: "Storage account forbids anonymous blob access (`allowBlobPublicAccess`=false).",
  anchors: ["4fa4b6c0", "CKV_AZURE_190", "CKV2_AZURE_47", "Azure.Storage.BlobPublicAccess"],
  levels: EVERYWHERE,
  remediation: "set allowBlobPublicAccess: false",
  types: STORAGE,
  check: (r) => explicitBool(at(r.inputs, "allowBlobPublicAccess"), false, "allowBlobPublicAccess"),
};

export const storageHttpsOnly: ResourceRule = {
  scope: "resource",
  name: "storage-https-only",
  description: "Storage account accepts HTTPS only (`enableHttpsTrafficOnly`, ARM's `supportsHttpsTrafficOnly`).",
  anchors: ["404c3081", "CKV_AZURE_3", "Azure.Storage.SecureTransfer"],
  levels: EVERYWHERE,
  remediation: "set enableHttpsTrafficOnly: true",
  types: STORAGE,
  check: (r) => explicitBool(at(r.inputs, "enableHttpsTrafficOnly"), true, "enableHttpsTrafficOnly"),
};

export const storageMinimumTls: ResourceRule = {
  scope: "resource",
  name: "storage-min-tls-1-2",
  description: "Storage account requires TLS 1.2 or newer (`minimumTlsVersion`).",
  anchors: ["fe83a0eb", "CKV_AZURE_44", "Azure.Storage.MinTLS"],
  levels: EVERYWHERE,
  remediation: "set minimumTlsVersion: 'TLS1_2'",
  types: STORAGE,
  check(r) {
    const v = at(r.inputs, "minimumTlsVersion");
    return isUnknown(v) || sameText(v, "TLS1_2") || sameText(v, "TLS1_3") ? [] : [`minimumTlsVersion is ${show(v)}`];
  },
};

/**
 * Both built-ins apply, independently: b2982f36 flags `publicNetworkAccess` not 'Disabled' (absent
 * counts) and 34c877ad flags `networkAcls.defaultAction` (Pulumi's `networkRuleSet`) not 'Deny'
 * (Azure/azure-policy, Storage/StoragePublicNetworkAccess_AuditDeny.json and
 * Storage_NetworkAcls_Audit.json). A firewall that denies does not close an Enabled public endpoint.
 */
export const storageNetworkRestricted: ResourceRule = {
  scope: "resource",
  name: "storage-network-restricted",
  description:
    "Storage account is closed to public networks: `publicNetworkAccess`='Disabled' and `networkRuleSet.defaultAction`='Deny' with the AzureServices bypass.",
  anchors: ["b2982f36", "34c877ad", "CKV_AZURE_59", "CKV_AZURE_35", "CKV_AZURE_36", "Azure.Storage.Firewall"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set publicNetworkAccess: 'Disabled' (access through private endpoints) and networkRuleSet: { defaultAction: 'Deny', bypass: 'AzureServices' }",
  types: STORAGE,
  check(r) {
    const problems: string[] = [];
    const pna = at(r.inputs, "publicNetworkAccess");
    if (!isUnknown(pna) && !sameText(pna, "Disabled")) {
      problems.push(`publicNetworkAccess is ${show(pna)}: the account has a public endpoint whatever its firewall says`);
    }
    const action = at(r.inputs, "networkRuleSet.defaultAction");
    if (!isUnknown(action) && !sameText(action, "Deny")) {
      problems.push(`networkRuleSet.defaultAction is ${show(action)}: reachable from any network that reaches the endpoint`);
    }
    const bypass = at(r.inputs, "networkRuleSet.bypass");
    // Azure ML's own services reach the default storage as a trusted service.
    if (!isUnknown(bypass) && !(typeof bypass === "string" && /azureservices/i.test(bypass))) {
      problems.push(`networkRuleSet.bypass is ${show(bypass)}: trusted Azure services (Azure ML) are locked out`);
    }
    // One finding per resource: the parts are one fix.
    return problems.length > 0 ? [problems.join("; ")] : [];
  },
};

export const storageSharedKeyDisabled: ResourceRule = {
  scope: "resource",
  name: "storage-shared-key-disabled",
  description: "Storage account refuses shared-key authorization (`allowSharedKeyAccess`=false).",
  anchors: ["8c6a50c6", "CKV2_AZURE_40"],
  levels: OUTSIDE_DEV,
  remediation:
    "set allowSharedKeyAccess: false together with the workspace's systemDatastoresAuthMode 'identity' and datastores with credentialsType 'None' (still a preview for the workspace's default storage)",
  types: STORAGE,
  check: (r) => explicitBool(at(r.inputs, "allowSharedKeyAccess"), false, "allowSharedKeyAccess"),
};

export const storageCrossTenantReplicationDisabled: ResourceRule = {
  scope: "resource",
  name: "storage-cross-tenant-replication-disabled",
  description: "Storage account forbids object replication to other tenants (`allowCrossTenantReplication`=false).",
  anchors: ["92a89a79"],
  levels: PROD_DENY,
  remediation: "set allowCrossTenantReplication: false",
  types: STORAGE,
  check: (r) => explicitBool(at(r.inputs, "allowCrossTenantReplication"), false, "allowCrossTenantReplication"),
};

export const storageLocalUsersDisabled: ResourceRule = {
  scope: "resource",
  name: "storage-local-users-disabled",
  description: "Storage account has SFTP/local users off (`isLocalUserEnabled`=false).",
  anchors: ["CKV_AZURE_244"],
  levels: PROD_DENY,
  remediation: "set isLocalUserEnabled: false (Azure's default is true)",
  types: STORAGE,
  check: (r) => explicitBool(at(r.inputs, "isLocalUserEnabled"), false, "isLocalUserEnabled"),
};

export const storageCustomerManagedKey: ResourceRule = {
  scope: "resource",
  name: "storage-customer-managed-key",
  description: "Storage account encrypts with a customer-managed key from Key Vault (`encryption.keySource`='Microsoft.Keyvault').",
  anchors: ["6fac406b", "CKV2_AZURE_1"],
  levels: QA_AND_PROD,
  remediation: "set encryption: { keySource: 'Microsoft.Keyvault', keyVaultProperties: { keyName, keyVaultUri }, encryptionIdentity } (mlops:security.customerManagedKeys)",
  types: STORAGE,
  check(r) {
    const source = at(r.inputs, "encryption.keySource");
    return isUnknown(source) || sameText(source, "Microsoft.Keyvault") ? [] : [`encryption.keySource is ${show(source)}: data is encrypted with Microsoft-managed keys`];
  },
};

export const storageRules = [
  storageBlobPublicAccessDisabled,
  storageHttpsOnly,
  storageMinimumTls,
  storageNetworkRestricted,
  storageSharedKeyDisabled,
  storageCrossTenantReplicationDisabled,
  storageLocalUsersDisabled,
  storageCustomerManagedKey,
];
