import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface EnvironmentNetworkArgs {
  /** Resource group of the environment the network belongs to (never another environment's). */
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  /** Physical VNet name, derived by shared/naming. */
  virtualNetworkName: string;
  /** The environment's own address space; environments are never peered. */
  addressSpace: string;
  /** Subnet CIDRs inside `addressSpace`; a subnet is declared only when its CIDR is given. */
  subnets: {
    /** Private endpoints of the workspace and its dependencies. */
    privateEndpoints?: string;
    /** AKS nodes and pods (Azure CNI gives every pod a VNet address). */
    aks?: string;
    /** The Container Apps environment serving the custom image: dedicated, delegated to Microsoft.App/environments. */
    containerApps?: string;
    /** The ACR Tasks agent pool that builds the custom image inside the network. */
    imageBuild?: string;
  };
  /**
   * AKS egress through a NAT gateway with one static public IP (Standard SKU) on the AKS subnet,
   * which also loses Azure's implicit default outbound access. The cluster must then use
   * outboundType 'userAssignedNATGateway' (MS Learn, "Create a managed or user-assigned NAT gateway
   * for your AKS cluster").
   */
  aksNatGateway?: { name: string; publicIpName: string };
  /**
   * AKS egress filtered by Azure Firewall (replaces the NAT gateway): the firewall in its own
   * `AzureFirewallSubnet` (/26 or larger, no NSG: Azure refuses one there), a firewall policy that
   * allows only `ruleCollections`, and a route table sending the AKS subnet's 0.0.0.0/0 to the
   * firewall's private address. The cluster must then use outboundType 'userDefinedRouting'
   * (MS Learn, "Limit network traffic with Azure Firewall in AKS"; "Customize cluster egress with
   * outbound types").
   */
  aksEgressFirewall?: {
    subnet: string;
    firewallName: string;
    publicIpName: string;
    policyName: string;
    routeTableName: string;
    ruleCollections: network.FirewallPolicyRuleCollectionGroupArgs["ruleCollections"];
  };
}

/**
 * The environment's own virtual network: one VNet per environment, no peering, one subnet per role,
 * each behind its own network security group (Azure's default rules deny inbound from the internet).
 */
export class EnvironmentNetwork extends pulumi.ComponentResource {
  readonly virtualNetworkId: pulumi.Output<string>;
  readonly virtualNetworkName: pulumi.Output<string>;
  readonly privateEndpointsSubnetId?: pulumi.Output<string>;
  readonly aksSubnetId?: pulumi.Output<string>;
  readonly aksNatGatewayId?: pulumi.Output<string>;
  readonly aksFirewallId?: pulumi.Output<string>;
  readonly containerAppsSubnetId?: pulumi.Output<string>;
  readonly imageBuildSubnetId?: pulumi.Output<string>;

