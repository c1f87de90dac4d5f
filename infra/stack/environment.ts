import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { EnvironmentSpec } from "../config";
import { MlWorkspace, WorkspaceOutboundRules } from "../../components/workspace";
import { ComputeCluster } from "../../components/compute";
import { DefenderPlans } from "../../components/security";
import { MlDatastore } from "../../components/datastore";
import { declareNetwork } from "./network";
import { declareServing } from "./serving";
import { declareCustomImage } from "./customImage";
import { declareIdentities } from "./identity";
import { declareApprovalRecorder, declarePromotion } from "./promotion";
import { declareModelRegistry, declareRegistryAccess } from "./modelRegistry";
import { declarePipelines, declareSchedules, PublishTarget } from "./pipelines";
import { logicalBase } from "../../shared/naming";

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
    logicalBase(spec),
    {
      location: spec.location,
      tags: spec.tags,
      names: spec.names,
      tenantId: client.tenantId,
      subscriptionId,
      networkMode: spec.network.mode,
      keyVault: spec.keyVault,
      registrySku: spec.registry.sku,
      optOuts: {
        ...(spec.workspace.publicNetworkAccess ? { workspacePublicNetworkAccess: spec.workspace.publicNetworkAccess } : {}),
        allowBlobPublicAccess: spec.storage.allowBlobPublicAccess,
        registryAdminUserEnabled: spec.registry.adminUserEnabled,
      },
      allowSharedKeyAccess: spec.storage.allowSharedKeyAccess,
      friendlyName: spec.workspace.friendlyName,
      description: spec.workspace.description,
      highBusinessImpact: spec.workspace.highBusinessImpact,
      logRetentionDays: spec.monitoring.logRetentionDays,
      customerManagedKey: spec.security.customerManagedKeys,
      ...(spec.monitoring.diagnosticSettings ? { diagnosticSettings: [{}] } : {}),
      ...(spec.workspace.imageBuildCompute ? { imageBuildCompute: spec.workspace.imageBuildCompute } : {}),
    },
    stateful,
  );

  // Subscription-wide Defender for Cloud plans (README "Security options": cost and prerequisites).
  if (spec.security.defenderPlans.length > 0) {
    new DefenderPlans(`${logicalBase(spec)}-defender`, { subscriptionId, plans: spec.security.defenderPlans });
  }

  // Approved-outbound managed network: the package hosts and storage endpoints the workloads need.
  if (spec.network.mode === "private") {
    new WorkspaceOutboundRules(`${spec.prefix}-${spec.environment}-outbound`, { resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName, storageAccountId: core.storageAccountId });
  }

  const clusters = spec.clusters.map(
    (c) =>
      new ComputeCluster(
        `${logicalBase(spec)}-${c.key}`,
        {
          resourceGroupName: core.resourceGroupName,
          workspaceName: core.workspaceName,
          location: spec.location,
          computeName: c.name,
          kind: c.kind,
          vmSize: c.vmSize,
          priority: c.priority,
          nodePublicIp: c.nodePublicIp,
          minNodes: c.minNodes,
          maxNodes: c.maxNodes,
          idleTimeBeforeScaleDown: c.idleTimeBeforeScaleDown,
          description: c.description,
          tags: spec.tags,
          // Private mode uses the workspace's managed VNet, so clusters get no customer subnet
          // (one network model per environment).
          access: { subscriptionId, storageAccountId: core.storageAccountId, registryId: core.registryId, keyVaultId: core.keyVaultId },
        },
      ),
  );

  const datastores = spec.datastores.map(
    (d) =>
      new MlDatastore(`${logicalBase(spec)}-ds-${d.name}`, {
        resourceGroupName: core.resourceGroupName,
        workspaceName: core.workspaceName,
        storageAccountName: core.storageAccountName,
        subscriptionId,
        datastoreName: d.name,
        containerName: d.container,
        description: d.description,
        tags: spec.tags,
      }),
  );

  const target: PublishTarget = {
    workspace: { subscriptionId, resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName },
    storage: { blobEndpoint: core.blobEndpoint, container: core.defaultBlobContainer },
  };
  // Steps name clusters, so publish after they exist.
  const pipelines = declarePipelines(spec, target, { dependsOn: clusters });
  declareSchedules(spec, target, pipelines.published);

  const promotion = declarePromotion(spec, core, { subscriptionId });
  // The origin (dev) declares the registry of the registry promotion strategy.
  const modelRegistry = declareModelRegistry(spec, core.resourceGroupName);
  // The online endpoint serves the first promoted model; its version follows promotion and rollback.
  // With the registry strategy batch scoring references the registry version.
  const served = promotion?.models[0];
  const servedUri = promotion?.batchModelUris?.[0];
  const network = declareNetwork(spec, promotion?.registry ? { ...core, modelRegistryId: promotion.registry.id } : core);
  const serving = declareServing(spec, core, network, {
    subscriptionId,
    tenantId: client.tenantId,
    ...(served ? { model: { name: served.modelName, version: served.version, ...(servedUri ? { uri: servedUri } : {}) } } : {}),
    ...(pipelines.published.scoring ? { scoringPipelineComponentId: pipelines.published.scoring.pipelineComponentId } : {}),
  });
  // The promoted model outside Azure ML: its image follows the promoted version like the endpoint does.
  const customModel = spec.customImage ? promotion?.models[spec.promotion!.models.findIndex((m) => m.name === spec.customImage!.model)] : undefined;
  const customImage = declareCustomImage(spec, core, network, { subscriptionId, ...(customModel ? { version: customModel.version } : {}) });
  const identities = declareIdentities(spec, core, {
    subscriptionId,
    ...(serving ? { servingResourceGroupId: serving.resourceGroupId } : {}),
    // The registry strategy never reads the origin's storage (the registry service does).
    ...(promotion ? { upstream: promotion.registry ? { workspaceId: promotion.origin.workspaceId } : promotion.origin } : {}),
  });
  // qa's approvals are what production promotes: its CI records them on the origin versions.
  if (promotion && spec.promotion?.recordsApprovals && identities.ciServicePrincipalObjectId) {
    declareApprovalRecorder(spec, promotion.origin.workspaceId, identities.ciServicePrincipalObjectId);
  }
  if (promotion?.registry) {
    declareRegistryAccess(spec, {
      registryId: promotion.registry.id,
      resourceGroupName: core.resourceGroupName,
      workspaceName: core.workspaceName,
      principals: [
        ...(identities.ciServicePrincipalObjectId ? [{ key: "ci", principalId: identities.ciServicePrincipalObjectId, type: "ServicePrincipal" as const }] : []),
        { key: "workspace", principalId: core.identityPrincipalId, type: "ServicePrincipal" as const },
      ],
    });
  }

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
    defaultBlobContainer: core.defaultBlobContainer,
    publishedPipelines: pipelines.outputs,
    keyVaultId: core.keyVaultId,
    registryId: core.registryId,
    registryLoginServer: core.registryLoginServer,
    // Pipeline steps name clusters by config key; the map gives their physical names.
    clusterNames: Object.fromEntries(spec.clusters.map((c, i) => [c.key, clusters[i].computeName])),
    clusterIds: Object.fromEntries(spec.clusters.map((c, i) => [c.key, clusters[i].computeId])),
    datastoreNames: datastores.map((d) => d.datastoreName),
    datastoreContainers: Object.fromEntries(spec.datastores.map((d, i) => [d.name, datastores[i].containerName])),
    ...(promotion ? { promotedModels: Object.fromEntries(promotion.models.map((m, i) => [spec.promotion!.models[i].name, { version: m.version, modelId: m.modelId, contentHash: m.contentHash, ...(promotion.batchModelUris ? { registryModelUri: promotion.batchModelUris[i] } : {}) }])) } : {}),
    ...(promotion?.exports.length ? { exportedModels: promotion.exports.map((e) => ({ model: e.modelName, url: e.url })) } : {}),
    ...(modelRegistry ? { modelRegistryId: modelRegistry.id, modelRegistryName: modelRegistry.name, modelRegistryLocation: modelRegistry.location } : {}),
    ...(network.ciRunnerResourceId ? { ciRunnerResourceId: network.ciRunnerResourceId } : {}),
    ...(identities.secretsProvider ? { secretsProvider: identities.secretsProvider } : {}),
    ...(identities.ciClientId ? { ciClientId: identities.ciClientId } : {}),
    ...(identities.auditClientId ? { auditClientId: identities.auditClientId } : {}),
    ...(customImage ? { customImage: { image: customImage.image, containerAppName: customImage.containerAppName, fqdn: customImage.fqdn } } : {}),
    ...(serving ? { aksClusterName: serving.aksClusterName, onlineEndpointName: serving.onlineEndpointName, ...(serving.batchEndpointName ? { batchEndpointName: serving.batchEndpointName } : {}) } : {}),
  };
}
