import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { AmlKubernetesCompute, ServedModel, ServingCluster, ServingEndpoints } from "../../components/serving";
import type { NetworkOutputs } from "./network";
import { logicalBase } from "../naming";

/** What serving needs from the environment core (`MlWorkspace`): this environment's, nobody else's. */
export interface ServingCore {
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  workspaceId: pulumi.Input<string>;
  storageAccountId: pulumi.Input<string>;
  registryId: pulumi.Input<string>;
  identityPrincipalId: pulumi.Input<string>;
  logAnalyticsId: pulumi.Input<string>;
}

export interface ServingInputs {
  subscriptionId: pulumi.Input<string>;
  /** Entra tenant for the cluster's Entra ID integration. */
  tenantId: pulumi.Input<string>;
  /**
   * The model version to serve, registered in this environment's workspace (the promoted model).
   * Without it, a config-pinned `serving.onlineEndpoint.model` with a version is served; with neither,
   * the endpoint has no deployment yet.
   */
  model?: ServedModel;
  /** ARM id of the batch scoring pipeline component published into this workspace. */
  scoringPipelineComponentId?: pulumi.Input<string>;
  /** Overrides the inference router's HTTPS from config (`serving.tls`: cname, secretName). */
  tls?: { cname: pulumi.Input<string>; secretName: pulumi.Input<string> };
}

export interface ServingOutputs {
  resourceGroupName: pulumi.Output<string>;
  resourceGroupId: pulumi.Output<string>;
  aksClusterId: pulumi.Output<string>;
  aksClusterName: pulumi.Output<string>;
  aksOidcIssuerUrl: pulumi.Output<string | undefined>;
  kubernetesComputeId: pulumi.Output<string>;
  kubernetesComputeName: pulumi.Output<string>;
  onlineEndpointName: pulumi.Output<string>;
  onlineEndpointId: pulumi.Output<string>;
  onlineDeploymentId?: pulumi.Output<string>;
  batchEndpointName?: pulumi.Output<string>;
  batchEndpointId?: pulumi.Output<string>;
}

/** Kubernetes namespace the endpoints run in: it exists in every cluster, so the attach never waits on it. */
const ENDPOINT_NAMESPACE = "default";
/** The online endpoint's deployment slot; the served model version changes, the slot does not. */
const ONLINE_SLOT = "live";
const BATCH_SLOT = "scoring";

/**
 * Serving for one environment, isolated from every other: its own AKS cluster in its own resource
 * group and subnet of its own VNet, the Azure ML extension, the cluster attached to this
 * environment's workspace as a Kubernetes compute, an online endpoint serving the model and a batch
 * endpoint for the scoring pipeline. Returns undefined when the environment has no serving.
 *
 * The AKS cluster is stateful: it is protected when the spec says so (prod).
 */
