import { EVERYWHERE, PRIVATE_NETWORK, PROD_ADVICE, PROD_DENY, PROD_ONLY_DENY, PROD_PAID } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule, ResourceView, StackFinding, StackRule } from "./types";
import { asArray, at, isBool, isUnknown, sameText, show } from "./values";
import { coversPublicInternet, Interval, parseIpv4Cidr } from "./cidr";

// ManagedCluster properties are flattened in azure-native v3; addonProfiles keys are matched ignoring
// case (ARM accepts `azurepolicy` and `azurePolicy` alike), which `at` does.
const CLUSTER = [TYPES.managedCluster];
const CLUSTER_AND_POOLS = [TYPES.managedCluster, TYPES.agentPool];

interface Pool {
  label: string;
  inputs: unknown;
}

/** Node pools declared inline (`agentPoolProfiles`) or as separate AgentPool resources. */
export function poolsOf(r: ResourceView): Pool[] {
  if (r.type === TYPES.agentPool) {
    const name = at(r.inputs, "agentPoolName");
    return [{ label: `pool ${typeof name === "string" ? name : r.name}`, inputs: r.inputs }];
  }
  return asArray(at(r.inputs, "agentPoolProfiles")).map((p, i) => {
    const name = at(p, "name");
    return { label: `agentPoolProfiles[${i}]${typeof name === "string" ? ` (${name})` : ""}`, inputs: p };
  });
}

const isGpuPool = (p: Pool) => {
  const size = at(p.inputs, "vmSize");
  return typeof size === "string" && /^standard_n/i.test(size);
};

const isPrivateCluster = (r: ResourceView) => isBool(at(r.inputs, "apiServerAccessProfile.enablePrivateCluster"), true);

function addonEnabled(r: ResourceView, addon: string): unknown {
  return at(at(r.inputs, "addonProfiles"), `${addon}.enabled`);
}

export const aksManagedIdentity: ResourceRule = {
  scope: "resource",
  name: "aks-managed-identity",
  description: "AKS runs as a managed identity (`identity.type`), not a service principal.",
  anchors: ["da6e2401", "Azure.AKS.ManagedIdentity"],
  levels: EVERYWHERE,
  remediation:
    "set identity.type 'SystemAssigned' or 'UserAssigned' and drop servicePrincipalProfile (the Azure ML extension does not support service principals)",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    const type = at(r.inputs, "identity.type");
    if (!isUnknown(type) && !(typeof type === "string" && /assigned/i.test(type))) problems.push(`identity.type is ${show(type)}`);
    const clientId = at(r.inputs, "servicePrincipalProfile.clientId");
    if (clientId !== undefined && !sameText(clientId, "msi")) problems.push("servicePrincipalProfile names a service principal");
    return problems;
  },
};

export const aksEntraRbac: ResourceRule = {
  scope: "resource",
  name: "aks-entra-rbac",
  description: "AKS uses Kubernetes RBAC with managed Entra ID integration and Azure RBAC (`enableRBAC`, `aadProfile.managed`, `aadProfile.enableAzureRBAC`).",
  anchors: ["ac4a19c2", "450d2877", "CKV_AZURE_5", "Azure.AKS.UseRBAC", "Azure.AKS.ManagedAAD", "Azure.AKS.AzureRBAC"],
  levels: EVERYWHERE,
  remediation: "set enableRBAC: true and aadProfile: { managed: true, enableAzureRBAC: true }",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    if (isBool(at(r.inputs, "enableRBAC"), false)) problems.push("enableRBAC is false");
    for (const path of ["aadProfile.managed", "aadProfile.enableAzureRBAC"]) {
      const v = at(r.inputs, path);
      if (!isUnknown(v) && !isBool(v, true)) problems.push(`${path} is ${show(v)}`);
    }
    return problems;
  },
};

