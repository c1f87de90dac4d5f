/**
 * ARM resource ids for the azure-native types the platform declares, derived from a resource's inputs
 * the way Azure builds them, so a plan shows ids that look like what `pulumi up` will record.
 * Types not listed here (or whose name inputs are not known yet) get `<logical-name>-id`.
 */

/** Subscription shown in ids when the stack config does not name one. */
export const PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

/** `{input}` is replaced by that input; a path starting with `/` is relative to the subscription. */
const RG = "/resourceGroups/{resourceGroupName}/providers/";
const ML = `${RG}Microsoft.MachineLearningServices/workspaces/{workspaceName}`;

const templates: Record<string, string> = {
  "resources:ResourceGroup": "/resourceGroups/{resourceGroupName}",
  "storage:StorageAccount": `${RG}Microsoft.Storage/storageAccounts/{accountName}`,
  "storage:BlobContainer": `${RG}Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}`,
  "storage:BlobServiceProperties": `${RG}Microsoft.Storage/storageAccounts/{accountName}/blobServices/default`,
  "keyvault:Vault": `${RG}Microsoft.KeyVault/vaults/{vaultName}`,
  "keyvault:Secret": `${RG}Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}`,
  "keyvault:Key": `${RG}Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}`,
  "containerregistry:Registry": `${RG}Microsoft.ContainerRegistry/registries/{registryName}`,
  "operationalinsights:Workspace": `${RG}Microsoft.OperationalInsights/workspaces/{workspaceName}`,
  "applicationinsights:Component": `${RG}Microsoft.Insights/components/{resourceName}`,
  "machinelearningservices:Workspace": ML,
  "machinelearningservices:Compute": `${ML}/computes/{computeName}`,
  "machinelearningservices:Datastore": `${ML}/datastores/{name}`,
  "machinelearningservices:OnlineEndpoint": `${ML}/onlineEndpoints/{endpointName}`,
  "machinelearningservices:OnlineDeployment": `${ML}/onlineEndpoints/{endpointName}/deployments/{deploymentName}`,
  "machinelearningservices:BatchEndpoint": `${ML}/batchEndpoints/{endpointName}`,
  "machinelearningservices:BatchDeployment": `${ML}/batchEndpoints/{endpointName}/deployments/{deploymentName}`,
  "machinelearningservices:Schedule": `${ML}/schedules/{name}`,
  "machinelearningservices:ModelContainer": `${ML}/models/{name}`,
  "machinelearningservices:ModelVersion": `${ML}/models/{name}/versions/{version}`,
  "machinelearningservices:EnvironmentContainer": `${ML}/environments/{name}`,
  "machinelearningservices:EnvironmentVersion": `${ML}/environments/{name}/versions/{version}`,
  "machinelearningservices:ComponentContainer": `${ML}/components/{name}`,
  "machinelearningservices:ComponentVersion": `${ML}/components/{name}/versions/{version}`,
  "machinelearningservices:CodeContainer": `${ML}/codes/{name}`,
  "machinelearningservices:CodeVersion": `${ML}/codes/{name}/versions/{version}`,
  "machinelearningservices:DataContainer": `${ML}/data/{name}`,
  "machinelearningservices:DataVersion": `${ML}/data/{name}/versions/{version}`,
  "containerservice:ManagedCluster": `${RG}Microsoft.ContainerService/managedClusters/{resourceName}`,
  "containerservice:AgentPool": `${RG}Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}`,
  "kubernetesconfiguration:Extension": `${RG}{clusterRp}/{clusterResourceName}/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/{extensionName}`,
  "network:VirtualNetwork": `${RG}Microsoft.Network/virtualNetworks/{virtualNetworkName}`,
  "network:Subnet": `${RG}Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`,
  "network:NetworkSecurityGroup": `${RG}Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}`,
  "network:AzureFirewall": `${RG}Microsoft.Network/azureFirewalls/{azureFirewallName}`,
  "network:PrivateEndpoint": `${RG}Microsoft.Network/privateEndpoints/{privateEndpointName}`,
  "network:PrivateDnsZoneGroup": `${RG}Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}`,
  "privatedns:PrivateZone": `${RG}Microsoft.Network/privateDnsZones/{privateZoneName}`,
  "privatedns:VirtualNetworkLink": `${RG}Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}`,
  "managedidentity:UserAssignedIdentity": `${RG}Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}`,
  "managedidentity:FederatedIdentityCredential": `${RG}Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}`,
  "authorization:ManagementLockAtResourceGroupLevel": `${RG}Microsoft.Authorization/locks/{lockName}`,
};

/** Extension resources hang off another resource's id (`scope`, `resourceUri`). */
const scoped: Record<string, { scope: string; path: string }> = {
  "authorization:RoleAssignment": { scope: "scope", path: "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}" },
  "authorization:ManagementLockByScope": { scope: "scope", path: "/providers/Microsoft.Authorization/locks/{lockName}" },
  "insights:DiagnosticSetting": { scope: "resourceUri", path: "/providers/Microsoft.Insights/diagnosticSettings/{name}" },
};

/** `azure-native:<module>:<Type>` (also versioned modules such as `machinelearningservices/v20240401`). */
function shortType(type: string): string | undefined {
  const parts = type.split(":");
  if (parts.length !== 3 || parts[0] !== "azure-native") return undefined;
  return `${parts[1].split("/")[0]}:${parts[2]}`;
}

function fill(template: string, inputs: Record<string, unknown>): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = inputs[key];
    if (typeof v !== "string" || v === "") missing = true;
    return String(v);
  });
  return missing ? undefined : out;
}

/** The ARM id Azure would give the resource, or undefined when the type is unknown or a name is not known yet. */
export function armId(type: string, inputs: Record<string, unknown>, subscriptionId = PLACEHOLDER_SUBSCRIPTION): string | undefined {
  const key = shortType(type);
  if (!key) return undefined;
  const template = templates[key];
  if (template) {
    const path = fill(template, inputs);
    return path === undefined ? undefined : `/subscriptions/${subscriptionId}${path}`;
  }
  const ext = scoped[key];
  if (ext) {
    const scope = inputs[ext.scope];
    const path = fill(ext.path, inputs);
    return typeof scope === "string" && scope.startsWith("/") && path !== undefined ? `${scope}${path}` : undefined;
  }
  return undefined;
}

/** The physical name Azure reports (the last segment of the id). */
export function physicalName(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}

/** The input holding the resource's own physical name (the last name in its ARM path). */
export function nameInput(type: string): string | undefined {
  const key = shortType(type);
  if (!key) return undefined;
  const template = templates[key] ?? scoped[key]?.path;
  const params = template?.match(/\{(\w+)\}/g);
  return params ? params[params.length - 1].slice(1, -1) : undefined;
}
