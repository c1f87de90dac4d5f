import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { aksEgressRuleCollections, EnvironmentNetwork, PrivateLinks, PrivateLinkGroup, PrivateLinkTarget, VnetFlowLog } from "../../components/network";
import { MonitorPrivateLinkScope } from "../../components/monitoring";
import { logicalBase } from "../../shared/naming";
import { CiRunners } from "../../components/ciRunners";
import type { MlWorkspace } from "../../components/workspace";

/** What the network takes of the environment's workspace, and the origin's registry (promotion strategy `registry`). */
export type NetworkCore = Pick<MlWorkspace, "resourceGroupName" | "workspaceId" | "storageAccountId" | "keyVaultId" | "registryId" | "logAnalyticsId" | "appInsightsId" | "identityId"> & {
  /** The origin's Azure ML registry: reached through a private endpoint here. */
  modelRegistryId?: pulumi.Input<string>;
};

export interface NetworkOutputs {
  mode: "public" | "private";
  /** Present when the environment has a VNet (private mode, or serving enabled). */
  virtualNetworkId?: pulumi.Output<string>;
  aksSubnetId?: pulumi.Output<string>;
  /** Set when AKS egress goes through a NAT gateway on its subnet. */
  aksNatGatewayId?: pulumi.Output<string>;
  /** Set when AKS egress is routed through the environment's Azure Firewall. */
  aksFirewallId?: pulumi.Output<string>;
  privateEndpointsSubnetId?: pulumi.Output<string>;
  /** Private DNS zone name → id (private mode). */
  privateDnsZoneIds: Record<string, pulumi.Output<string>>;
  /** Private Link group id → private endpoint id (private mode). */
  privateEndpointIds: Partial<Record<PrivateLinkGroup, pulumi.Output<string>>>;
  /** The custom image's Container Apps environment (delegated) and ACR Tasks agent pool subnets. */
  containerAppsSubnetId?: pulumi.Output<string>;
  imageBuildSubnetId?: pulumi.Output<string>;
  /** The CI runners inside this network (qa, prod when configured): GitHub network settings or pool id. */
  ciRunnerResourceId?: pulumi.Output<string>;
}

function needsVirtualNetwork(spec: EnvironmentSpec): boolean {
  return spec.network.mode === "private" || spec.serving !== null || spec.runners !== null || spec.customImage !== null;
}

/** Each dependency's private endpoints, named by the spec (the registry's only where the spec names one). */
function privateLinkTargets(spec: EnvironmentSpec, core: NetworkCore, monitorScopeId?: pulumi.Input<string>): PrivateLinkTarget[] {
  const pe = spec.network.names.privateEndpoints;
  return [
    { endpointName: pe.amlworkspace, resourceId: core.workspaceId, groupId: "amlworkspace" },
    { endpointName: pe.blob, resourceId: core.storageAccountId, groupId: "blob" },
    { endpointName: pe.file, resourceId: core.storageAccountId, groupId: "file" },
    { endpointName: pe.vault, resourceId: core.keyVaultId, groupId: "vault" },
    ...(pe.registry ? [{ endpointName: pe.registry, resourceId: core.registryId, groupId: "registry" as const }] : []),
    ...(monitorScopeId ? [{ endpointName: pe.azuremonitor, resourceId: monitorScopeId, groupId: "azuremonitor" as const }] : []),
    // The origin's registry, from this environment's own VNet ("Network isolation with Azure Machine
    // Learning registries": group id `amlregistry`, zone privatelink.api.azureml.ms).
    ...(core.modelRegistryId ? [{ endpointName: pe.amlregistry, resourceId: core.modelRegistryId, groupId: "amlregistry" as const }] : []),
  ];
}

/**
 * The environment's network. `private` mode: its own VNet, private endpoints with private DNS zones
 * for the workspace, storage (blob, file), key vault and registry (the core already closes their
 * public access and gives the workspace a managed VNet that allows only approved outbound).
 * `public` mode: no VNet unless serving needs one for its AKS nodes.
 */