export const aksPrivateCluster: ResourceRule = {
  scope: "resource",
  name: "aks-private-cluster",
  description: "AKS API server is private (`apiServerAccessProfile.enablePrivateCluster`=true, no public FQDN).",
  anchors: ["040732e8", "CKV_AZURE_115"],
  // qa may keep a public API server behind authorized IP ranges (the other accepted model, enforced by
  // aks-api-server-authorized-ips); prod must be private.
  levels: PROD_ONLY_DENY,
  remediation:
    "set apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false } (the Azure ML extension does not support a private cluster with a public FQDN)",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    const priv = at(r.inputs, "apiServerAccessProfile.enablePrivateCluster");
    if (!isUnknown(priv) && !isBool(priv, true)) problems.push(`apiServerAccessProfile.enablePrivateCluster is ${show(priv)}`);
    if (isBool(at(r.inputs, "apiServerAccessProfile.enablePrivateClusterPublicFQDN"), true)) {
      problems.push("apiServerAccessProfile.enablePrivateClusterPublicFQDN is true");
    }
    return problems;
  },
};

export const aksAuthorizedIpRanges: ResourceRule = {
  scope: "resource",
  name: "aks-api-server-authorized-ips",
  description: "A public AKS API server only accepts listed ranges (`apiServerAccessProfile.authorizedIPRanges`) that do not together cover the public internet; private clusters are exempt.",
  anchors: ["0e246bcf", "CKV_AZURE_6", "Azure.AKS.AuthorizedIPs"],
  levels: PRIVATE_NETWORK,
  remediation:
    "make the cluster private, or list apiServerAccessProfile.authorizedIPRanges (including the Azure ML control-plane ranges of both paired regions) that together leave most of the internet out (never 0.0.0.0/0, nor ranges that add up to it)",
  types: CLUSTER,
  check(r) {
    if (isPrivateCluster(r)) return [];
    const ranges = at(r.inputs, "apiServerAccessProfile.authorizedIPRanges");
    if (isUnknown(ranges)) return [];
    const list = asArray(ranges);
    if (list.length === 0) return ["the API server is public and apiServerAccessProfile.authorizedIPRanges is empty"];
    return authorizedRangeProblems(list);
  },
};

/**
 * Judges the ranges together, not one by one: several broad ranges (two /1s, or every /8 except the
 * private ones) admit the internet as surely as 0.0.0.0/0 does.
 */
export function authorizedRangeProblems(list: unknown[]): string[] {
  const problems: string[] = [];
  const intervals: Interval[] = [];
  for (const entry of list) {
    if (isUnknown(entry)) return [];
    if (typeof entry !== "string") {
      problems.push(`apiServerAccessProfile.authorizedIPRanges has ${show(entry)}, not a CIDR range`);
      continue;
    }
    if (entry.includes(":")) {
      // IPv6: only the all-addresses prefix is judged here.
      if (/\/0$/.test(entry.trim())) problems.push(`apiServerAccessProfile.authorizedIPRanges contains ${entry}: every IPv6 address`);
      continue;
    }
    const interval = parseIpv4Cidr(entry);
    if (!interval) problems.push(`apiServerAccessProfile.authorizedIPRanges has '${entry}', not an IPv4 CIDR range`);
    else intervals.push(interval);
  }
  if (intervals.length > 0 && coversPublicInternet(intervals)) {
    problems.push(
      `apiServerAccessProfile.authorizedIPRanges [${list.join(", ")}] together admit every public IPv4 address: the API server is open to the internet`,
    );
  }
  return problems;
}

export const aksLocalAccountsDisabled: ResourceRule = {
  scope: "resource",
  name: "aks-local-accounts-disabled",
  description: "AKS local accounts are off (`disableLocalAccounts`=true); the Azure ML cluster carries a waiver.",
  anchors: ["993c2fcd", "CKV_AZURE_141", "Azure.AKS.LocalAccounts"],
  levels: EVERYWHERE,
  remediation: "set disableLocalAccounts: true (requires aadProfile.managed)",
  types: CLUSTER,
  check(r) {
    const v = at(r.inputs, "disableLocalAccounts");
    return isUnknown(v) || isBool(v, true) ? [] : [`disableLocalAccounts is ${show(v)}: the static cluster-admin credential stays usable`];
  },
};

export const aksNoNodePublicIp: ResourceRule = {
  scope: "resource",
  name: "aks-no-node-public-ip",
  description: "AKS node pools have no public IPs (`enableNodePublicIP`=false).",
  anchors: ["CKV_AZURE_143"],
  levels: EVERYWHERE,
  remediation: "set enableNodePublicIP: false on every node pool",
  types: CLUSTER_AND_POOLS,
  check(r) {
    return poolsOf(r)
      .filter((p) => isBool(at(p.inputs, "enableNodePublicIP"), true))
      .map((p) => `${p.label}: enableNodePublicIP is true`);
  },
};

