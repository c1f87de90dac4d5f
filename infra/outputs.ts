/**
 * Outputs every environment stack exports. Downstream stacks read them with a StackReference (qa
 * reads dev, prod reads qa, branch stacks read dev), and the offline plan answers stack references
 * with a placeholder for each of these keys.
 */
export const environmentOutputKeys = [
  "environment",
  "location",
  "subscriptionId",
  "resourceGroupName",
  "workspaceName",
  "workspaceId",
  "workspaceIdentityPrincipalId",
  "storageAccountName",
  "storageAccountId",
  "blobEndpoint",
  "defaultBlobContainer",
  "keyVaultId",
  "registryId",
  "registryLoginServer",
  "clusterNames",
  "clusterIds",
  "datastoreNames",
  "datastoreContainers",
  "onlineEndpointName",
  "batchEndpointName",
  "aksClusterName",
  "publishedPipelines",
  "promotedModels",
  // The origin's Azure ML registry (dev with `mlops:modelRegistry`; read by promotion.strategy: registry).
  "modelRegistryId",
  "modelRegistryName",
  "modelRegistryLocation",
] as const;

export type EnvironmentOutputKey = (typeof environmentOutputKeys)[number];
