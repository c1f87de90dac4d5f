/**
 * mlops:security on the shipped plans: what each environment declares by default (Defender plans,
 * customer-managed keys, VNet flow logs, the AKS egress firewall).
 */
import type { PlanDocument } from "../../../shared/plan";
import { aksEgressRuleCollections } from "../../../components/network";
import { ofType as ofTypeOf, one as oneOf, planJson } from "../../support/plans";

// Plan inputs are JSON values; the assertions below read them freely.
const ofType = (p: PlanDocument, type: string): any[] => ofTypeOf(p, type);
const one = (p: PlanDocument, type: string): any => oneOf(p, type);

let dev: PlanDocument;
let qa: PlanDocument;
let prod: PlanDocument;
beforeAll(async () => {
  [dev, qa, prod] = await Promise.all([planJson("dev"), planJson("qa"), planJson("prod")]);
}, 180_000);

const pricings = (p: PlanDocument) => ofType(p, "azure-native:security:Pricing").map((r) => `${r.inputs.pricingName}:${r.inputs.pricingTier}:${r.inputs.subPlan ?? "-"}`).sort();

test("Defender plans: all four at Standard in prod (with their sub-plans), Containers in qa, none in dev; the AKS sensor follows Containers", () => {
  expect(pricings(prod)).toEqual(["Arm:Standard:PerSubscription", "Containers:Standard:-", "KeyVaults:Standard:PerKeyVault", "StorageAccounts:Standard:DefenderForStorageV2"]);
  expect(pricings(qa)).toEqual(["Containers:Standard:-"]);
  expect(pricings(dev)).toEqual([]);
  for (const p of [qa, prod]) expect(one(p, "azure-native:containerservice:ManagedCluster").inputs.securityProfile.defender.securityMonitoring).toEqual({ enabled: true });
  for (const r of ofType(prod, "azure-native:security:Pricing")) expect(r.inputs.scopeId).toMatch(/^\/subscriptions\/[0-9a-f-]{36}$/);
});

test("customer-managed keys: qa and prod encrypt the workspace and storage with the vault's RSA key through the workspace identity; dev keeps Microsoft-managed keys", () => {
  for (const p of [qa, prod]) {
    const key = ofType(p, "azure-native:keyvault:Key").find((k) => k.inputs.keyName === "cmk-workspace")!;
    expect(key.inputs.properties).toMatchObject({ kty: "RSA", keySize: 3072 });
    const identity = one(p, "azure-native:machinelearningservices:Workspace").inputs.primaryUserAssignedIdentity;
    const ws = one(p, "azure-native:machinelearningservices:Workspace").inputs.encryption;
    expect(ws).toMatchObject({ status: "Enabled", identity: { userAssignedIdentity: identity } });
    expect(ws.keyVaultProperties.keyVaultArmId).toMatch(/\/providers\/Microsoft.KeyVault\/vaults\//);
    const st = one(p, "azure-native:storage:StorageAccount").inputs;
    expect(st.encryption).toMatchObject({ keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName: "cmk-workspace" }, encryptionIdentity: { encryptionUserAssignedIdentity: identity } });
    expect(st.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity] });
    // The identity may wrap and unwrap with the key (Key Vault Crypto Service Encryption User).
    expect(ofType(p, "azure-native:authorization:RoleAssignment").some((r) => String(r.inputs.roleDefinitionId).endsWith("e147488a-f6f5-4113-8e2d-b22465e65bf6"))).toBe(true);
  }
  expect(one(dev, "azure-native:storage:StorageAccount").inputs.encryption.keySource).toBe("Microsoft.Storage");
  expect(one(dev, "azure-native:machinelearningservices:Workspace").inputs.encryption).toBeUndefined();
});

test("VNet flow logs in qa and prod: the environment VNet, the region's Network Watcher, the workspace identity, retention 60/90 days", () => {
  for (const [p, days] of [[qa, 60], [prod, 90]] as const) {
    const f = one(p, "azure-native:network:FlowLog").inputs;
    const vnet = one(p, "azure-native:network:VirtualNetwork").inputs.virtualNetworkName;
    expect(f.targetResourceId).toMatch(new RegExp(`/virtualNetworks/${vnet}$`));
    expect(f).toMatchObject({ networkWatcherName: "NetworkWatcher_westeurope", resourceGroupName: "NetworkWatcherRG", enabled: true, retentionPolicy: { enabled: true, days }, format: { type: "JSON", version: 2 } });
    expect(f.identity.type).toBe("UserAssigned");
  }
  expect(ofType(dev, "azure-native:network:FlowLog")).toEqual([]);
});

test("AKS egress in qa and prod: Azure Firewall in AzureFirewallSubnet, the AKS subnet routed to it, the cluster on userDefinedRouting; runners keep the NAT gateway", () => {
  for (const p of [qa, prod]) {
    const subnets = ofType(p, "azure-native:network:Subnet");
    const aks = subnets.find((s) => s.inputs.subnetName === "snet-aks")!.inputs;
    expect(aks.routeTable).toBeDefined();
    expect(aks.natGateway).toBeUndefined();
    expect(aks.defaultOutboundAccess).toBe(false);
    const fwSubnet = subnets.find((s) => s.inputs.subnetName === "AzureFirewallSubnet")!.inputs;
    expect(fwSubnet.networkSecurityGroup).toBeUndefined();
    expect(subnets.find((s) => s.inputs.subnetName === "snet-runners")!.inputs.natGateway).toBeDefined();
    expect(one(p, "azure-native:network:RouteTable").inputs.routes).toEqual([expect.objectContaining({ addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance" })]);
    expect(one(p, "azure-native:network:AzureFirewall").inputs.sku).toEqual({ name: "AZFW_VNet", tier: "Standard" });
    expect(one(p, "azure-native:containerservice:ManagedCluster").inputs.networkProfile.outboundType).toBe("userDefinedRouting");
    const groups = one(p, "azure-native:network:FirewallPolicyRuleCollectionGroup").inputs.ruleCollections;
    const fqdns = groups.flatMap((c: any) => c.rules.flatMap((r: any) => [...(r.targetFqdns ?? []), ...(r.fqdnTags ?? [])]));
    expect(fqdns).toEqual(expect.arrayContaining(["AzureKubernetesService", "westeurope.dp.kubernetesconfiguration.azure.com", "mcr.microsoft.com", "*.workspace.westeurope.api.azureml.ms"]));
    expect(fqdns).not.toContain("*");
    // Private API servers: no tunnel network rules.
    expect(groups.flatMap((c: any) => c.rules).filter((r: any) => r.ruleType === "NetworkRule")).toEqual([]);
  }
  expect(ofType(dev, "azure-native:network:AzureFirewall")).toEqual([]);
});

test("a public API server also gets the tunnel network rules AKS documents (UDP 1194, TCP 9000 and 443 to AzureCloud.<region>), from the AKS subnet only", () => {
  const collections = aksEgressRuleCollections({ region: "westeurope", sourceCidr: "10.1.16.0/20", privateCluster: false, registryName: "cr", storageAccountName: "st" }) as any[];
  const network = collections.flatMap((c) => c.rules).filter((r: any) => r.ruleType === "NetworkRule");
  expect(network.map((r: any) => `${r.ipProtocols.join()}:${r.destinationPorts.join()}:${r.destinationAddresses.join()}`)).toEqual(["UDP:1194:AzureCloud.westeurope", "TCP:9000,443:AzureCloud.westeurope"]);
  for (const r of collections.flatMap((c) => c.rules)) expect(r.sourceAddresses).toEqual(["10.1.16.0/20"]);
});