const NETWORK_POLICIES = ["azure", "calico", "cilium"];

export const aksNetworkPolicy: ResourceRule = {
  scope: "resource",
  name: "aks-network-policy",
  description: "AKS uses Azure CNI (`networkProfile.networkPlugin`='azure') with a network policy engine.",
  anchors: ["46238e2f", "CKV2_AZURE_29", "CKV_AZURE_7", "Azure.AKS.NetworkPolicy"],
  levels: EVERYWHERE,
  remediation: "set networkProfile: { networkPlugin: 'azure', networkPolicy: 'azure' | 'calico' | 'cilium' }",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    const plugin = at(r.inputs, "networkProfile.networkPlugin");
    if (!isUnknown(plugin) && !sameText(plugin, "azure")) problems.push(`networkProfile.networkPlugin is ${show(plugin)}`);
    const policy = at(r.inputs, "networkProfile.networkPolicy");
    if (!isUnknown(policy) && !NETWORK_POLICIES.some((p) => sameText(policy, p))) {
      problems.push(`networkProfile.networkPolicy is ${show(policy)}: pods can reach each other unrestricted`);
    }
    return problems;
  },
};

export const aksAzurePolicyAddon: ResourceRule = {
  scope: "resource",
  name: "aks-azure-policy-addon",
  description: "AKS runs the Azure Policy add-on (`addonProfiles.azurepolicy.enabled`).",
  anchors: ["0a15ec92", "CKV_AZURE_116", "Azure.AKS.AzurePolicyAddOn"],
  levels: EVERYWHERE,
  remediation:
    "set addonProfiles.azurepolicy: { enabled: true } (exclude the azureml namespace from Deny-mode initiatives)",
  types: CLUSTER,
  check(r) {
    const v = addonEnabled(r, "azurepolicy");
    return isUnknown(v) || isBool(v, true) ? [] : [`addonProfiles.azurepolicy.enabled is ${show(v)}`];
  },
};

export const aksHttpApplicationRoutingOff: ResourceRule = {
  scope: "resource",
  name: "aks-http-application-routing-off",
  description: "AKS does not run the HTTP application routing add-on (not for production, public DNS).",
  anchors: ["CKV_AZURE_246", "Azure.AKS.HttpAppRouting"],
  levels: EVERYWHERE,
  remediation: "remove addonProfiles.httpApplicationRouting or set its enabled: false",
  types: CLUSTER,
  check: (r) => (isBool(addonEnabled(r, "httpApplicationRouting"), true) ? ["addonProfiles.httpApplicationRouting is enabled"] : []),
};

export const aksAutoscaling: ResourceRule = {
  scope: "resource",
  name: "aks-autoscaling",
  description: "AKS node pools autoscale; GPU user pools scale to zero outside prod.",
  anchors: ["Azure.AKS.AutoScaling"],
  levels: PROD_DENY,
  remediation: "set enableAutoScaling: true with minCount/maxCount on every pool, and minCount: 0 on GPU user pools in dev and qa",
  types: CLUSTER_AND_POOLS,
  check(r, ctx) {
    const problems: string[] = [];
    for (const p of poolsOf(r)) {
      const auto = at(p.inputs, "enableAutoScaling");
      if (!isUnknown(auto) && !isBool(auto, true)) problems.push(`${p.label}: enableAutoScaling is ${show(auto)}`);
      const min = at(p.inputs, "minCount");
      if (ctx.environment !== "prod" && isGpuPool(p) && sameText(at(p.inputs, "mode"), "User") && typeof min === "number" && min > 0) {
        problems.push(`${p.label}: GPU user pool keeps ${min} node(s) when idle`);
      }
    }
    return problems;
  },
};

const NODE_OS_CHANNELS = ["SecurityPatch", "NodeImage"];

