import { OUTSIDE_DEV, PRIVATE_NETWORK, PROD_DENY, QA_AND_PROD } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { at, isUnknown, sameText, show } from "./values";

const WORKSPACE = [TYPES.workspace];

export const workspacePublicNetworkDisabled: ResourceRule = {
  scope: "resource",
  name: "workspace-public-network-disabled",
  description: "Workspace `publicNetworkAccess` is 'Disabled' and `allowPublicAccessWhenBehindVnet` is not true.",
  anchors: ["438c38d2", "CKV_AZURE_144", "CKV2_AZURE_49", "Azure.ML.PublicAccess"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set publicNetworkAccess: 'Disabled' (Azure's default is Enabled) and leave allowPublicAccessWhenBehindVnet unset; reach the workspace through its private endpoint",
  types: WORKSPACE,
  check(r) {
    const problems: string[] = [];
    const pna = at(r.inputs, "publicNetworkAccess");
    if (!isUnknown(pna) && !sameText(pna, "Disabled")) problems.push(`publicNetworkAccess is ${show(pna)}, expected 'Disabled'`);
    const behindVnet = at(r.inputs, "allowPublicAccessWhenBehindVnet");
    if (behindVnet === true) problems.push("allowPublicAccessWhenBehindVnet is true, which reopens public access");
    return problems;
  },
};

export const workspaceApprovedOutboundOnly: ResourceRule = {
  scope: "resource",
  name: "workspace-managed-network-approved-outbound",
  description: "A workspace managed network uses isolation mode 'AllowOnlyApprovedOutbound'.",
  anchors: ["6ddb1705"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set managedNetwork.isolationMode: 'AllowOnlyApprovedOutbound' and list the outbound rules the workloads need",
  types: WORKSPACE,
  check(r) {
    const mode = at(r.inputs, "managedNetwork.isolationMode");
    // Without a managed network the compute subnets carry isolation: the network-model rule judges that.
    if (mode === undefined || isUnknown(mode) || sameText(mode, "Disabled")) return [];
    return sameText(mode, "AllowOnlyApprovedOutbound")
      ? []
      : [`managedNetwork.isolationMode is ${show(mode)}: compute may reach any internet address`];
  },
};

export const workspaceUserAssignedIdentity: ResourceRule = {
  scope: "resource",
  name: "workspace-user-assigned-identity",
  description: "Workspace runs as a user-assigned identity named in `primaryUserAssignedIdentity`.",
  anchors: ["5f0c7d88", "Azure.ML.UserManagedIdentity"],
  levels: PROD_DENY,
  remediation:
    "give the workspace identity.type 'UserAssigned' (or 'SystemAssigned,UserAssigned') with the identity in userAssignedIdentities and primaryUserAssignedIdentity",
  types: WORKSPACE,
  check(r) {
    const type = at(r.inputs, "identity.type");
    const primary = at(r.inputs, "primaryUserAssignedIdentity");
    const problems: string[] = [];
    if (!isUnknown(type) && !(typeof type === "string" && /userassigned/i.test(type))) {
      problems.push(`identity.type is ${show(type)}, expected a user-assigned identity`);
    }
    if (primary === undefined || primary === "") problems.push("primaryUserAssignedIdentity is not set");
    return problems;
  },
};

export const workspaceIdentityDatastoreAuth: ResourceRule = {
  scope: "resource",
  name: "workspace-identity-datastore-auth",
  description: "Workspace system datastores authenticate with identity (`systemDatastoresAuthMode`='identity').",
  // Not 8c6a50c6 / CKV2_AZURE_40: those judge the storage account's allowSharedKeyAccess (see
  // storage-shared-key-disabled); no built-in or scanner reads the workspace property.
  anchors: ["custom"],
  levels: OUTSIDE_DEV,
  remediation:
    "set systemDatastoresAuthMode: 'identity' so the storage account can turn shared keys off (a preview feature for the workspace's default storage)",
  types: WORKSPACE,
  check(r) {
    const mode = at(r.inputs, "systemDatastoresAuthMode");
    return isUnknown(mode) || sameText(mode, "identity")
      ? []
      : [`systemDatastoresAuthMode is ${show(mode)}: the default datastores use the storage account key`];
  },
};

export const workspaceCustomerManagedKey: ResourceRule = {
  scope: "resource",
  name: "workspace-customer-managed-key",
  description: "Workspace data is encrypted with a customer-managed key (`encryption.status`='Enabled').",
  anchors: ["ba769a63"],
  levels: QA_AND_PROD,
  remediation:
    "set encryption: { status: 'Enabled', keyVaultProperties: { keyVaultArmId, keyIdentifier }, identity } with a key the workspace identity can use",
  types: WORKSPACE,
  check(r) {
    const status = at(r.inputs, "encryption.status");
    return isUnknown(status) || sameText(status, "Enabled") ? [] : [`encryption.status is ${show(status)}`];
  },
};

export const workspaceRules = [
  workspacePublicNetworkDisabled,
  workspaceApprovedOutboundOnly,
  workspaceUserAssignedIdentity,
  workspaceIdentityDatastoreAuth,
  workspaceCustomerManagedKey,
];
