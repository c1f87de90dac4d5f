/**
 * Microsoft's built-in Azure Policy definitions that apply to what the qa and prod stacks declare,
 * each mapped to the project rule(s) that implement it. Ids and display names are read from the
 * definition files in Azure/azure-policy (built-in-policies/policyDefinitions/<folder>/<file>).
 * The verdict per environment is computed from the stack's plan: a definition is compliant when
 * every mapped rule passes on the plan's resources (whatever the rule's level), exempt when it
 * fails for a recorded reason (`exemption`), and non-compliant otherwise.
 */
import type { PlanDocument } from "../shared/plan";
import { allRules, allWaivers } from "./rules";
import { buildContext } from "./rules/context";
import { evaluateResources } from "./rules/engine";
import { isDeployed } from "./rules/typeTokens";
import type { Environment, ResourceView, Rule } from "./rules/types";

export interface BuiltinDefinition {
  /** Definition GUID (`/providers/Microsoft.Authorization/policyDefinitions/<id>`). */
  id: string;
  displayName: string;
  /** Folder and file under built-in-policies/policyDefinitions/. */
  file: string;
  /** Project rules that implement it (all must pass); empty when no rule exists yet. */
  rules: string[];
  /** Why a failing verdict is accepted in an environment (the exemption text), if it is. */
  exemption?: Partial<Record<Environment, string>>;
}

/** The same exemption in both environments the table judges. */
function inQaAndProd(reason: string): Partial<Record<Environment, string>> {
  return { qa: reason, prod: reason };
}