export const aksAutoUpgrade: ResourceRule = {
  scope: "resource",
  name: "aks-auto-upgrade",
  description: "AKS upgrades itself (`autoUpgradeProfile.upgradeChannel`≠'none') and patches node images (`nodeOSUpgradeChannel` SecurityPatch or NodeImage).",
  anchors: ["5c345cdf", "04408ca5", "CKV_AZURE_171", "Azure.AKS.AutoUpgrade", "Azure.AKS.NodeAutoUpgrade"],
  levels: PROD_DENY,
  remediation: "set autoUpgradeProfile: { upgradeChannel: 'patch' | 'stable', nodeOSUpgradeChannel: 'NodeImage' | 'SecurityPatch' }",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    const channel = at(r.inputs, "autoUpgradeProfile.upgradeChannel");
    if (!isUnknown(channel) && (channel === undefined || sameText(channel, "none"))) {
      problems.push(`autoUpgradeProfile.upgradeChannel is ${show(channel)}`);
    }
    const nodeOs = at(r.inputs, "autoUpgradeProfile.nodeOSUpgradeChannel");
    if (!isUnknown(nodeOs) && !NODE_OS_CHANNELS.some((c) => sameText(nodeOs, c))) {
      problems.push(`autoUpgradeProfile.nodeOSUpgradeChannel is ${show(nodeOs)}`);
    }
    return problems;
  },
};

export const aksEncryptionAtHost: ResourceRule = {
  scope: "resource",
  name: "aks-encryption-at-host",
  description: "AKS node pools encrypt temp disks and caches at the host (`enableEncryptionAtHost`).",
  anchors: ["41425d9f", "CKV_AZURE_227"],
  levels: PROD_DENY,
  remediation:
    "set enableEncryptionAtHost: true on every pool (the subscription needs the Microsoft.Compute/EncryptionAtHost feature)",
  types: CLUSTER_AND_POOLS,
  check(r) {
    return poolsOf(r)
      .filter((p) => {
        const v = at(p.inputs, "enableEncryptionAtHost");
        return !isUnknown(v) && !isBool(v, true);
      })
      .map((p) => `${p.label}: enableEncryptionAtHost is ${show(at(p.inputs, "enableEncryptionAtHost"))}`);
  },
};

export const aksDiskEncryptionSet: ResourceRule = {
  scope: "resource",
  name: "aks-disk-encryption-set",
  description: "AKS OS and data disks use a customer-managed key (`diskEncryptionSetID`).",
  anchors: ["7d7be79c", "CKV_AZURE_117"],
  levels: PROD_ADVICE,
  remediation: "create a disk encryption set with a key in the vault and set diskEncryptionSetID",
  types: CLUSTER,
  check(r) {
    const v = at(r.inputs, "diskEncryptionSetID");
    return v === undefined || v === "" ? ["diskEncryptionSetID is not set: disks use platform-managed keys"] : [];
  },
};

export const aksSecretStoreRotation: ResourceRule = {
  scope: "resource",
  name: "aks-secret-store-rotation",
  description: "AKS runs the Key Vault secrets store CSI driver with rotation (`addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation`).",
  anchors: ["CKV_AZURE_172", "Azure.AKS.SecretStore", "Azure.AKS.SecretStoreRotation"],
  levels: PROD_DENY,
  remediation: "set addonProfiles.azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: 'true' } }",
  types: CLUSTER,
  check(r) {
    const addon = at(r.inputs, "addonProfiles");
    const enabled = at(addon, "azureKeyvaultSecretsProvider.enabled");
    if (isUnknown(enabled)) return [];
    if (!isBool(enabled, true)) return [`addonProfiles.azureKeyvaultSecretsProvider.enabled is ${show(enabled)}`];
    const rotation = at(addon, "azureKeyvaultSecretsProvider.config.enableSecretRotation");
    return isUnknown(rotation) || isBool(rotation, true) ? [] : [`secret rotation is ${show(rotation)}`];
  },
};

export const aksWorkloadIdentity: ResourceRule = {
  scope: "resource",
  name: "aks-workload-identity",
  description: "AKS issues OIDC tokens for workload identity (`securityProfile.workloadIdentity.enabled`, `oidcIssuerProfile.enabled`).",
  anchors: ["2cc2e023"],
  levels: PROD_DENY,
  remediation: "set oidcIssuerProfile: { enabled: true } and securityProfile.workloadIdentity: { enabled: true } (pod identity is not supported by the Azure ML extension)",
  types: CLUSTER,
  check(r) {
    const problems: string[] = [];
    for (const path of ["securityProfile.workloadIdentity.enabled", "oidcIssuerProfile.enabled"]) {
      const v = at(r.inputs, path);
      if (!isUnknown(v) && !isBool(v, true)) problems.push(`${path} is ${show(v)}`);
    }
    return problems;
  },
};