export function declareServing(
  spec: EnvironmentSpec,
  core: ServingCore,
  network: NetworkOutputs,
  inputs: ServingInputs,
  opts?: pulumi.ComponentResourceOptions,
): ServingOutputs | undefined {
  const s = spec.serving;
  if (!s) return undefined;
  if (!network.aksSubnetId) {
    // infra/config rejects serving without `network.subnets.aks`; reaching this is a wiring bug.
    throw new Error("internal: serving is enabled but the network declared no AKS subnet");
  }
  const base = logicalBase(spec);
  const isPrivate = spec.network.mode === "private";

  const cluster = new ServingCluster(
    `${base}-aks`,
    {
      location: spec.location,
      tags: spec.tags,
      resourceGroupName: spec.names.servingResourceGroup,
      clusterName: spec.names.aksCluster,
      kubernetesVersion: s.kubernetesVersion,
      upgradeChannel: s.upgradeChannel,
      subnetId: network.aksSubnetId,
      subscriptionId: inputs.subscriptionId,
      tenantId: inputs.tenantId,
      apiServer: { private: s.privateCluster, authorizedIpRanges: s.authorizedIpRanges },
      systemPool: s.systemPool,
      userPools: s.userPools,
      logAnalyticsWorkspaceId: core.logAnalyticsId,
      hardened: spec.environment === "prod",
      azureRbac: s.azureRbac,
      ...(network.aksNatGatewayId ? { outboundType: "userAssignedNATGateway" as const } : {}),
      ...(spec.monitoring.diagnosticSettings ? { diagnosticSettings: [{ workspaceResourceId: core.logAnalyticsId }] } : {}),
    },
    pulumi.mergeOptions(opts, { protect: spec.protect }),
  );

  // Three router replicas need three nodes where workloads may run (user pools when there are any).
  const cpuPools = s.userPools.filter((p) => p.kind === "cpu");
  const workloadNodes = s.userPools.length > 0 ? cpuPools.reduce((n, p) => n + p.minCount, 0) : s.systemPool.minCount;
  const compute = new AmlKubernetesCompute(
    `${base}-aml-k8s`,
    {
      location: spec.location,
      tags: spec.tags,
      subscriptionId: inputs.subscriptionId,
      cluster: {
        resourceGroupName: cluster.resourceGroupName,
        clusterName: cluster.clusterName,
        clusterId: cluster.clusterId,
        kubeletObjectId: cluster.kubeletObjectId,
        ready: cluster.ready,
      },
      workspace: {
        resourceGroupName: core.resourceGroupName,
        workspaceName: core.workspaceName,
        identityPrincipalId: core.identityPrincipalId,
        registryId: core.registryId,
      },
      computeName: spec.names.kubernetesCompute,
      namespace: ENDPOINT_NAMESPACE,
      instanceTypes: s.instanceTypes,
      defaultInstanceType: s.onlineEndpoint.instanceType,
      inference: {
        internalLoadBalancer: isPrivate,
        highAvailability: workloadNodes >= 3,
        gpu: s.userPools.some((p) => p.kind === "gpu"),
        tls: inputs.tls ?? s.tls,
      },
    },
    opts,
  );

  const pinned = s.onlineEndpoint.model;
  const model = inputs.model ?? (pinned?.version ? { name: pinned.name, version: pinned.version } : undefined);
  const batchCluster = s.batchEndpoint.clusterKey ? spec.clusters.find((c) => c.key === s.batchEndpoint.clusterKey)?.name : undefined;
  const endpoints = new ServingEndpoints(
    `${base}-endpoints`,
    {
      location: spec.location,
      tags: spec.tags,
      subscriptionId: inputs.subscriptionId,
      workspace: {
        resourceGroupName: core.resourceGroupName,
        workspaceName: core.workspaceName,
        workspaceId: core.workspaceId,
        storageAccountId: core.storageAccountId,
        registryId: core.registryId,
      },
      identityResourceGroupName: cluster.resourceGroupName,
      online: {
        name: s.onlineEndpoint.name,
        computeId: compute.computeId,
        authMode: s.onlineEndpoint.authMode,
        publicNetworkAccess: isPrivate ? "Disabled" : "Enabled",
        instanceType: s.onlineEndpoint.instanceType,
        instanceCount: s.onlineEndpoint.instanceCount,
        deploymentName: ONLINE_SLOT,
        ...(model ? { model } : {}),
      },
      ...(s.batchEndpoint.enabled
        ? {
            batch: {
              name: s.batchEndpoint.name,
              deploymentName: BATCH_SLOT,
              ...(inputs.scoringPipelineComponentId ? { pipelineComponentId: inputs.scoringPipelineComponentId } : {}),
              ...(batchCluster ? { defaultCompute: batchCluster } : {}),
            },
          }
        : {}),
    },
    opts,
  );

  return {
    resourceGroupName: cluster.resourceGroupName,
    resourceGroupId: cluster.resourceGroupId,
    aksClusterId: cluster.clusterId,
    aksClusterName: cluster.clusterName,
    aksOidcIssuerUrl: cluster.oidcIssuerUrl,
    kubernetesComputeId: compute.computeId,
    kubernetesComputeName: compute.computeName,
    onlineEndpointName: endpoints.onlineEndpointName,
    onlineEndpointId: endpoints.onlineEndpointId,
    ...(endpoints.onlineDeploymentId ? { onlineDeploymentId: endpoints.onlineDeploymentId } : {}),
    ...(endpoints.batchEndpointName ? { batchEndpointName: endpoints.batchEndpointName, batchEndpointId: endpoints.batchEndpointId! } : {}),
  };
}
