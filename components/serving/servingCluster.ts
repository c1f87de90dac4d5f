import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as containerservice from "@pulumi/azure-native/containerservice";
import type { NodeKind } from "../../shared/kinds";
import { grantRole } from "../authorization/roles";
import { withoutInjectedDefaults } from "./withoutInjectedDefaults";
import { attachDiagnosticSettings, DiagnosticSettingOptions } from "../monitoring";

export interface NodePoolArgs {
  /** AKS pool name: lowercase letters and digits, ≤ 12. */
  name: string;
  kind: NodeKind;
  vmSize: string;
  minCount: number;
  maxCount: number;
}

export interface ServingClusterArgs {
  location: string;
  tags: Record<string, string>;
  /** The serving resource group, created here and owned by this environment alone. */
  resourceGroupName: string;
  /** Physical AKS cluster name. */
  clusterName: string;
  /** Pinned `major.minor[.patch]`; with `major.minor` AKS picks the latest supported patch. */
  kubernetesVersion: string;
  upgradeChannel: "patch" | "stable" | "rapid" | "node-image";
  /** The AKS subnet of the environment's own VNet. */
  subnetId: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  /** Entra tenant that signs users in to the cluster (Azure RBAC for Kubernetes authorization). */
  tenantId: pulumi.Input<string>;
  /** `private: true` gives the API server no public endpoint; otherwise only these ranges reach it. */
  apiServer: { private: boolean; authorizedIpRanges: string[] };
  systemPool: { vmSize: string; minCount: number; maxCount: number };
  userPools: NodePoolArgs[];
  /** Container insights and Defender send to the environment's Log Analytics workspace. */
  logAnalyticsWorkspaceId: pulumi.Input<string>;
  /** Production hardening that costs money: Standard tier (uptime SLA). */
  hardened: boolean;
  /** Defender for Containers sensor (`securityProfile.defender`), sending to the Log Analytics workspace. */
  defender?: boolean;
  /** Kubernetes authorization through Azure RBAC (the spec's default); off only as a named opt-out. */
  azureRbac: boolean;
  /** 'userAssignedNATGateway' when the subnet has a NAT gateway (egress from a known address). */
  outboundType?: "loadBalancer" | "userAssignedNATGateway" | "userDefinedRouting";
  /** Resource logs (kube-audit-admin, guard, API server, autoscaler by default). */
  diagnosticSettings?: DiagnosticSettingOptions[];
}

/** Taint and label every GPU pool carries, so only workloads that ask for GPUs land on it. */
export const GPU_TAINT = "sku=gpu:NoSchedule";

/** Service CIDR outside every environment's 10.x address space, so cluster IPs never shadow VNet IPs. */
const SERVICE_CIDR = "172.16.0.0/16";
const DNS_SERVICE_IP = "172.16.0.10";

/**
 * An AKS cluster isolated for one environment: its own resource group, its own control-plane
 * identity, nodes in the environment's own subnet, Entra ID sign-in with Azure RBAC, OIDC issuer and
 * workload identity, Azure CNI with network policy, an autoscaling system pool plus user pools
 * (GPU pools tainted), a pinned version with an auto-upgrade channel, and a private API server or
 * authorized IP ranges.
 */