export const aksUptimeSla: ResourceRule = {
  scope: "resource",
  name: "aks-uptime-sla",
  description: "AKS control plane has the financially backed SLA (`sku.tier`='Standard').",
  anchors: ["CKV_AZURE_170", "Azure.AKS.UptimeSLA"],
  levels: PROD_PAID,
  remediation: "set sku: { name: 'Base', tier: 'Standard' }",
  types: CLUSTER,
  check(r) {
    const tier = at(r.inputs, "sku.tier");
    return isUnknown(tier) || sameText(tier, "Standard") || sameText(tier, "Premium") ? [] : [`sku.tier is ${show(tier)}`];
  },
};

export const aksDefender: ResourceRule = {
  scope: "resource",
  name: "aks-defender",
  description: "AKS sends security events to Microsoft Defender (`securityProfile.defender.securityMonitoring.enabled`).",
  anchors: ["a1840de2", "Azure.AKS.DefenderProfile"],
  levels: PROD_PAID,
  remediation: "set securityProfile.defender: { logAnalyticsWorkspaceResourceId, securityMonitoring: { enabled: true } }",
  types: CLUSTER,
  check(r) {
    const v = at(r.inputs, "securityProfile.defender.securityMonitoring.enabled");
    return isUnknown(v) || isBool(v, true) ? [] : [`securityProfile.defender.securityMonitoring.enabled is ${show(v)}`];
  },
};

export const aksRunCommandDisabled: ResourceRule = {
  scope: "resource",
  name: "aks-run-command-disabled",
  description: "AKS refuses `az aks command invoke` (`apiServerAccessProfile.disableRunCommand`).",
  anchors: ["89f2d532"],
  // Free, and a condition of the local-accounts waiver: mandatory wherever AKS is private-network.
  levels: PRIVATE_NETWORK,
  remediation: "set apiServerAccessProfile.disableRunCommand: true (operators then need network access to the private API server)",
  types: CLUSTER,
  check(r) {
    const v = at(r.inputs, "apiServerAccessProfile.disableRunCommand");
    return isUnknown(v) || isBool(v, true) ? [] : [`apiServerAccessProfile.disableRunCommand is ${show(v)}`];
  },
};

/**
 * Policy 28257686 ("Azure Kubernetes Clusters should disable SSH") counts pools whose
 * `securityProfile.sshAccess` is missing or 'LocalUser' (Azure/azure-policy,
 * Kubernetes/AKS_DisableSSH_Audit.json): absent counts, since AKS's default is LocalUser.
 */
export const aksSshDisabled: ResourceRule = {
  scope: "resource",
  name: "aks-ssh-disabled",
  description: "AKS node pools run no SSH service (`securityProfile.sshAccess`='Disabled' on every pool).",
  anchors: ["28257686"],
  levels: EVERYWHERE,
  remediation: "set securityProfile: { sshAccess: 'Disabled' } on every node pool (debug nodes with kubectl debug instead)",
  types: CLUSTER_AND_POOLS,
  check(r) {
    return poolsOf(r)
      .filter((p) => {
        const v = at(p.inputs, "securityProfile.sshAccess");
        return !isUnknown(v) && !sameText(v, "Disabled");
      })
      .map((p) => `${p.label}: securityProfile.sshAccess is ${show(at(p.inputs, "securityProfile.sshAccess"))}`);
  },
};

export const aksRules: (ResourceRule | StackRule)[] = [
  aksManagedIdentity,
  aksEntraRbac,
  aksPrivateCluster,
  aksAuthorizedIpRanges,
  aksLocalAccountsDisabled,
  aksNoNodePublicIp,
  aksNetworkPolicy,
  aksAzurePolicyAddon,
  aksHttpApplicationRoutingOff,
  aksAutoscaling,
  aksAutoUpgrade,
  aksEncryptionAtHost,
  aksDiskEncryptionSet,
  aksSecretStoreRotation,
  aksWorkloadIdentity,
  aksUptimeSla,
  aksDefender,
  aksRunCommandDisabled,
  aksSshDisabled,
];