export const BUILTIN_DEFINITIONS: readonly BuiltinDefinition[] = [
  // Machine Learning
  { id: "438c38d2-3772-465a-a9cc-7a6666a275ce", displayName: "Azure Machine Learning workspaces should disable public network access", file: "Machine Learning/Workspace_PublicNetworkAccessDisabled_Audit.json", rules: ["workspace-public-network-disabled"] },
  { id: "45e05259-1eb5-4f70-9574-baf73e9d219b", displayName: "Azure Machine Learning workspaces should use private link", file: "Machine Learning/Workspace_PrivateEndpoint_Audit_V2.json", rules: ["private-endpoints-for-workspace"] },
  // Customer-managed keys: mlops:security.customerManagedKeys (default in qa and prod).
  { id: "ba769a63-b8cc-4b2d-abf6-ac33c7204be8", displayName: "Azure Machine Learning workspaces should be encrypted with a customer-managed key", file: "Machine Learning/Workspace_CMKEnabled_Audit.json", rules: ["workspace-customer-managed-key"] },
  { id: "5f0c7d88-c7de-45b8-ac49-db49e72eaa78", displayName: "Azure Machine Learning workspaces should use user-assigned managed identity", file: "Machine Learning/Workspace_UAIEnabled_Audit.json", rules: ["workspace-user-assigned-identity"] },
  { id: "6ddb1705-c8cf-450e-aa4b-19ad6703c440", displayName: "Azure Machine Learning and Ai Studio should use Allow Only Approved Outbound Managed Vnet mode", file: "Machine Learning/ManagedNetworkIsolationMode_Audit.json", rules: ["workspace-managed-network-approved-outbound"] },
  { id: "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f", displayName: "Machine Learning computes should have local authentication methods disabled", file: "Machine Learning/MachineLearningServices_DisableLocalAuth_Audit.json", rules: ["compute-local-auth-disabled"] },
  {
    id: "7804b5c7-01dc-4723-969b-ae300cc07ff1",
    displayName: "Audit Azure Machine Learning Compute Cluster and Instance is behind virtual network",
    file: "Machine Learning/MachineLearningServices_Vnet_Audit.json",
    // one-network-model accepts the managed VNet instead; the definition itself wants subnet.id.
    rules: [],
    exemption: inQaAndProd(
      "clusters live in the workspace's managed VNet (6ddb1705); a customer subnet on top would be a second network model, so the subnet the definition looks for is deliberately absent",
    ),
  },
  { id: "afe0c3be-ba3b-4544-ba52-0c99672a8ad6", displayName: "Resource logs in Azure Machine Learning Workspaces should be enabled", file: "Machine Learning/MachineLearningServices_AuditDiagnosticLog_Audit.json", rules: ["diagnostic-settings"] },
  // Key Vault
  { id: "405c5871-3e91-4644-8a63-58e19d68ff5b", displayName: "Azure Key Vault should disable public network access", file: "Key Vault/AzureKeyVaultPublicNetworkAccess_Audit.json", rules: ["keyvault-network-restricted"] },
  { id: "55615ac9-af46-4a59-874e-391cc3dfb490", displayName: "Azure Key Vault should have firewall enabled", file: "Key Vault/AzureKeyVaultFirewallEnabled_Audit.json", rules: ["keyvault-network-restricted"] },
  { id: "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", displayName: "Key vaults should have soft delete enabled", file: "Key Vault/KeyVault_SoftDeleteMustBeEnabled_Audit.json", rules: ["keyvault-soft-delete"] },
  { id: "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", displayName: "Key Vault objects should be recoverable", file: "Key Vault/KeyVault_Recoverable_Audit.json", rules: ["keyvault-soft-delete", "keyvault-purge-protection"] },
  { id: "cf820ca0-f99e-4f3e-84fb-66e913812d21", displayName: "Resource logs in Key Vault should be enabled", file: "Key Vault/KeyVault_AuditDiagnosticLog_Audit.json", rules: ["diagnostic-settings"] },
  { id: "a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", displayName: "Azure Key Vaults should use private link", file: "Key Vault/AzureKeyVault_Should_Use_PrivateEndpoint_Audit.json", rules: ["private-endpoints-for-workspace"] },
  { id: "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", displayName: "[Preview]: Azure Key Vault should use RBAC permission model", file: "Key Vault/AzureKeyVault_Should_Use_RBAC.json", rules: ["keyvault-rbac-authorization"] },
  // Storage
  { id: "b2982f36-99f2-4db5-8eff-283140c09693", displayName: "Storage accounts should disable public network access", file: "Storage/StoragePublicNetworkAccess_AuditDeny.json", rules: ["storage-network-restricted"] },
  { id: "34c877ad-507e-4c82-993e-3452a6e0ad3c", displayName: "Storage accounts should restrict network access", file: "Storage/Storage_NetworkAcls_Audit.json", rules: ["storage-network-restricted"] },
  { id: "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54", displayName: "Storage accounts should prevent shared key access", file: "Storage/StorageAccountAllowSharedKeyAccess_Audit.json", rules: ["storage-shared-key-disabled"] },
  { id: "4fa4b6c0-31ca-4c0d-b10d-24b96f62a751", displayName: "Storage account public access should be disallowed", file: "Storage/ASC_Storage_DisallowPublicBlobAccess_Audit.json", rules: ["storage-blob-public-access-disabled"] },
  { id: "fe83a0eb-a853-422d-aac2-1bffd182c5d0", displayName: "Storage accounts should have the specified minimum TLS version", file: "Storage/StorageAccountMinimumTLSVersion_Audit.json", rules: ["storage-min-tls-1-2"] },
  { id: "404c3081-a854-4457-ae30-26a93ef643f9", displayName: "Secure transfer to storage accounts should be enabled", file: "Storage/Storage_AuditForHTTPSEnabled_Audit.json", rules: ["storage-https-only"] },
  { id: "92a89a79-6c52-4a7e-a03f-61306fc49312", displayName: "Storage accounts should prevent cross tenant object replication", file: "Storage/StorageAccountAllowCrossTenantReplication_Audit.json", rules: ["storage-cross-tenant-replication-disabled"] },
  { id: "6edd7eda-6dd8-40f7-810d-67160c639cd9", displayName: "Storage accounts should use private link", file: "Storage/StorageAccountPrivateEndpointEnabled_Audit.json", rules: ["private-endpoints-for-workspace"] },
  { id: "6fac406b-40ca-413b-bf8e-0bf964659c25", displayName: "Storage accounts should use customer-managed key for encryption", file: "Storage/StorageAccountCustomerManagedKeyEnabled_Audit.json", rules: ["storage-customer-managed-key"] },
  // Container Registry
  {
    id: "5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580",
    displayName: "Container registries should be encrypted with a customer-managed key",
    file: "Container Registry/ACR_CMKEncryptionEnabled_Audit.json",
    rules: [],
    exemption: inQaAndProd(
      "a registry takes a customer-managed key only when it is created, and it cannot read the key from a vault behind a firewall at creation (MicrosoftDocs/azure-docs#61064: a temporary open vault, then a system identity and a key switch), which the environment's closed vault rules out; registry content stays encrypted with Microsoft-managed keys",
    ),
  },
  { id: "dc921057-6b28-4fbe-9b83-f7bec05db6c2", displayName: "Container registries should have local admin account disabled.", file: "Container Registry/ACR_AdminAccountDisabled_AuditDeny.json", rules: ["registry-admin-user-disabled"] },
  { id: "0fdf0491-d080-4575-b627-ad0e843cba0f", displayName: "Public network access should be disabled for Container registries", file: "Container Registry/ACR_PublicNetworkAccess_AuditDeny.json", rules: ["registry-public-network-disabled"] },
  { id: "d0793b48-0edc-4296-a390-4c75d1bdfd71", displayName: "Container registries should not allow unrestricted network access", file: "Container Registry/ACR_NetworkRulesExist_AuditDeny.json", rules: ["registry-public-network-disabled"] },
  { id: "9f2dea28-e834-476c-99c5-3507b4728395", displayName: "Container registries should have anonymous authentication disabled.", file: "Container Registry/ACR_AnonymousPullDisabled_AuditDeny.json", rules: ["registry-anonymous-pull-disabled"] },
  { id: "524b0254-c285-4903-bee6-bb8126cde579", displayName: "Container registries should have exports disabled", file: "Container Registry/ACR_ExportPolicy_AuditDeny.json", rules: ["registry-export-disabled", "registry-public-network-disabled"] },
  { id: "42781ec6-6127-4c30-bdfa-fb423a0047d3", displayName: "Container registries should have ARM audience token authentication disabled.", file: "Container Registry/ACR_AADAuthenticationAsArmPolicy_AuditDeny.json", rules: ["registry-arm-audience-tokens-disabled"] },
  { id: "bd560fc0-3c69-498a-ae9f-aa8eb7de0e13", displayName: "Container registries should have SKUs that support Private Links", file: "Container Registry/ACR_SkuSupportsPrivateEndpoints_AuditDeny.json", rules: ["registry-public-network-disabled"] },
  { id: "e8eef0a8-67cf-4eb4-9386-14b0e78733d4", displayName: "Container Registries should use private links", file: "Container Registry/ACR_PrivateEndpointEnabled_Audit.json", rules: ["private-endpoints-for-workspace"] },
  // Kubernetes
  { id: "040732e8-d947-40b8-95d6-854c95024bf8", displayName: "Azure Kubernetes Service Private Clusters should be enabled", file: "Kubernetes/AKS_PrivateCluster_Deny.json", rules: ["aks-private-cluster"], exemption: { qa: "qa keeps a public API server limited to its authorized IP ranges (Pulumi.qa.yaml, checked by aks-api-server-authorized-ips, mandatory in qa); prod is private" } },
  { id: "da6e2401-19da-4532-9141-fb8fbde08431", displayName: "Azure Kubernetes Service Clusters should use managed identities", file: "Kubernetes/AKS_MSI_Audit.json", rules: ["aks-managed-identity"] },
  { id: "450d2877-ebea-41e8-b00c-e286317d21bf", displayName: "Azure Kubernetes Service Clusters should enable Azure Active Directory integration", file: "Kubernetes/AKS_AAD_Integration_Audit.json", rules: ["aks-entra-rbac"] },
  { id: "46238e2f-3f6f-4589-9f3f-77bed4116e67", displayName: "Azure Kubernetes Clusters should use Azure CNI", file: "Kubernetes/AKS_EnableCNI.json", rules: ["aks-network-policy"] },
  { id: "5c345cdf-2049-47e0-b8fe-b0e96bc2df35", displayName: "Azure Kubernetes Service Clusters should enable cluster auto-upgrade", file: "Kubernetes/AKS_Autoupgrade_Cluster_Audit.json", rules: ["aks-auto-upgrade"] },
  { id: "04408ca5-aa10-42ce-8536-98955cdddd4c", displayName: "Azure Kubernetes Service Clusters should enable node os auto-upgrade", file: "Kubernetes/AKS_Autoupgrade_NodeOS_Audit.json", rules: ["aks-auto-upgrade"] },
  { id: "2cc2e023-0dac-4046-875b-178f683929d5", displayName: "Azure Kubernetes Service Clusters should enable workload identity", file: "Kubernetes/AKS_WorkloadIdentity_Audit.json", rules: ["aks-workload-identity"] },
  {
    id: "a1840de2-8088-4ea8-b153-b4c723e9cb01",
    displayName: "Azure Kubernetes Service clusters should have Defender profile enabled",
    file: "Kubernetes/ASC_Azure_Defender_AKS_SecurityProfile_Audit.json",
    // qa declares the Containers plan too (Pulumi.qa.yaml): the sensor's DaemonSet takes node capacity,
    // which qa must show before prod.
    rules: ["aks-defender"],
  },
  { id: "89f2d532-c53c-4f8f-9afa-4927b1114a0d", displayName: "Azure Kubernetes Service Clusters should disable Command Invoke", file: "Kubernetes/AKS_DisableRunCommand_Audit.json", rules: ["aks-run-command-disabled"] },
  { id: "28257686-e9db-403e-b9e2-a5eecbe03da9", displayName: "Azure Kubernetes Clusters should disable SSH", file: "Kubernetes/AKS_DisableSSH_Audit.json", rules: ["aks-ssh-disabled"] },
  { id: "245fc9df-fa96-4414-9a0b-3738c2f7341c", displayName: "Resource logs in Azure Kubernetes Service should be enabled", file: "Kubernetes/AuditDiagnosticLog_Audit.json", rules: ["diagnostic-settings"] },
  { id: "0a15ec92-a229-4763-bb14-0ea34a568f8d", displayName: "Kubernetes Management Policy add-on should be installed and enabled on your clusters", file: "Kubernetes/AKS_AzurePolicyAddOn_Audit.json", rules: ["aks-azure-policy-addon"] },
  {
    id: "993c2fcd-2b29-49d2-9eb0-df2c3a730c32",
    displayName: "Azure Kubernetes Service Clusters should have local authentication methods disabled",
    file: "Kubernetes/AKS_DisableLocalAccounts_Deny.json",
    rules: ["aks-local-accounts-disabled"],
    exemption: inQaAndProd(
      "the Azure ML extension does not support clusters with local accounts disabled; the recorded waiver holds only while Command Invoke is off and kube-audit and guard logs flow, no service principal holds the AKS admin path (aks-admin-path-restricted), and it is reviewed by its date",
    ),
  },
  { id: "41425d9f-d1a5-499a-9932-f8ed8453932c", displayName: "Temp disks and cache for agent node pools in Azure Kubernetes Service clusters should be encrypted at host", file: "Kubernetes/AKS_EncryptionAtHost_Deny.json", rules: ["aks-encryption-at-host"] },
  {
    id: "7d7be79c-23ba-4033-84dd-45e2a5ccdd67",
    displayName: "Both operating systems and data disks in Azure Kubernetes Service clusters should be encrypted by customer-managed keys",
    file: "Kubernetes/AKS_CMK_Deny.json",
    rules: ["aks-disk-encryption-set"],
    exemption: inQaAndProd(
      "customer-managed disk keys are not built: they need a disk encryption set (its own identity granted on the environment's closed vault) named when the cluster is created, so adding them replaces the cluster; node disks are encrypted at host with platform keys (41425d9f) and the workspace and storage use the customer-managed key",
    ),
  },
  // Monitoring
  { id: "1bc02227-0cb6-4e11-8f53-eb0b22eab7e8", displayName: "Application Insights components should block log ingestion and querying from public networks", file: "Monitoring/ApplicationInsightsComponents_NetworkAccessEnabled_Deny.json", rules: ["monitoring-public-network-disabled"] },
  { id: "6c53d030-cc64-46f0-906d-2bc061cd1334", displayName: "Log Analytics workspaces should block log ingestion and querying from public networks", file: "Monitoring/LogAnalyticsWorkspaces_NetworkAccessEnabled_Deny.json", rules: ["monitoring-public-network-disabled"] },
  { id: "e15effd4-2278-4c65-a0da-4d6f6d1890e2", displayName: "Log Analytics Workspaces should block non-Azure Active Directory based ingestion.", file: "Monitoring/LogAnalyticsWorkspaces_DisableLocalAuth_Deny.json", rules: ["log-analytics-entra-ingestion"] },
  { id: "a499fed8-bcc8-4195-b154-641f14743757", displayName: "Azure Monitor Private Link Scope should block access to non private link resources", file: "Monitoring/AzureMonitorPrivateLinkScopes_AccessModeSettings_Audit.json", rules: ["monitor-private-link-scope"] },
  {
    id: "199d5677-e4d9-4264-9465-efe1839c06bd",
    displayName: "Application Insights components should block non-Azure Active Directory based ingestion.",
    file: "Monitoring/ApplicationInsightsComponents_DisableLocalAuth_Deny.json",
    rules: [],
    exemption: inQaAndProd(
      "Azure ML online deployments send Application Insights telemetry with the connection string (instrumentation key); they offer no Entra-authenticated ingestion, so local auth must stay on",
    ),
  },
  // Network
  { id: "4c3c6c5f-0d47-4402-99b8-aa543dd8bcee", displayName: "Flow logs should be configured for every virtual network", file: "Network/VirtualNetwork_FlowLog_Audit.json", rules: ["vnet-flow-logs"] },
  { id: "27960feb-a23c-4577-8d36-ef8b5f35e0be", displayName: "Flow logs should be enabled for every network security group", file: "Network/NetworkWatcherFlowLog_Enabled_Audit.json", rules: ["vnet-flow-logs"] },
  { id: "fc5e4038-4584-4632-8c85-c0448d374b2c", displayName: "[Preview]: All Internet traffic should be routed via your deployed Azure Firewall", file: "Network/ASC_All_Internet_traffic_should_be_routed_via_Azure_Firewall.json", rules: ["aks-egress-filtered"] },
  { id: "7bca8353-aa3b-429b-904a-9229c4385837", displayName: "Subnets should be private", file: "Network/PrivateSubnetOnly_Audit.json", rules: ["subnet-no-default-outbound"] },
];

