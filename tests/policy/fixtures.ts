/**
 * A realistic, fully hardened stack as the rules see it (azure-native v3 input shapes, physical
 * names from the project's naming scheme). Tests break one property at a time.
 */
import type { Environment, ResourceView } from "../../policy/rules/types";

export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
// Models are always copied from the origin (dev): prod reads dev, never qa.
const UPSTREAM: Record<Environment, Environment | null> = { dev: null, qa: "dev", prod: "dev" };

export function armId(rg: string, provider: string, name: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/${provider}/${name}`;
}

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::mlops-azure::${type}::${name}`;
}

const ROLE = (guid: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

export interface StackOptions {
  environment: Environment;
  stack?: string;
}

/** Names every fixture uses, derived like shared/naming does. */
export function namesFor(env: Environment) {
  return {
    rg: `rg-mlops-${env}`,
    servingRg: `rg-mlops-${env}-serving`,
    storage: `stmlops${env}1a2b3c4d`,
    vault: `kv-mlops-${env}-1a2b3c`,
    registry: `crmlops${env}1a2b3c4d`,
    workspace: `mlw-mlops-${env}`,
    aks: `aks-mlops-${env}`,
    identity: `id-mlops-${env}`,
  };
}

export function hardenedStack({ environment: env, stack = env }: StackOptions): ResourceView[] {
  const n = namesFor(env);
  const tags = { environment: env, stack, "managed-by": "pulumi" };
  const res = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceView> = {}): ResourceView => ({
    urn: urnOf(stack, type, name),
    type,
    name,
    inputs,
    protect: env === "prod",
    ...extra,
  });
  const storageId = armId(n.rg, "Microsoft.Storage/storageAccounts", n.storage);
  const vaultId = armId(n.rg, "Microsoft.KeyVault/vaults", n.vault);
  const registryId = armId(n.rg, "Microsoft.ContainerRegistry/registries", n.registry);
  const workspaceId = armId(n.rg, "Microsoft.MachineLearningServices/workspaces", n.workspace);
  const identityId = armId(n.rg, "Microsoft.ManagedIdentity/userAssignedIdentities", n.identity);
  const peSubnet = `${armId(n.rg, "Microsoft.Network/virtualNetworks", `vnet-mlops-${env}`)}/subnets/snet-pe`;
  const aksSubnet = `${armId(n.servingRg, "Microsoft.Network/virtualNetworks", `vnet-mlops-${env}-serving`)}/subnets/snet-aks`;
  const clusterId = armId(n.servingRg, "Microsoft.ContainerService/managedClusters", n.aks);
  const pe = (role: string, target: string, group: string) =>
    res("azure-native:network:PrivateEndpoint", `${env}-pe-${role}`, {
      resourceGroupName: n.rg,
      privateEndpointName: `pe-${role}-mlops-${env}`,
      subnet: { id: peSubnet },
      privateLinkServiceConnections: [{ name: `${role}`, privateLinkServiceId: target, groupIds: [group] }],
      tags,
    });
  const logsId = armId(n.rg, "Microsoft.OperationalInsights/workspaces", `log-mlops-${env}`);
  const diag = (key: string, resourceUri: string, categories: string[]) =>
    res("azure-native:monitor:DiagnosticSetting", `${env}-${key}-diag`, {
      name: `diag-${key}`,
      resourceUri,
      workspaceId: logsId,
      logs: categories.map((category) => ({ category, enabled: true })),
      metrics: [{ category: "AllMetrics", enabled: true }],
    });
  const amlCompute = (key: string, vmSize: string, max: number) =>
    res("azure-native:machinelearningservices:Compute", `${env}-${key}`, {
      computeName: `mlops-${env}-${key}`,
      resourceGroupName: n.rg,
      workspaceName: n.workspace,
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      properties: {
        computeType: "AmlCompute",
        disableLocalAuth: true,
        properties: {
          vmSize,
          vmPriority: env === "prod" ? "Dedicated" : "LowPriority",
          enableNodePublicIp: false,
          remoteLoginPortPublicAccess: "Disabled",
          scaleSettings: { minNodeCount: 0, maxNodeCount: max, nodeIdleTimeBeforeScaleDown: "PT15M" },
        },
      },
      tags,
    });
  const upstream = UPSTREAM[env];
  const resources: ResourceView[] = [
    res("azure-native:resources:ResourceGroup", `${env}-rg`, { resourceGroupName: n.rg, location: "westeurope", tags }),
    res("azure-native:resources:ResourceGroup", `${env}-serving-rg`, { resourceGroupName: n.servingRg, location: "westeurope", tags }),
    res("azure-native:managedidentity:UserAssignedIdentity", `${env}-identity`, { resourceGroupName: n.rg, resourceName: n.identity, tags }),
    res("azure-native:storage:StorageAccount", `${env}-storage`, {
      accountName: n.storage,
      resourceGroupName: n.rg,
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      allowBlobPublicAccess: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      publicNetworkAccess: "Disabled",
      networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
      allowSharedKeyAccess: false,
      allowCrossTenantReplication: false,
      isLocalUserEnabled: false,
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: { keyName: "cmk-workspace", keyVaultUri: `https://${n.vault}.vault.azure.net/` },
        encryptionIdentity: { encryptionUserAssignedIdentity: identityId },
        services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
      },
      tags,
    }),
    res("azure-native:keyvault:Vault", `${env}-vault`, {
      vaultName: n.vault,
      resourceGroupName: n.rg,
      properties: {
        tenantId: "11111111-1111-1111-1111-111111111111",
        sku: { family: "A", name: "standard" },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        enableRbacAuthorization: true,
        publicNetworkAccess: "Disabled",
        networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
      },
      tags,
    }),
    res("azure-native:containerregistry:Registry", `${env}-registry`, {
      registryName: n.registry,
      resourceGroupName: n.rg,
      sku: { name: "Premium" },
      adminUserEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccess: "Disabled",
      policies: {
        exportPolicy: { status: "disabled" },
        azureADAuthenticationAsArmPolicy: { status: "disabled" },
        retentionPolicy: { status: "enabled", days: 7 },
      },
      tags,
    }),
    res("azure-native:machinelearningservices:Workspace", `${env}-workspace`, {
      workspaceName: n.workspace,
      resourceGroupName: n.rg,
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      primaryUserAssignedIdentity: identityId,
      storageAccount: storageId,
      keyVault: vaultId,
      containerRegistry: registryId,
      publicNetworkAccess: "Disabled",
      managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" },
      systemDatastoresAuthMode: "identity",
      encryption: {
        status: "Enabled",
        keyVaultProperties: { keyVaultArmId: vaultId, keyIdentifier: `https://${n.vault}.vault.azure.net/keys/cmk` },
      },
      tags,
    }),
    pe("workspace", workspaceId, "amlworkspace"),
    pe("blob", storageId, "blob"),
    pe("file", storageId, "file"),
    pe("vault", vaultId, "vault"),
    pe("registry", registryId, "registry"),
    amlCompute("cpu", "Standard_DS3_v2", 4),
    amlCompute("gpu", "Standard_NC6s_v3", 2),
    res("azure-native:containerservice:ManagedCluster", `${env}-aks`, {
      resourceName: n.aks,
      resourceGroupName: n.servingRg,
      dnsPrefix: n.aks,
      nodeResourceGroup: `MC_${n.servingRg}_${n.aks}`,
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      sku: { name: "Base", tier: "Standard" },
      enableRBAC: true,
      disableLocalAccounts: false,
      aadProfile: { managed: true, enableAzureRBAC: true },
      apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false, disableRunCommand: true },
      networkProfile: { networkPlugin: "azure", networkPolicy: "azure", outboundType: "userDefinedRouting" },
      addonProfiles: {
        azurepolicy: { enabled: true },
        azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true" } },
      },
      autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
      oidcIssuerProfile: { enabled: true },
      securityProfile: {
        workloadIdentity: { enabled: true },
        defender: {
          logAnalyticsWorkspaceResourceId: armId(n.rg, "Microsoft.OperationalInsights/workspaces", `log-mlops-${env}`),
          securityMonitoring: { enabled: true },
        },
      },
      diskEncryptionSetID: armId(n.servingRg, "Microsoft.Compute/diskEncryptionSets", `des-mlops-${env}`),
      agentPoolProfiles: [
        {
          name: "system",
          mode: "System",
          vmSize: "Standard_D4ds_v5",
          enableAutoScaling: true,
          minCount: 1,
          maxCount: 3,
          enableNodePublicIP: false,
          enableEncryptionAtHost: true,
          osDiskType: "Ephemeral",
          vnetSubnetID: aksSubnet,
          securityProfile: { sshAccess: "Disabled" },
        },
        {
          name: "gpu",
          mode: "User",
          vmSize: "Standard_NC6s_v3",
          enableAutoScaling: true,
          minCount: 0,
          maxCount: 2,
          enableNodePublicIP: false,
          enableEncryptionAtHost: true,
          nodeTaints: ["sku=gpu:NoSchedule"],
          vnetSubnetID: aksSubnet,
          securityProfile: { sshAccess: "Disabled" },
        },
      ],
      tags,
    }),
    res("azure-native:kubernetesconfiguration:Extension", `${env}-azureml-extension`, {
      resourceGroupName: n.servingRg,
      clusterName: n.aks,
      clusterResourceName: "managedClusters",
      clusterRp: "Microsoft.ContainerService",
      extensionName: "azureml",
      extensionType: "Microsoft.AzureML.Kubernetes",
      releaseTrain: "stable",
      autoUpgradeMinorVersion: true,
      scope: { cluster: { releaseNamespace: "azureml" } },
      configurationSettings: {
        enableInference: "True",
        inferenceRouterServiceType: "loadBalancer",
        internalLoadBalancerProvider: "azure",
        allowInsecureConnections: "False",
        sslCname: `scoring.mlops-${env}.internal`,
      },
      configurationProtectedSettings: "[secret]",
    }),
    res("azure-native:machinelearningservices:Compute", `${env}-kubernetes`, {
      computeName: `mlops-${env}-aks`,
      resourceGroupName: n.rg,
      workspaceName: n.workspace,
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      properties: {
        computeType: "Kubernetes",
        resourceId: clusterId,
        disableLocalAuth: true,
        properties: { namespace: "azureml-serving", defaultInstanceType: "cpu-small" },
      },
      tags,
    }),
    res("azure-native:machinelearningservices:OnlineEndpoint", `${env}-online`, {
      endpointName: `ep-mlops-${env}-a1b2c3`,
      resourceGroupName: n.rg,
      workspaceName: n.workspace,
      identity: { type: "SystemAssigned" },
      properties: { authMode: "AADToken", compute: `mlops-${env}-aks` },
      tags,
    }),
    res("azure-native:machinelearningservices:BatchEndpoint", `${env}-batch`, {
      endpointName: `bep-mlops-${env}-a1b2c3`,
      resourceGroupName: n.rg,
      workspaceName: n.workspace,
      properties: { authMode: "AADToken" },
      tags,
    }),
    res("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential", `${env}-github-oidc`, {
      applicationId: "/applications/22222222-2222-2222-2222-222222222222",
      displayName: `github-${env}`,
      issuer: "https://token.actions.githubusercontent.com",
      subject: `repo:contoso/churn-mlops:environment:${env}`,
      audiences: ["api://AzureADTokenExchange"],
    }),
    res("azure-native:authorization:RoleAssignment", `${env}-ci-contributor`, {
      principalId: "33333333-3333-3333-3333-333333333333",
      principalType: "ServicePrincipal",
      roleDefinitionId: ROLE("b24988ac-6180-42a0-ab88-20f7382dd24c"),
      scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${n.rg}`,
    }),
    // Constrained delegation: CI creates the program's role assignments but can never grant privileged roles.
    res("azure-native:authorization:RoleAssignment", `${env}-ci-rbac-admin`, {
      principalId: "33333333-3333-3333-3333-333333333333",
      principalType: "ServicePrincipal",
      roleDefinitionId: ROLE("f58310d9-a9f6-439a-9e8d-f62e7b41a168"),
      scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${n.rg}`,
      conditionVersion: "2.0",
      condition:
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168}))",
    }),
    res("azure-native:operationalinsights:Workspace", `${env}-logs`, {
      workspaceName: `log-mlops-${env}`,
      resourceGroupName: n.rg,
      retentionInDays: env === "prod" ? 90 : 30,
      sku: { name: "PerGB2018" },
      publicNetworkAccessForIngestion: "Disabled",
      publicNetworkAccessForQuery: "Disabled",
      features: { disableLocalAuth: true },
      tags,
    }),
    res("azure-native:applicationinsights:Component", `${env}-insights`, {
      resourceName: `appi-mlops-${env}`,
      resourceGroupName: n.rg,
      kind: "web",
      applicationType: "web",
      workspaceResourceId: logsId,
      publicNetworkAccessForIngestion: "Disabled",
      publicNetworkAccessForQuery: "Disabled",
      tags,
    }),
    res("azure-native:monitor:PrivateLinkScope", `${env}-ampls`, {
      scopeName: `ampls-mlops-${env}`,
      resourceGroupName: n.rg,
      location: "global",
      accessModeSettings: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "PrivateOnly" },
      tags,
    }),
    res("azure-native:monitor:PrivateLinkScopedResource", `${env}-ampls-logs`, { name: "logs", scopeName: `ampls-mlops-${env}`, resourceGroupName: n.rg, linkedResourceId: logsId, kind: "Resource" }),
    res("azure-native:monitor:PrivateLinkScopedResource", `${env}-ampls-insights`, { name: "insights", scopeName: `ampls-mlops-${env}`, resourceGroupName: n.rg, linkedResourceId: armId(n.rg, "Microsoft.Insights/components", `appi-mlops-${env}`), kind: "Resource" }),
    res("azure-native:network:Subnet", `${env}-aks-subnet`, { subnetName: "snet-aks", virtualNetworkName: `vnet-mlops-${env}-serving`, resourceGroupName: n.servingRg, addressPrefix: "10.1.16.0/20", defaultOutboundAccess: false, routeTable: { id: armId(n.servingRg, "Microsoft.Network/routeTables", `rt-mlops-${env}-aks`) } }),
    // AKS egress through Azure Firewall: route table, firewall in the VNet's AzureFirewallSubnet, an allow-list policy.
    res("azure-native:network:RouteTable", `${env}-aks-routes`, { routeTableName: `rt-mlops-${env}-aks`, resourceGroupName: n.servingRg, routes: [{ name: "internet-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.1.2.4" }], tags }),
    res("azure-native:network:Subnet", `${env}-firewall-subnet`, { subnetName: "AzureFirewallSubnet", virtualNetworkName: `vnet-mlops-${env}-serving`, resourceGroupName: n.servingRg, addressPrefix: "10.1.2.0/26", defaultOutboundAccess: false }),
    res("azure-native:network:AzureFirewall", `${env}-firewall`, {
      azureFirewallName: `afw-mlops-${env}`,
      resourceGroupName: n.servingRg,
      sku: { name: "AZFW_VNet", tier: "Standard" },
      firewallPolicy: { id: armId(n.servingRg, "Microsoft.Network/firewallPolicies", `afwp-mlops-${env}`) },
      ipConfigurations: [{ name: "egress", subnet: { id: `${armId(n.servingRg, "Microsoft.Network/virtualNetworks", `vnet-mlops-${env}-serving`)}/subnets/AzureFirewallSubnet` }, publicIPAddress: { id: armId(n.servingRg, "Microsoft.Network/publicIPAddresses", `pip-afw-${env}`) } }],
      tags,
    }),
    res("azure-native:network:FirewallPolicyRuleCollectionGroup", `${env}-firewall-rules`, {
      ruleCollectionGroupName: "aks-egress",
      firewallPolicyName: `afwp-mlops-${env}`,
      resourceGroupName: n.servingRg,
      priority: 200,
      ruleCollections: [
        {
          ruleCollectionType: "FirewallPolicyFilterRuleCollection",
          name: "aks-and-azureml",
          priority: 200,
          action: { type: "Allow" },
          rules: [
            { ruleType: "ApplicationRule", name: "aks-required", sourceAddresses: ["10.1.16.0/20"], protocols: [{ protocolType: "Https", port: 443 }], fqdnTags: ["AzureKubernetesService"] },
            { ruleType: "ApplicationRule", name: "azureml-extension", sourceAddresses: ["10.1.16.0/20"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["westeurope.dp.kubernetesconfiguration.azure.com", "mcr.microsoft.com"] },
          ],
        },
      ],
    }),
    pe("ampls", armId(n.rg, "Microsoft.Insights/privateLinkScopes", `ampls-mlops-${env}`), "azuremonitor"),
    res("azure-native:network:VirtualNetwork", `${env}-vnet`, { virtualNetworkName: `vnet-mlops-${env}`, resourceGroupName: n.rg, addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, tags }),
    // VNet flow log in Azure's regional Network Watcher (NetworkWatcherRG), written by the workspace identity.
    res("azure-native:network:FlowLog", `${env}-flowlog`, {
      flowLogName: `fl-vnet-mlops-${env}`,
      networkWatcherName: "NetworkWatcher_westeurope",
      resourceGroupName: "NetworkWatcherRG",
      targetResourceId: armId(n.rg, "Microsoft.Network/virtualNetworks", `vnet-mlops-${env}`),
      storageId: storageId,
      enabled: true,
      format: { type: "JSON", version: 2 },
      retentionPolicy: { enabled: true, days: env === "prod" ? 90 : 60 },
      identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
      tags,
    }),
    ...(["Containers", "KeyVaults", "StorageAccounts", "Arm"] as const).map((plan) =>
      res("azure-native:security:Pricing", `${env}-defender-${plan.toLowerCase()}`, { scopeId: `/subscriptions/${SUBSCRIPTION}`, pricingName: plan, pricingTier: "Standard" }),
    ),
    diag("workspace", workspaceId, ["AmlComputeJobEvent", "AmlRunStatusChangedEvent"]),
    diag("vault", vaultId, ["AuditEvent"]),
    diag("registry", registryId, ["ContainerRegistryLoginEvents"]),
    diag("storage-blob", `${storageId}/blobServices/default`, ["StorageRead", "StorageWrite", "StorageDelete"]),
    diag("aks", clusterId, ["kube-audit-admin", "guard"]),
    diag("firewall", armId(n.servingRg, "Microsoft.Network/azureFirewalls", `afw-mlops-${env}`), ["AZFWApplicationRule", "AZFWNetworkRule"]),
  ];
  if (upstream) {
    const up = namesFor(upstream);
    resources.push(
      res("azure-native:authorization:RoleAssignment", `${env}-read-upstream-workspace`, {
        principalId: "44444444-4444-4444-4444-444444444444",
        principalType: "ServicePrincipal",
        roleDefinitionId: ROLE("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        scope: armId(up.rg, "Microsoft.MachineLearningServices/workspaces", up.workspace),
      }),
      res("azure-native:authorization:RoleAssignment", `${env}-read-upstream-blobs`, {
        principalId: "44444444-4444-4444-4444-444444444444",
        principalType: "ServicePrincipal",
        roleDefinitionId: ROLE("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"),
        scope: armId(up.rg, "Microsoft.Storage/storageAccounts", up.storage),
      }),
      res("pulumi-nodejs:dynamic/mlops:PromotedModel", `${env}-model-churn`, {
        modelName: "churn",
        version: "7",
        source: { subscriptionId: SUBSCRIPTION, resourceGroupName: up.rg, workspaceName: up.workspace },
        target: { subscriptionId: SUBSCRIPTION, resourceGroupName: n.rg, workspaceName: n.workspace, datastoreName: "workspaceblobstore" },
        approvalTag: { key: "stage", value: "production" },
        targetPathPrefix: "promoted",
        armEndpoint: "https://management.azure.com",
        blobEndpointTemplate: "https://{account}.blob.{suffix}",
        archiveOnDelete: true,
        copyConcurrency: 8,
      }),
    );
  }
  return resources;
}

