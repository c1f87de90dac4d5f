/** Type tokens of the resources the rules inspect (azure-native 3.x, azuread 6.x, the project's dynamic providers). */
export const TYPES = {
  resourceGroup: "azure-native:resources:ResourceGroup",
  workspace: "azure-native:machinelearningservices:Workspace",
  compute: "azure-native:machinelearningservices:Compute",
  datastore: "azure-native:machinelearningservices:Datastore",
  onlineEndpoint: "azure-native:machinelearningservices:OnlineEndpoint",
  batchEndpoint: "azure-native:machinelearningservices:BatchEndpoint",
  storageAccount: "azure-native:storage:StorageAccount",
  vault: "azure-native:keyvault:Vault",
  registry: "azure-native:containerregistry:Registry",
  managedCluster: "azure-native:containerservice:ManagedCluster",
  agentPool: "azure-native:containerservice:AgentPool",
  extension: "azure-native:kubernetesconfiguration:Extension",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  virtualNetwork: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  logAnalytics: "azure-native:operationalinsights:Workspace",
  appInsights: "azure-native:applicationinsights:Component",
  privateLinkScope: "azure-native:monitor:PrivateLinkScope",
  privateLinkScopedResource: "azure-native:monitor:PrivateLinkScopedResource",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  defenderPricing: "azure-native:security:Pricing",
  flowLog: "azure-native:network:FlowLog",
  azureFirewall: "azure-native:network:AzureFirewall",
  firewallRuleGroup: "azure-native:network:FirewallPolicyRuleCollectionGroup",
  routeTable: "azure-native:network:RouteTable",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  userAssignedIdentity: "azure-native:managedidentity:UserAssignedIdentity",
  managedIdentityFederatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  applicationFederatedCredential:
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
  applicationPassword: "azuread:index/applicationPassword:ApplicationPassword",
  servicePrincipalPassword: "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
  publishedPipeline: "pulumi-nodejs:dynamic/mlops:PublishedPipeline",
  promotedModel: "pulumi-nodejs:dynamic/mlops:PromotedModel",
  registryModel: "pulumi-nodejs:dynamic/mlops:RegistryModel",
  managedNetworkRule: "azure-native:machinelearningservices:ManagedNetworkSettingsRule",
} as const;

/** The Azure ML extension for Kubernetes (`extensionType`), which needs AKS local accounts. */
export const AZUREML_EXTENSION_TYPE = "Microsoft.AzureML.Kubernetes";

/**
 * Whether a resource is something Azure deploys: not the stack, a stack reference (its values are
 * another stack's outputs), a provider, or one of this project's components (`mlops:<module>:<Type>`).
 */
export function isDeployed(type: string): boolean {
  return !type.startsWith("pulumi:") && !type.startsWith("mlops:");
}
