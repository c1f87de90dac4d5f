/**
 * How much a drifted property matters, as data. Each rule names resource types (globs over
 * azure-native type tokens; omitted = every type) and either a property-path glob or the
 * operations it covers for the resource as a whole. The highest matching severity wins; a
 * property no rule names is `low`.
 *
 * Path globs: `.` separates segments, `*` is one segment (a key or an array index), `**` any
 * number of segments (so `a.**` also matches `a` itself), keys compare case-insensitively. azure-native flattens ARM `properties`
 * into the top level for most types, but not all (Compute, KeyVault, online/batch deployments),
 * so most rules start with `**`.
 *
 * To extend: add a row. Tests pin the families below.
 */
import type { DriftOp } from "./driftReport";

export type Severity = "high" | "medium" | "low";

export interface SeverityRule {
  /** Type-token globs (`*` matches within a token part), e.g. `azure-native:authorization:*`. */
  types?: string[];
  /** Property-path glob; absent for rules about the resource as a whole. */
  path?: string;
  /** Operations a whole-resource rule covers. */
  ops?: DriftOp[];
  severity: Severity;
  /** Why, shown in the text and Markdown reports. */
  reason: string;
}

const STORAGE = "azure-native:storage:StorageAccount";
const KEY_VAULT = "azure-native:keyvault:Vault";
const REGISTRY = "azure-native:containerregistry:Registry";
const AKS = "azure-native:containerservice:ManagedCluster";
const AGENT_POOL = "azure-native:containerservice:AgentPool";
const ML = "azure-native:machinelearningservices:*";
const ML_COMPUTE = "azure-native:machinelearningservices:Compute";
const ML_DEPLOYMENTS = ["azure-native:machinelearningservices:OnlineDeployment", "azure-native:machinelearningservices:BatchDeployment"];
const NETWORK = "azure-native:network:*";