export type Verdict = "compliant" | "exempt" | "non-compliant" | "n/a";

function viewsOf(plan: PlanDocument): ResourceView[] {
  return plan.resources
    .filter((r) => r.custom && !r.read && isDeployed(r.type))
    .map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: r.inputs ?? {}, protect: r.protect, dependsOn: r.dependsOn ?? [] }));
}

/** Whether a rule passes on a plan, whatever its level there (waivers still apply). */
function rulePasses(rule: Rule, resources: ResourceView[], env: Environment): boolean | "n/a" {
  if (rule.scope === "resource" && !resources.some((r) => rule.types.includes(r.type))) return "n/a";
  const forced: Rule = { ...rule, levels: { dev: "mandatory", qa: "mandatory", prod: "mandatory" } };
  const ctx = buildContext(resources, env, "environment");
  const { findings, waivers } = evaluateResources(resources, ctx, [forced], allWaivers, "urn:stack");
  return findings.length === 0 && waivers.length === 0;
}

export function builtinVerdict(def: BuiltinDefinition, plan: PlanDocument, env: Environment): Verdict {
  const resources = viewsOf(plan);
  const results = def.rules.map((name) => {
    const rule = allRules.find((r) => r.name === name);
    if (!rule) throw new Error(`policy/builtins.ts: ${def.id} names unknown rule '${name}'`);
    return rulePasses(rule, resources, env);
  });
  if (results.length > 0 && results.every((r) => r === "n/a")) return "n/a";
  const passes = results.length > 0 && results.every((r) => r !== false);
  if (passes) return "compliant";
  return def.exemption?.[env] ? "exempt" : "non-compliant";
}