export function declareNetwork(spec: EnvironmentSpec, core: NetworkCore, opts?: pulumi.ComponentResourceOptions): NetworkOutputs {
  const outputs: NetworkOutputs = { mode: spec.network.mode, privateDnsZoneIds: {}, privateEndpointIds: {} };
  if (!needsVirtualNetwork(spec)) return outputs;

  const base = logicalBase(spec);
  const subnets = spec.network.subnets;
  const vnet = new EnvironmentNetwork(
    `${base}-network`,
    {
      resourceGroupName: core.resourceGroupName,
      location: spec.location,
      tags: spec.tags,
      virtualNetworkName: spec.names.virtualNetwork,
      addressSpace: spec.network.addressSpace!,
      subnets: {
        ...(spec.network.mode === "private" ? { privateEndpoints: subnets.privateEndpoints } : {}),
        ...(spec.serving ? { aks: subnets.aks } : {}),
        ...(spec.customImage ? { containerApps: subnets.containerApps, ...(spec.customImage.agentPool ? { imageBuild: subnets.imageBuild } : {}) } : {}),
      },
      // Private environments send AKS egress through a NAT gateway (known address, no default
      // outbound access); public ones keep the cluster's load balancer.
      ...(spec.serving && spec.security.egressFirewall
        ? {
            aksEgressFirewall: {
              subnet: subnets.firewall!,
              firewallName: `afw-${spec.names.virtualNetwork}`,
              publicIpName: `pip-${spec.names.virtualNetwork}-afw`,
              policyName: `afwp-${spec.names.virtualNetwork}`,
              routeTableName: `rt-${spec.names.virtualNetwork}-aks`,
              ruleCollections: aksEgressRuleCollections({
                region: spec.location,
                sourceCidr: subnets.aks!,
                privateCluster: spec.serving.privateCluster,
                registryName: spec.names.containerRegistry,
                storageAccountName: spec.names.storageAccount,
                ...(spec.serving.instanceTypeSource ? { gitopsRepositoryHost: new URL(spec.serving.instanceTypeSource.repositoryUrl).host } : {}),
              }),
            },
          }
        : {}),
      ...(spec.serving && spec.network.mode === "private"
        ? { aksNatGateway: { name: spec.network.names.natGateway, publicIpName: spec.network.names.natPublicIp } }
        : {}),
    },
    opts,
  );
  outputs.virtualNetworkId = vnet.virtualNetworkId;
  outputs.aksSubnetId = vnet.aksSubnetId;
  outputs.aksNatGatewayId = vnet.aksNatGatewayId;
  outputs.aksFirewallId = vnet.aksFirewallId;
  outputs.privateEndpointsSubnetId = vnet.privateEndpointsSubnetId;
  outputs.containerAppsSubnetId = vnet.containerAppsSubnetId;
  outputs.imageBuildSubnetId = vnet.imageBuildSubnetId;

  if (spec.security.flowLogs) {
    new VnetFlowLog(
      `${base}-flowlog`,
      {
        location: spec.location,
        tags: spec.tags,
        virtualNetworkId: vnet.virtualNetworkId,
        // One Network Watcher per region holds every stack's flow logs: the VNet name keeps them apart.
        flowLogName: `fl-${spec.names.virtualNetwork}`,
        storageAccountId: core.storageAccountId,
        identityId: core.identityId,
        retentionDays: spec.monitoring.logRetentionDays,
      },
      opts,
    );
  }

  if (spec.network.mode === "private") {
    // The monitoring plane goes private too: Log Analytics and Application Insights accept
    // ingestion and queries only through this scope's private endpoint (the core turns their
    // public access off in private mode).
    const monitorScope = new MonitorPrivateLinkScope(
      `${base}-monitor-scope`,
      {
        resourceGroupName: core.resourceGroupName,
        tags: spec.tags,
        scopeName: spec.network.names.monitorScope,
        scopedResources: [
          { key: "logs", id: core.logAnalyticsId },
          { key: "insights", id: core.appInsightsId },
        ],
      },
      opts,
    );
    const links = new PrivateLinks(
      `${base}-private-links`,
      {
        resourceGroupName: core.resourceGroupName,
        location: spec.location,
        tags: spec.tags,
        virtualNetworkId: vnet.virtualNetworkId,
        subnetId: vnet.privateEndpointsSubnetId!,
        targets: privateLinkTargets(spec, core, monitorScope.scopeId),
      },
      opts,
    );
    outputs.privateDnsZoneIds = links.dnsZoneIds;
    outputs.privateEndpointIds = links.endpointIds;
  }

  const r = spec.runners;
  if (r) {
    const runners = new CiRunners(
      `${base}-runners`,
      {
        resourceGroupName: core.resourceGroupName,
        location: spec.location,
        tags: spec.tags,
        virtualNetworkName: spec.names.virtualNetwork,
        subnetName: r.names.subnet,
        subnetCidr: r.subnet,
        nsgName: r.names.nsg,
        // The environment's NAT gateway (private mode with serving) is the runners' egress too.
        natGatewayId: vnet.aksNatGatewayId,
        runners:
          r.kind === "githubHosted"
            ? { kind: r.kind, networkSettingsName: r.names.networkSettings, businessId: r.businessId }
            : {
                kind: r.kind,
                poolName: r.names.pool,
                organizationUrl: r.organizationUrl,
                projects: r.projects,
                devCenterProjectResourceId: r.devCenterProjectResourceId,
                maximumConcurrency: r.maximumConcurrency,
                vmSize: r.vmSize,
                image: r.image,
              },
      },
      // After the VNet's other subnets: Azure refuses concurrent subnet writes on one VNet.
      { ...opts, dependsOn: [vnet] },
    );
    outputs.ciRunnerResourceId = runners.runnerResourceId;
  }
  return outputs;
}