export const SEVERITY_RULES: SeverityRule[] = [
  // ---- security: identity and access ----
  { types: ["azure-native:authorization:*"], ops: ["update", "replace", "delete", "create", "refresh"], severity: "high", reason: "role assignment or access policy changed" },
  { path: "**.disableLocalAuth", severity: "high", reason: "local (key) authentication" },
  { path: "**.disableLocalAccounts", severity: "high", reason: "local accounts" },
  { path: "**.allowSharedKeyAccess", severity: "high", reason: "shared key access" },
  { path: "**.adminUserEnabled", severity: "high", reason: "registry admin user" },
  { path: "**.anonymousPullEnabled", severity: "high", reason: "anonymous registry pull" },
  { path: "**.authMode", severity: "high", reason: "endpoint authentication mode" },
  { path: "**.enableRbacAuthorization", severity: "high", reason: "RBAC authorization" },
  { path: "**.enableRBAC", severity: "high", reason: "Kubernetes RBAC" },
  { path: "**.aadProfile.**", severity: "high", reason: "Entra ID integration" },
  { path: "**.accessPolicies.**", severity: "high", reason: "key vault access policies" },
  { path: "identity.**", severity: "high", reason: "managed identity" },
  { path: "**.systemDatastoresAuthMode", severity: "high", reason: "datastore authentication mode" },
  { path: "**.credentials.**", severity: "high", reason: "datastore credentials" },

  // ---- security: transport and encryption ----
  { path: "**.minimumTlsVersion", severity: "high", reason: "minimum TLS version" },
  { path: "**.minTlsVersion", severity: "high", reason: "minimum TLS version" },
  { path: "**.enableHttpsTrafficOnly", severity: "high", reason: "HTTPS-only traffic" },
  { path: "**.supportsHttpsTrafficOnly", severity: "high", reason: "HTTPS-only traffic" },
  { path: "**.encryption.**", severity: "high", reason: "encryption settings" },
  { path: "**.enablePurgeProtection", severity: "high", reason: "key vault purge protection" },
  { path: "**.enableSoftDelete", severity: "high", reason: "key vault soft delete" },
  { path: "**.hbiWorkspace", severity: "high", reason: "high business impact workspace" },

  // ---- security: network exposure ----
  { path: "**.publicNetworkAccess", severity: "high", reason: "public network access" },
  { path: "**.allowBlobPublicAccess", severity: "high", reason: "public blob access" },
  { path: "**.allowPublicAccessWhenBehindVnet", severity: "high", reason: "public access behind a virtual network" },
  { path: "**.networkRuleSet.**", severity: "high", reason: "network rules" },
  { path: "**.networkAcls.**", severity: "high", reason: "network rules" },
  { path: "**.networkRuleBypassOptions", severity: "high", reason: "network rule bypass" },
  { path: "**.ipRules.**", severity: "high", reason: "IP rules" },
  { path: "**.virtualNetworkRules.**", severity: "high", reason: "virtual network rules" },
  { path: "**.managedNetwork.**", severity: "high", reason: "workspace managed network" },
  { path: "**.enablePrivateCluster", severity: "high", reason: "private cluster" },
  { path: "**.enablePrivateClusterPublicFQDN", severity: "high", reason: "private cluster public FQDN" },
  { path: "**.authorizedIPRanges.**", severity: "high", reason: "API server authorized IP ranges" },
  { path: "**.enableNodePublicIp", severity: "high", reason: "public IPs on compute nodes" },
  { path: "**.remoteLoginPortPublicAccess", severity: "high", reason: "SSH port open to the internet" },
  { path: "**.networkProfile.networkPolicy", severity: "high", reason: "Kubernetes network policy" },
  { path: "**.privateEndpointNetworkPolicies", severity: "high", reason: "private endpoint network policies" },
  { types: [NETWORK], path: "**.securityRules.**", severity: "high", reason: "network security rules" },
  { types: ["azure-native:network:SecurityRule"], path: "**", severity: "high", reason: "network security rule" },
  { types: ["azure-native:network:NetworkSecurityGroup", "azure-native:network:SecurityRule", "azure-native:network:PrivateEndpoint"], ops: ["delete", "replace", "create"], severity: "high", reason: "network protection removed or recreated" },
  { types: [ML], path: "**.privateEndpointConnections.**", severity: "high", reason: "private endpoint connections" },
  { types: [STORAGE, KEY_VAULT, REGISTRY, "azure-native:machinelearningservices:Workspace"], ops: ["delete"], severity: "high", reason: "stateful resource deleted outside Pulumi: its data and access setup are gone" },

  // ---- cost and capacity ----
  { types: [AKS], path: "agentPoolProfiles.*.count", severity: "medium", reason: "node count" },
  { types: [AKS], path: "agentPoolProfiles.*.minCount", severity: "medium", reason: "autoscaler minimum" },
  { types: [AKS], path: "agentPoolProfiles.*.maxCount", severity: "medium", reason: "autoscaler maximum" },
  { types: [AKS], path: "agentPoolProfiles.*.enableAutoScaling", severity: "medium", reason: "autoscaling" },
  { types: [AKS], path: "agentPoolProfiles.*.vmSize", severity: "medium", reason: "VM size" },
  { types: [AKS], path: "agentPoolProfiles.*.scaleSetPriority", severity: "medium", reason: "spot/regular priority" },
  { types: [AKS], path: "sku.tier", severity: "medium", reason: "AKS pricing tier" },
  { types: [AGENT_POOL], path: "count", severity: "medium", reason: "node count" },
  { types: [AGENT_POOL], path: "minCount", severity: "medium", reason: "autoscaler minimum" },
  { types: [AGENT_POOL], path: "maxCount", severity: "medium", reason: "autoscaler maximum" },
  { types: [AGENT_POOL], path: "vmSize", severity: "medium", reason: "VM size" },
  { types: [AGENT_POOL], path: "scaleSetPriority", severity: "medium", reason: "spot/regular priority" },
  { types: [ML_COMPUTE], path: "**.vmSize", severity: "medium", reason: "VM size" },
  { types: [ML_COMPUTE], path: "**.vmPriority", severity: "medium", reason: "dedicated/low-priority" },
  { types: [ML_COMPUTE], path: "**.scaleSettings.**", severity: "medium", reason: "cluster scale settings" },
  { types: ML_DEPLOYMENTS, path: "**.instanceType", severity: "medium", reason: "serving instance type" },
  { types: ML_DEPLOYMENTS, path: "**.instanceCount", severity: "medium", reason: "serving instance count" },
  { types: ML_DEPLOYMENTS, path: "**.scaleSettings.**", severity: "medium", reason: "serving scale settings" },
  { types: ML_DEPLOYMENTS, path: "sku.capacity", severity: "medium", reason: "serving capacity" },
  { types: [STORAGE, REGISTRY, KEY_VAULT, "azure-native:machinelearningservices:Workspace"], path: "**.sku.**", severity: "medium", reason: "pricing tier" },
  { types: [STORAGE], path: "accessTier", severity: "medium", reason: "storage access tier" },
  { types: [AKS, AGENT_POOL, ML_COMPUTE, ...ML_DEPLOYMENTS], ops: ["delete", "replace", "create"], severity: "medium", reason: "compute capacity removed or recreated" },
];

/**
 * Output properties that change on their own (ARM bookkeeping): never drift, whatever the engine says.
 * Leading `__` keys are Pulumi's own (`__provider` holds a dynamic provider's serialized code).
 */
export const IGNORED_PATHS: string[] = [
  "etag",
  "**.etag",
  "systemData.**",
  "provisioningState",
  "**.provisioningState",
  "**.lastModifiedAt",
  "**.lastModifiedTime",
  "**.lastModifiedTimeUtc",
  "**.modifiedTime",
  "**.createdTime",
  "**.creationTime",
  "**.powerState.**",
  "**.currentKubernetesVersion",
  "azureApiVersion",
];