/** A copy of `stack` where `edit` changed the inputs of the resource named `name`. */
export function edited(stack: ResourceView[], name: string, edit: (inputs: any, r: ResourceView) => void): ResourceView[] {
  const copy: ResourceView[] = structuredClone(stack);
  const target = copy.find((r) => r.name === name);
  if (!target) throw new Error(`fixture has no resource named ${name}`);
  edit(target.inputs, target);
  return copy;
}

/**
 * Dev as the project ships it: public network mode (no private endpoints, public workspace and
 * dependencies, computes with public node IPs, a Basic registry), everything else hardened.
 */
export function publicDevStack(stack = "dev"): ResourceView[] {
  return publicStack("dev", stack);
}

/** Any environment configured like public dev (what a prod config must never be). */
export function publicStack(environment: Environment, stack: string = environment): ResourceView[] {
  return structuredClone(hardenedStack({ environment, stack }))
    .filter((r) => r.type !== "azure-native:network:PrivateEndpoint")
    .map((r) => {
      const i = r.inputs as any;
      switch (r.type) {
        case "azure-native:machinelearningservices:Workspace":
          i.publicNetworkAccess = "Enabled";
          delete i.managedNetwork;
          break;
        case "azure-native:storage:StorageAccount":
          i.publicNetworkAccess = "Enabled";
          i.networkRuleSet = { defaultAction: "Allow" };
          break;
        case "azure-native:keyvault:Vault":
          i.properties.publicNetworkAccess = "Enabled";
          i.properties.networkAcls = { defaultAction: "Allow" };
          i.properties.enablePurgeProtection = false;
          break;
        case "azure-native:containerregistry:Registry":
          i.sku = { name: "Basic" };
          i.publicNetworkAccess = "Enabled";
          delete i.policies;
          break;
        case "azure-native:machinelearningservices:Compute":
          if (i.properties.computeType === "AmlCompute") i.properties.properties.enableNodePublicIp = true;
          break;
      }
      return r;
    });
}

/** A plan document around fixture resources, with the component and stack resources a real plan has. */
export function planOf(resources: ResourceView[], env: Environment, stack: string = env, kind: "environment" | "branch" = "environment") {
  const project = "mlops-azure";
  const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
  return {
    schemaVersion: 1 as const,
    project,
    stack,
    kind,
    environment: env,
    branch: kind === "branch" ? "feature/x" : null,
    resources: [
      { urn: stackUrn, type: "pulumi:pulumi:Stack", name: `${project}-${stack}`, parent: null, custom: false, protect: false, dependsOn: [], inputs: {} },
      // A component: not deployed, so no rule looks at it even though its args look public.
      { urn: urnOf(stack, "mlops:workspace:MlWorkspace", `${stack}-ws`), type: "mlops:workspace:MlWorkspace", name: `${stack}-ws`, parent: stackUrn, custom: false, protect: false, dependsOn: [], inputs: { publicNetworkAccess: "Enabled" } },
      ...resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: stackUrn,
        custom: true,
        protect: r.protect ?? false,
        dependsOn: r.dependsOn ?? [],
        inputs: r.inputs as any,
      })),
    ],
    outputs: {},
    violations: [],
    waivers: [],
  };
}
