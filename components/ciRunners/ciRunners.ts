import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as devopsinfrastructure from "@pulumi/azure-native/devopsinfrastructure";

/**
 * GitHub-hosted runners with Azure private networking: the network settings resource binds a
 * subnet (delegated to `GitHub.Network/networkSettings`, same region and subscription) to a GitHub
 * organization or enterprise (`businessId`, its GraphQL databaseId). azure-native 3.28 has no
 * `github` module, so it is a generic resource with the type's own api-version (Azure resource
 * reference "GitHub.Network networkSettings", 2024-04-02: properties `businessId`, `subnetId`).
 */
export interface GithubHostedRunners {
  kind: "githubHosted";
  networkSettingsName: string;
  businessId: string;
}

/**
 * An Azure DevOps Managed DevOps Pool (`Microsoft.DevOpsInfrastructure/pools`) whose agents get
 * their NICs in the subnet (delegated to `Microsoft.DevOpsInfrastructure/pools`).
 */
export interface ManagedDevOpsPoolRunners {
  kind: "managedDevOpsPool";
  poolName: string;
  organizationUrl: string;
  projects: string[];
  devCenterProjectResourceId: string;
  maximumConcurrency: number;
  vmSize: string;
  image: string;
}

export interface CiRunnersArgs {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  /** The environment's own VNet, which holds its private endpoints. */
  virtualNetworkName: pulumi.Input<string>;
  subnetName: string;
  subnetCidr: string;
  nsgName: string;
  /**
   * The environment's NAT gateway, the subnet's explicit egress. Runners must reach GitHub and the
   * other Actions endpoints outbound (GitHub Docs, "About Azure private networking for GitHub-hosted
   * runners" and its troubleshooting page, "Runner failed to connect to the internet"); Azure's
   * implicit default outbound access is being retired and an explicit method such as a NAT gateway
   * is the recommended one (MS Learn, "Default outbound access in Azure"). With it the subnet turns
   * default outbound access off.
   */
  natGatewayId?: pulumi.Input<string>;
  runners: GithubHostedRunners | ManagedDevOpsPoolRunners;
}

/** Subnet delegation service names (GitHub "configuring private networking for GitHub-hosted runners"; Managed DevOps Pools "configure networking"). */
export const RUNNER_DELEGATION = {
  githubHosted: "GitHub.Network/networkSettings",
  managedDevOpsPool: "Microsoft.DevOpsInfrastructure/pools",
} as const;

export const GITHUB_NETWORK_SETTINGS_API_VERSION = "2024-04-02";

/**
 * NSG of the runner subnet: runners reach the environment's private endpoints inside the VNet and
 * HTTPS outside it (GitHub, Entra ID, Azure Resource Manager, package registries); nothing else
 * leaves, nothing enters from the internet. GitHub's reference NSG narrows the internet rule to its
 * published ranges; the same narrowing fits here once a team pins them.
 */
const NSG_RULES: network.NetworkSecurityGroupArgs["securityRules"] = [
  { name: "AllowVnetOutbound", priority: 200, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "*" },
  { name: "AllowHttpsOutbound", priority: 210, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "Internet", destinationPortRange: "443" },
  { name: "DenyInternetOutbound", priority: 4000, direction: "Outbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "Internet", destinationPortRange: "*" },
  { name: "DenyInternetInbound", priority: 4000, direction: "Inbound", access: "Deny", protocol: "*", sourceAddressPrefix: "Internet", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" },
];

/**
 * CI runners inside an environment's network, so deployments, promotion copies, pipeline uploads
 * and drift audits reach private data planes (a copy into a private account must be issued from a
 * network that reaches it: Azure Storage "copy blobs between storage accounts with network
 * restrictions").
 */
export class CiRunners extends pulumi.ComponentResource {
  readonly subnetId: pulumi.Output<string>;
  /** GitHub network settings id (the value a GitHub Azure private network configuration takes), or the pool id. */
  readonly runnerResourceId: pulumi.Output<string>;

  constructor(name: string, args: CiRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:ciRunners:CiRunners", name, {}, opts);
    const { resourceGroupName, location, tags } = args;
    const nsg = new network.NetworkSecurityGroup(
      `${name}-nsg`,
      { networkSecurityGroupName: args.nsgName, resourceGroupName, location, tags, securityRules: NSG_RULES },
      { parent: this },
    );
    const subnet = new network.Subnet(
      `${name}-subnet`,
      {
        subnetName: args.subnetName,
        virtualNetworkName: args.virtualNetworkName,
        resourceGroupName,
        addressPrefix: args.subnetCidr,
        networkSecurityGroup: { id: nsg.id },
        delegations: [{ name: "runners", serviceName: RUNNER_DELEGATION[args.runners.kind] }],
        // Explicit egress through the NAT gateway (see natGatewayId), never Azure's default outbound access.
        ...(args.natGatewayId ? { natGateway: { id: args.natGatewayId }, defaultOutboundAccess: false } : {}),
      },
      { parent: this },
    );
    const r = args.runners;
    if (r.kind === "githubHosted") {
      const settings = new resources.Resource(
        `${name}-github-network-settings`,
        {
          resourceProviderNamespace: "GitHub.Network",
          parentResourcePath: "",
          resourceType: "networkSettings",
          resourceName: r.networkSettingsName,
          apiVersion: GITHUB_NETWORK_SETTINGS_API_VERSION,
          resourceGroupName,
          location,
          tags,
          properties: { businessId: r.businessId, subnetId: subnet.id },
        },
        { parent: this },
      );
      this.runnerResourceId = settings.id;
    } else {
      const pool = new devopsinfrastructure.Pool(
        `${name}-pool`,
        {
          poolName: r.poolName,
          resourceGroupName,
          location,
          tags,
          devCenterProjectResourceId: r.devCenterProjectResourceId,
          maximumConcurrency: r.maximumConcurrency,
          agentProfile: { kind: "Stateless" },
          organizationProfile: {
            kind: "AzureDevOps",
            organizations: [{ url: r.organizationUrl, ...(r.projects.length ? { projects: r.projects } : {}) }],
          },
          fabricProfile: {
            kind: "Vmss",
            sku: { name: r.vmSize },
            images: [{ wellKnownImageName: r.image }],
            networkProfile: { subnetId: subnet.id },
          },
        },
        { parent: this },
      );
      this.runnerResourceId = pool.id;
    }
    this.subnetId = subnet.id;
    this.registerOutputs({ subnetId: this.subnetId, runnerResourceId: this.runnerResourceId });
  }
}