export class ServingCluster extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly resourceGroupId: pulumi.Output<string>;
  readonly clusterId: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
  /** Object id of the kubelet identity (pulls images). */
  readonly kubeletObjectId: pulumi.Output<string | undefined>;
  readonly controlPlanePrincipalId: pulumi.Output<string>;
  /** The cluster and all its pools, for resources that must wait for the nodes. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ServingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:serving:ServingCluster", name, {}, opts);
    const { location, tags } = args;
    const child = { parent: this };

    const group = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: args.resourceGroupName, location, tags }, child);

    // A user-assigned control-plane identity can be granted the subnet before the cluster exists;
    // a system-assigned one would race its own role assignment on first create.
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: `id-${args.clusterName}`, resourceGroupName: group.name, location, tags },
      child,
    );
    const subnetAccess = grantRole(
      `${name}-subnet-network`,
      { scope: args.subnetId, principalId: identity.principalId, role: "NetworkContributor", subscriptionId: args.subscriptionId },
      child,
    );

    const isPrivate = args.apiServer.private;
    const systemOnlyCritical = args.userPools.length > 0;
    const cluster = new containerservice.ManagedCluster(
      `${name}-aks`,
      {
        resourceName: args.clusterName,
        resourceGroupName: group.name,
        location,
        dnsPrefix: args.clusterName,
        kubernetesVersion: args.kubernetesVersion,
        nodeResourceGroup: `${args.resourceGroupName}-nodes`,
        // Nobody edits the node resource group by hand; AKS alone manages it.
        nodeResourceGroupProfile: { restrictionLevel: containerservice.RestrictionLevel.ReadOnly },
        sku: { name: containerservice.ManagedClusterSKUName.Base, tier: args.hardened ? containerservice.ManagedClusterSKUTier.Standard : containerservice.ManagedClusterSKUTier.Free },
        identity: { type: containerservice.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        enableRBAC: true,
        aadProfile: { managed: true, enableAzureRBAC: args.azureRbac, tenantID: args.tenantId },
        // Waiver (CKV_AZURE_141, policy 993c2fcd, Azure.AKS.LocalAccounts): the Azure ML extension
        // does not support AKS clusters with local accounts disabled (MS Learn, "Deploy Azure Machine
        // Learning extension", limitations). Sign-in still goes through Entra ID with Azure RBAC.
        disableLocalAccounts: false,
        oidcIssuerProfile: { enabled: true },
        securityProfile: {
          workloadIdentity: { enabled: true },
          imageCleaner: { enabled: true, intervalHours: 168 },
          ...(args.defender ? { defender: { logAnalyticsWorkspaceResourceId: args.logAnalyticsWorkspaceId, securityMonitoring: { enabled: true } } } : {}),
        },
        apiServerAccessProfile: isPrivate
          ? {
              enablePrivateCluster: true,
              // The Azure ML extension does not support a private cluster with a public FQDN.
              enablePrivateClusterPublicFQDN: false,
              privateDNSZone: "system",
              // Command Invoke would let any holder of runCommand bypass the private API server
              // and Kubernetes RBAC (policy 89f2d532).
              disableRunCommand: true,
            }
          : {
              disableRunCommand: true,
              // Must include the Azure ML control-plane ranges of both paired regions, or the
              // extension cannot reach the API server.
              authorizedIPRanges: args.apiServer.authorizedIpRanges,
            },
        autoUpgradeProfile: {
          upgradeChannel: args.upgradeChannel,
          nodeOSUpgradeChannel: containerservice.NodeOSUpgradeChannel.NodeImage,
        },
        // Azure CNI without overlay gives pods VNet addresses from the node subnet: no podCidr (AKS
        // refuses one in this mode).
        networkProfile: {
          networkPlugin: containerservice.NetworkPlugin.Azure,
          networkPolicy: containerservice.NetworkPolicy.Azure,
          loadBalancerSku: containerservice.LoadBalancerSku.Standard,
          outboundType: args.outboundType ?? containerservice.OutboundType.LoadBalancer,
          serviceCidr: SERVICE_CIDR,
          dnsServiceIP: DNS_SERVICE_IP,
        },
        addonProfiles: {
          azurepolicy: { enabled: true },
          azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
          omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId, useAADAuth: "true" } },
        },
        // User pools are AgentPool resources: AKS refuses to add pools through the cluster itself.
        agentPoolProfiles: [
          {
            ...poolProfile({ name: "system", kind: "cpu", ...args.systemPool }, args.subnetId, args.kubernetesVersion),
            name: "system",
            mode: containerservice.AgentPoolMode.System,
            // With user pools present, only critical add-ons run on the system pool.
            ...(systemOnlyCritical ? { nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"] } : {}),
          },
        ],
        tags,
      },
      // The autoscaler owns the node count: `count` only seeds a new pool, and a refresh would
      // otherwise report the autoscaler's count as drift and the next `up` would reset it.
      {
        parent: this,
        dependsOn: [subnetAccess],
        ignoreChanges: ["agentPoolProfiles[0].count"],
        transformations: [withoutInjectedDefaults(["networkProfile.podCidr"])],
      },
    );

    const pools = args.userPools.map(
      (pool) =>
        new containerservice.AgentPool(
          `${name}-pool-${pool.name}`,
          {
            agentPoolName: pool.name,
            resourceName: cluster.name,
            resourceGroupName: group.name,
            ...poolProfile(pool, args.subnetId, args.kubernetesVersion),
            mode: containerservice.AgentPoolMode.User,
            ...(pool.kind === "gpu" ? { nodeTaints: [GPU_TAINT], nodeLabels: { accelerator: "nvidia" } } : {}),
          },
          { parent: this, ignoreChanges: ["count"] },
        ),
    );

    attachDiagnosticSettings(`${name}-aks`, "managedCluster", cluster.id, args.diagnosticSettings, child);

    this.resourceGroupName = group.name;
    this.resourceGroupId = group.id;
    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL);
    this.kubeletObjectId = cluster.identityProfile.apply((p) => p?.kubeletidentity?.objectId);
    this.controlPlanePrincipalId = identity.principalId;
    this.ready = [cluster, ...pools];
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
    });
  }
}

/** Settings every pool shares: autoscaling, nodes in the environment's subnet, no public IPs, encrypted host disks. */
function poolProfile(pool: NodePoolArgs, subnetId: pulumi.Input<string>, orchestratorVersion: string) {
  return {
    vmSize: pool.vmSize,
    osType: containerservice.OSType.Linux,
    enableAutoScaling: true,
    minCount: pool.minCount,
    maxCount: pool.maxCount,
    // Seeds the pool at its minimum; ignored afterwards (see ignoreChanges above).
    count: pool.minCount,
    vnetSubnetID: subnetId,
    enableNodePublicIP: false,
    // Prerequisite (README, "Serving prerequisites"): the subscription feature
    // Microsoft.Compute/EncryptionAtHost must be registered, or AKS refuses the pool.
    enableEncryptionAtHost: true,
    orchestratorVersion,
    upgradeSettings: { maxSurge: "33%" },
    // No SSH daemon on nodes (policy 28257686 flags a missing or 'LocalUser' sshAccess); node
    // debugging goes through `kubectl debug`, which Entra ID and Azure RBAC govern.
    securityProfile: { sshAccess: containerservice.AgentPoolSSHAccess.Disabled },
  };
}