  constructor(name: string, args: EnvironmentNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:network:EnvironmentNetwork", name, {}, opts);
    const { resourceGroupName, location, tags } = args;

    // Subnets are separate resources, not inline `subnets`, so adding one never rewrites the VNet.
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        virtualNetworkName: args.virtualNetworkName,
        resourceGroupName,
        location,
        addressSpace: { addressPrefixes: [args.addressSpace] },
        tags,
      },
      { parent: this },
    );

    const subnet = (role: string, cidr: string, extra: Partial<network.SubnetArgs>, after?: pulumi.Resource) => {
      const nsg = new network.NetworkSecurityGroup(
        `${name}-${role}-nsg`,
        { networkSecurityGroupName: `nsg-${args.virtualNetworkName}-${role}`, resourceGroupName, location, tags },
        { parent: this },
      );
      return new network.Subnet(
        `${name}-${role}-subnet`,
        {
          subnetName: `snet-${role}`,
          virtualNetworkName: vnet.name,
          resourceGroupName,
          addressPrefix: cidr,
          networkSecurityGroup: { id: nsg.id },
          ...extra,
        },
        // Azure rejects concurrent writes to subnets of one VNet (AnotherOperationInProgress): chain them.
        { parent: this, ...(after ? { dependsOn: [after] } : {}) },
      );
    };

    const pe = args.subnets.privateEndpoints
      ? subnet("pe", args.subnets.privateEndpoints, {
          // NSG rules apply to private endpoints only with network policies on.
          privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
          // Private endpoints need no outbound path at all.
          defaultOutboundAccess: false,
        })
      : undefined;
    const fw = args.subnets.aks && args.aksEgressFirewall ? this.egressFirewall(name, args, args.aksEgressFirewall, vnet, pe) : undefined;
    let nat: network.NatGateway | undefined;
    // With the firewall the NAT gateway stays for the CI runners' subnet (their egress is general
    // HTTPS, which the AKS allow-list must not widen), but the AKS subnet routes to the firewall.
    if (args.subnets.aks && args.aksNatGateway) {
      const ip = this.staticPublicIp(`${name}-aks-egress-ip`, args.aksNatGateway.publicIpName, args);
      nat = new network.NatGateway(
        `${name}-aks-nat`,
        {
          natGatewayName: args.aksNatGateway.name,
          resourceGroupName,
          location,
          sku: { name: network.NatGatewaySkuName.Standard },
          publicIpAddresses: [{ id: ip.id }],
          idleTimeoutInMinutes: 4,
          tags,
        },
        { parent: this },
      );
    }
    const aks = args.subnets.aks
      ? subnet(
          "aks",
          args.subnets.aks,
          // Egress leaves through the NAT gateway's known address, never through Azure's implicit
          // default outbound access (MS Learn, "Default outbound access in Azure": being retired,
          // private subnets recommended).
          fw ? { routeTable: { id: fw.routeTable.id }, defaultOutboundAccess: false } : nat ? { natGateway: { id: nat.id }, defaultOutboundAccess: false } : {},
          fw?.subnet ?? pe,
        )
      : undefined;

    // Both reach the registry and storage through the private endpoints and pull base images from
    // MCR, so they share the NAT gateway's egress where there is one.
    const egress = nat ? { natGateway: { id: nat.id }, defaultOutboundAccess: false } : {};
    const apps = args.subnets.containerApps
      ? subnet(
          "apps",
          args.subnets.containerApps,
          {
            ...egress,
            // A workload-profiles environment takes a dedicated subnet delegated to
            // Microsoft.App/environments (MS Learn, Container Apps "Virtual network configuration").
            delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
          },
          aks ?? pe,
        )
      : undefined;
    // ACR Tasks agent pools take a plain subnet (no delegation); the pool's outbound needs are
    // listed in MS Learn, "Run an ACR task on a dedicated agent pool" (virtual network support).
    const build = args.subnets.imageBuild ? subnet("build", args.subnets.imageBuild, egress, apps ?? aks ?? pe) : undefined;

    this.virtualNetworkId = vnet.id;
    this.containerAppsSubnetId = apps?.id;
    this.imageBuildSubnetId = build?.id;
    this.virtualNetworkName = vnet.name;
    this.privateEndpointsSubnetId = pe?.id;
    this.aksSubnetId = aks?.id;
    this.aksNatGatewayId = nat?.id;
    this.aksFirewallId = fw?.firewall.id;
    this.registerOutputs({
      virtualNetworkId: this.virtualNetworkId,
      privateEndpointsSubnetId: this.privateEndpointsSubnetId,
      aksSubnetId: this.aksSubnetId,
    });
  }

  /**
   * The egress address of a NAT gateway or firewall: Standard SKU, static, IPv4. Both refuse a Basic IP
   * ("Azure NAT Gateway resource": Standard public IPs only; "Deploy and configure Azure Firewall":
   * a Standard static public IP).
   */
  private staticPublicIp(logicalName: string, publicIpAddressName: string, args: EnvironmentNetworkArgs): network.PublicIPAddress {
    return new network.PublicIPAddress(
      logicalName,
      {
        publicIpAddressName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: network.PublicIPAddressSkuName.Standard, tier: network.PublicIPAddressSkuTier.Regional },
        publicIPAllocationMethod: network.IPAllocationMethod.Static,
        publicIPAddressVersion: network.IPVersion.IPv4,
        tags: args.tags,
      },
      { parent: this },
    );
  }

  private egressFirewall(
    name: string,
    args: EnvironmentNetworkArgs,
    fw: NonNullable<EnvironmentNetworkArgs["aksEgressFirewall"]>,
    vnet: network.VirtualNetwork,
    after?: pulumi.Resource,
  ) {
    const { resourceGroupName, location, tags } = args;
    const child = { parent: this };
    const subnet = new network.Subnet(
      `${name}-firewall-subnet`,
      // The name is fixed by Azure; the firewall has its own public IP, so no default outbound access.
      { subnetName: "AzureFirewallSubnet", virtualNetworkName: vnet.name, resourceGroupName, addressPrefix: fw.subnet, defaultOutboundAccess: false },
      { parent: this, ...(after ? { dependsOn: [after] } : {}) },
    );
    const ip = this.staticPublicIp(`${name}-firewall-ip`, fw.publicIpName, args);
    const policy = new network.FirewallPolicy(
      `${name}-firewall-policy`,
      { firewallPolicyName: fw.policyName, resourceGroupName, location, sku: { tier: network.FirewallPolicySkuTier.Standard }, threatIntelMode: network.AzureFirewallThreatIntelMode.Deny, tags },
      child,
    );
    const rules = new network.FirewallPolicyRuleCollectionGroup(
      `${name}-firewall-rules`,
      { ruleCollectionGroupName: "aks-egress", firewallPolicyName: policy.name, resourceGroupName, priority: 200, ruleCollections: fw.ruleCollections },
      child,
    );
    const firewall = new network.AzureFirewall(
      `${name}-firewall`,
      {
        azureFirewallName: fw.firewallName,
        resourceGroupName,
        location,
        sku: { name: network.AzureFirewallSkuName.AZFW_VNet, tier: network.AzureFirewallSkuTier.Standard },
        firewallPolicy: { id: policy.id },
        ipConfigurations: [{ name: "egress", subnet: { id: subnet.id }, publicIPAddress: { id: ip.id } }],
        tags,
      },
      { parent: this, dependsOn: [rules] },
    );
    const privateIp = firewall.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
    const routeTable = new network.RouteTable(
      `${name}-aks-routes`,
      {
        routeTableName: fw.routeTableName,
        resourceGroupName,
        location,
        routes: [{ name: "internet-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: network.RouteNextHopType.VirtualAppliance, nextHopIpAddress: privateIp }],
        tags,
      },
      child,
    );
    return { subnet, firewall, routeTable };
  }
}