/** Built-in roles that include `listClusterAdminCredential` (MS Learn, "Azure built-in roles"). */
const ADMIN_CREDENTIAL_ROLES: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8": "Azure Kubernetes Service Cluster Admin Role",
};
const ADMIN_PATH = [
  "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
  "Microsoft.ContainerService/managedClusters/runCommand/action",
];

function globMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
  return re.test(action);
}

/** The admin-path actions a custom role definition grants (actions minus notActions). */
export function adminPathActionsOf(definition: ResourceView): string[] {
  const perms = asArray(at(definition.inputs, "permissions"));
  return ADMIN_PATH.filter((action) =>
    perms.some((p) => {
      const allowed = asArray(at(p, "actions")).some((a) => typeof a === "string" && globMatches(a, action));
      const denied = asArray(at(p, "notActions")).some((a) => typeof a === "string" && globMatches(a, action));
      return allowed && !denied;
    }),
  );
}

/**
 * With local accounts on (the Azure ML waiver), whoever may call listClusterAdminCredential gets a
 * static cluster-admin kubeconfig that bypasses Entra ID, and runCommand bypasses the private API
 * server. Service principals (CI, workloads) must not hold roles with those actions on the cluster,
 * its resource group or the subscription.
 */
export const aksAdminPathRestricted: StackRule = {
  scope: "stack",
  name: "aks-admin-path-restricted",
  description:
    "No service principal holds a role with `listClusterAdminCredential` or `runCommand` (Owner, Contributor, AKS Cluster Admin, or a custom role allowing them) over an AKS cluster.",
  anchors: ["custom"],
  levels: PRIVATE_NETWORK,
  remediation:
    "grant CI a custom role without the AKS admin path on the serving resource group (CiIdentity deployScopes excludeActions: AKS_ADMIN_PATH_ACTIONS) instead of Contributor",
  check(resources) {
    const clusters = resources.filter((r) => r.type === TYPES.managedCluster);
    if (clusters.length === 0) return [];
    const groups = clusters.map((c) => at(c.inputs, "resourceGroupName")).filter((g): g is string => typeof g === "string" && !isUnknown(g));
    const names = clusters.map((c) => at(c.inputs, "resourceName")).filter((n): n is string => typeof n === "string" && !isUnknown(n));
    const covers = (scope: string) =>
      /^\/subscriptions\/[^/]+\/?$/i.test(scope) ||
      groups.some((g) => new RegExp(`/resourceGroups/${g}/?$`, "i").test(scope)) ||
      names.some((n) => new RegExp(`/managedClusters/${n}/?$`, "i").test(scope));
    const customs = resources.filter((r) => r.type === TYPES.roleDefinition);
    const findings: StackFinding[] = [];
    for (const a of resources.filter((r) => r.type === TYPES.roleAssignment)) {
      const scope = at(a.inputs, "scope");
      const roleId = at(a.inputs, "roleDefinitionId");
      if (!sameText(at(a.inputs, "principalType"), "ServicePrincipal")) continue;
      if (typeof scope !== "string" || isUnknown(scope) || !covers(scope) || typeof roleId !== "string" || isUnknown(roleId)) continue;
      const guid = roleId.split("/").pop()!.toLowerCase();
      const builtIn = ADMIN_CREDENTIAL_ROLES[guid];
      if (builtIn) {
        findings.push({ urn: a.urn, message: `assigns ${builtIn} over the AKS cluster, which includes listClusterAdminCredential and runCommand` });
        continue;
      }
      const custom = customs.find((d) => sameText(at(d.inputs, "roleDefinitionId"), guid) || d.urn === roleId);
      const granted = custom ? adminPathActionsOf(custom) : [];
      if (granted.length > 0) findings.push({ urn: a.urn, message: `assigns custom role ${show(at(custom!.inputs, "roleName"))} over the AKS cluster, which allows ${granted.join(", ")}` });
    }
    return findings;
  },
};

aksRules.push(aksAdminPathRestricted);
