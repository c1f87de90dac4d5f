import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { EnvironmentSpec } from "../config";
import { MlWorkspace } from "../../components/workspace";

/**
 * Composes one environment (dev, qa or prod) from its spec. Data flows one way: spec → components →
 * outputs; components get plain args and never read config.
 */
export function composeEnvironment(spec: EnvironmentSpec): Record<string, pulumi.Input<unknown>> {
  const client = authorization.getClientConfigOutput();
  const subscriptionId = spec.subscriptionId ?? client.subscriptionId;
  // Stateful resources are protected (prod by default) through the components' options.
  const stateful: pulumi.ComponentResourceOptions = { protect: spec.protect };

  const core = new MlWorkspace(
    `${spec.prefix}-${spec.environment}`,
    {
      location: spec.location,
      tags: spec.tags,
      names: spec.names,
      tenantId: client.tenantId,
      subscriptionId,
      networkMode: spec.network.mode,
      keyVault: spec.keyVault,
      registrySku: spec.registry.sku,
      // Shared keys stay on in dev for local tooling; datastores are identity-based everywhere.
      allowSharedKeyAccess: spec.environment === "dev",
      friendlyName: spec.workspace.friendlyName,
      description: spec.workspace.description,
      highBusinessImpact: spec.workspace.highBusinessImpact,
      ...(spec.workspace.imageBuildCluster
        ? { imageBuildCompute: spec.clusters.find((c) => c.key === spec.workspace.imageBuildCluster)?.name }
        : {}),
    },
    stateful,
  );

  return {
    environment: spec.environment,
    location: spec.location,
    subscriptionId,
    resourceGroupName: core.resourceGroupName,
    workspaceName: core.workspaceName,
    workspaceId: core.workspaceId,
    workspaceIdentityPrincipalId: core.identityPrincipalId,
    storageAccountName: core.storageAccountName,
    storageAccountId: core.storageAccountId,
    blobEndpoint: core.blobEndpoint,
    keyVaultId: core.keyVaultId,
    registryId: core.registryId,
    registryLoginServer: core.registryLoginServer,
  };
}