function levelOf(def: BuiltinDefinition, env: Environment): string {
  const levels = def.rules.map((name) => allRules.find((r) => r.name === name)!.levels[env]);
  return levels.length === 0 ? "—" : [...new Set(levels)].join("/");
}

/** The README table and its summary line, from the qa and prod plans. */
export function renderBuiltinsTable(plans: Record<"qa" | "prod", PlanDocument>): string {
  const head = [
    "| definition | display name | project rule | dev | qa | prod | qa verdict | prod verdict |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const verdicts = { qa: [] as Verdict[], prod: [] as Verdict[] };
  const rows = BUILTIN_DEFINITIONS.map((d) => {
    const qa = builtinVerdict(d, plans.qa, "qa");
    const prod = builtinVerdict(d, plans.prod, "prod");
    verdicts.qa.push(qa);
    verdicts.prod.push(prod);
    const rules = d.rules.length ? d.rules.map((r) => `\`${r}\``).join(", ") : "none yet";
    return `| \`${d.id}\` | ${d.displayName.replace(/\|/g, "\\|")} | ${rules} | ${levelOf(d, "dev")} | ${levelOf(d, "qa")} | ${levelOf(d, "prod")} | ${qa} | ${prod} |`;
  });
  const share = (v: Verdict[]) => {
    const applicable = v.filter((x) => x !== "n/a");
    const ok = applicable.filter((x) => x === "compliant").length;
    return `${ok}/${applicable.length} compliant (${Math.round((100 * ok) / Math.max(1, applicable.length))} %), ${applicable.filter((x) => x === "exempt").length} exempt, ${applicable.filter((x) => x === "non-compliant").length} non-compliant`;
  };
  const exemptions = BUILTIN_DEFINITIONS.flatMap((d) =>
    (["qa", "prod"] as const)
      .filter((env) => d.exemption?.[env] && builtinVerdict(d, plans[env], env) === "exempt")
      .map((env) => `- \`${d.id.slice(0, 8)}\` in ${env}: ${d.exemption![env]}.`),
  );
  return [...head, ...rows, "", `qa: ${share(verdicts.qa)}. prod: ${share(verdicts.prod)}.`, "", "Exemptions:", "", ...exemptions].join("\n") + "\n";
}
