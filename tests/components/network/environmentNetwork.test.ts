/** EnvironmentNetwork and PrivateLinks under the Pulumi mocks. */
import { EnvironmentNetwork, PrivateLinks, privateDnsZonesByGroup } from "../../../components/network";
import type { PlanResource } from "../../../shared/plan";
import { named, ofType, recordDeclarations } from "../../support/declarations";

let all: PlanResource[];
beforeAll(async () => {
  all = await recordDeclarations(() => {
    const full = new EnvironmentNetwork("qa-net", {
      resourceGroupName: "rg-qa",
      location: "westeurope",
      tags: { environment: "qa" },
      virtualNetworkName: "vnet-qa",
      addressSpace: "10.20.0.0/16",
      subnets: { privateEndpoints: "10.20.0.0/24", aks: "10.20.8.0/21" },
      aksNatGateway: { name: "ng-vnet-qa-aks", publicIpName: "pip-vnet-qa-aks-egress" },
    });
    new EnvironmentNetwork("dev-net", { resourceGroupName: "rg-dev", location: "westeurope", tags: {}, virtualNetworkName: "vnet-dev", addressSpace: "10.10.0.0/16", subnets: { aks: "10.10.8.0/21" } });
    new PrivateLinks("qa-links", {
      resourceGroupName: "rg-qa",
      location: "westeurope",
      tags: {},
      virtualNetworkId: full.virtualNetworkId,
      subnetId: full.privateEndpointsSubnetId!,
      targets: [
        { endpointName: "pe-mlw-qa", resourceId: "/subscriptions/s/resourceGroups/rg-qa/providers/Microsoft.MachineLearningServices/workspaces/mlw-qa", groupId: "amlworkspace" },
        { endpointName: "pe-st-blob", resourceId: "/subscriptions/s/resourceGroups/rg-qa/providers/Microsoft.Storage/storageAccounts/st", groupId: "blob" },
      ],
    });
  });
});

const qa = () => all.filter((r) => r.name.startsWith("qa-net"));

test("one VNet with the environment's address space, no peering", () => {
  expect(named(qa(), "azure-native:network:VirtualNetwork", "-vnet").inputs).toMatchObject({ virtualNetworkName: "vnet-qa", addressSpace: { addressPrefixes: ["10.20.0.0/16"] } });
  expect(ofType(all, "azure-native:network:VirtualNetworkPeering")).toEqual([]);
});

test("each subnet has its own NSG; the AKS subnet leaves through the NAT gateway, never by default outbound access", () => {
  const pe = named(qa(), "azure-native:network:Subnet", "-pe-subnet");
  const aks = named(qa(), "azure-native:network:Subnet", "-aks-subnet");
  expect(pe.inputs).toMatchObject({ subnetName: "snet-pe", addressPrefix: "10.20.0.0/24", privateEndpointNetworkPolicies: "Enabled", defaultOutboundAccess: false });
  expect(aks.inputs).toMatchObject({ subnetName: "snet-aks", addressPrefix: "10.20.8.0/21", defaultOutboundAccess: false });
  expect(aks.inputs.natGateway).toBeDefined();
  // Azure refuses concurrent subnet writes on one VNet: the second waits for the first.
  expect(aks.dependsOn).toContain(pe.urn);
  expect(ofType(qa(), "azure-native:network:NetworkSecurityGroup").map((n) => n.inputs.networkSecurityGroupName).sort()).toEqual(["nsg-vnet-qa-aks", "nsg-vnet-qa-pe"]);
  expect(named(qa(), "azure-native:network:NatGateway", "-aks-nat").inputs).toMatchObject({ natGatewayName: "ng-vnet-qa-aks", sku: { name: "Standard" } });
  expect(named(qa(), "azure-native:network:PublicIPAddress", "-aks-egress-ip").inputs).toMatchObject({ publicIpAddressName: "pip-vnet-qa-aks-egress", publicIPAllocationMethod: "Static" });
});

test("a subnet is declared only when its range is given; without a NAT gateway the AKS subnet keeps its defaults", () => {
  const dev = all.filter((r) => r.name.startsWith("dev-net"));
  expect(ofType(dev, "azure-native:network:Subnet").map((s) => s.inputs.subnetName)).toEqual(["snet-aks"]);
  expect(ofType(dev, "azure-native:network:NatGateway")).toEqual([]);
  expect(named(dev, "azure-native:network:Subnet", "-aks-subnet").inputs.defaultOutboundAccess).toBeUndefined();
});

test("private links: an endpoint per target, each group's zones linked to the VNet, a zone group per endpoint", () => {
  const links = all.filter((r) => r.name.startsWith("qa-links"));
  expect(ofType(links, "azure-native:network:PrivateEndpoint").map((e) => [e.inputs.privateEndpointName, (e.inputs.privateLinkServiceConnections as any)[0].groupIds])).toEqual([
    ["pe-mlw-qa", ["amlworkspace"]],
    ["pe-st-blob", ["blob"]],
  ]);
  const zones = ofType(links, "azure-native:privatedns:PrivateZone").map((z) => z.inputs.privateZoneName).sort();
  expect(zones).toEqual([...privateDnsZonesByGroup.amlworkspace, ...privateDnsZonesByGroup.blob].sort());
  const zoneLinks = ofType(links, "azure-native:privatedns:VirtualNetworkLink");
  expect(zoneLinks).toHaveLength(zones.length);
  for (const l of zoneLinks) expect(l.inputs.registrationEnabled).toBe(false);
  expect(ofType(links, "azure-native:network:PrivateDnsZoneGroup")).toHaveLength(2);
});
