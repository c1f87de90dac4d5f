import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";

/** Private Link group ids of the workspace and its dependencies. */
export type PrivateLinkGroup = "amlworkspace" | "amlregistry" | "blob" | "file" | "vault" | "registry" | "azuremonitor";

/**
 * Private DNS zones each group's endpoint registers in (Azure public cloud). The workspace needs two:
 * the API zone and the notebooks zone.
 */
export const privateDnsZonesByGroup: Record<PrivateLinkGroup, string[]> = {
  amlworkspace: ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"],
  // An Azure ML registry resolves in the workspace API zone ("Network isolation with Azure Machine
  // Learning registries", DNS configuration).
  amlregistry: ["privatelink.api.azureml.ms"],
  blob: ["privatelink.blob.core.windows.net"],
  file: ["privatelink.file.core.windows.net"],
  vault: ["privatelink.vaultcore.azure.net"],
  registry: ["privatelink.azurecr.io"],
  // Azure Monitor private link scope (MS Learn, "Configure your private link", Azure Monitor): the
  // shared global endpoints, Log Analytics ingestion (oms/ods), the agent service, and the blob
  // zone the agents' solution packs come from (shared with the storage endpoint).
  azuremonitor: [
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
  ],
};

export interface PrivateLinkTarget {
  /** Physical private endpoint name (≤ 80). */
  endpointName: string;
  /** ARM id of the resource reached through the endpoint. */
  resourceId: pulumi.Input<string>;
  groupId: PrivateLinkGroup;
}

export interface PrivateLinksArgs {
  /** The environment's resource group: zones and endpoints live beside the resources they serve. */
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  /** The environment's own VNet; every zone is linked to it and to nothing else. */
  virtualNetworkId: pulumi.Input<string>;
  /** Subnet the endpoints' network interfaces go into. */
  subnetId: pulumi.Input<string>;
  targets: PrivateLinkTarget[];
}

/**
 * Private endpoints for the workspace and its dependencies, with the private DNS zones their names
 * resolve in, each zone linked to the environment's VNet, and a DNS zone group per endpoint so Azure
 * keeps the A records current.
 */
export class PrivateLinks extends pulumi.ComponentResource {
  /** Zone name → zone id. */
  readonly dnsZoneIds: Record<string, pulumi.Output<string>>;
  /** Group id → private endpoint id. */
  readonly endpointIds: Partial<Record<PrivateLinkGroup, pulumi.Output<string>>>;

  constructor(name: string, args: PrivateLinksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:network:PrivateLinks", name, {}, opts);
    const { resourceGroupName, location, tags } = args;
    const child = { parent: this };

    const zoneNames = [...new Set(args.targets.flatMap((t) => privateDnsZonesByGroup[t.groupId]))];
    const zones = new Map<string, privatedns.PrivateZone>();
    for (const zoneName of zoneNames) {
      const key = zoneKey(zoneName);
      // Private DNS zones are global resources.
      const zone = new privatedns.PrivateZone(`${name}-zone-${key}`, { privateZoneName: zoneName, resourceGroupName, location: "global", tags }, child);
      new privatedns.VirtualNetworkLink(
        `${name}-zone-${key}-link`,
        {
          virtualNetworkLinkName: `link-${key}`,
          privateZoneName: zone.name,
          resourceGroupName,
          location: "global",
          virtualNetwork: { id: args.virtualNetworkId },
          // Records come from the endpoints' zone groups, not from VM auto-registration.
          registrationEnabled: false,
          tags,
        },
        child,
      );
      zones.set(zoneName, zone);
    }

    const endpointIds: Partial<Record<PrivateLinkGroup, pulumi.Output<string>>> = {};
    for (const target of args.targets) {
      const endpoint = new network.PrivateEndpoint(
        `${name}-pe-${target.groupId}`,
        {
          privateEndpointName: target.endpointName,
          resourceGroupName,
          location,
          subnet: { id: args.subnetId },
          customNetworkInterfaceName: `${target.endpointName}-nic`,
          privateLinkServiceConnections: [
            { name: target.endpointName, privateLinkServiceId: target.resourceId, groupIds: [target.groupId] },
          ],
          tags,
        },
        child,
      );
      new network.PrivateDnsZoneGroup(
        `${name}-pe-${target.groupId}-dns`,
        {
          privateDnsZoneGroupName: "default",
          privateEndpointName: endpoint.name,
          resourceGroupName,
          privateDnsZoneConfigs: privateDnsZonesByGroup[target.groupId].map((z) => ({ name: zoneKey(z), privateDnsZoneId: zones.get(z)!.id })),
        },
        child,
      );
      endpointIds[target.groupId] = endpoint.id;
    }

    this.dnsZoneIds = Object.fromEntries([...zones].map(([zoneName, zone]) => [zoneName, zone.id]));
    this.endpointIds = endpointIds;
    this.registerOutputs({ dnsZoneIds: this.dnsZoneIds, endpointIds: this.endpointIds });
  }
}

/** `privatelink.blob.core.windows.net` → `blob-core-windows-net`: short, readable, valid everywhere. */
function zoneKey(zoneName: string): string {
  return zoneName.replace(/^privatelink\./, "").replace(/\./g, "-");
}
