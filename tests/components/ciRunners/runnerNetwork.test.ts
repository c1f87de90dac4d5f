/**
 * qa and prod declare where their CI runs: a subnet of their own VNet delegated to GitHub's network
 * settings (or, by config, to a Managed DevOps Pool), with an NSG, in the environment's region and
 * resource group; dev stays on hosted runners. Offline plans of the shipped stacks and of variants.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { one, ofType, planJson, REPO, runTool } from "../../support/plans";
import { GITHUB_NETWORK_SETTINGS_API_VERSION } from "../../../components/ciRunners";

const SUBNET = "azure-native:network:Subnet";
const NSG = "azure-native:network:NetworkSecurityGroup";
const GENERIC = "azure-native:resources:Resource";
const POOL = "azure-native:devopsinfrastructure:Pool";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-runners-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const plans: Record<string, PlanDocument> = {};
beforeAll(async () => {
  [plans.qa, plans.dev] = await Promise.all([planJson("qa"), planJson("dev")]);
}, 180_000);

const runnerSubnet = (p: PlanDocument): PlanResource => ofType(p, SUBNET).find((s) => s.name.endsWith("-runners-subnet"))!;

async function planWith(stack: string, edit: (config: Record<string, any>) => void): Promise<{ code: number; plan?: PlanDocument; stderr: string }> {
  const doc = parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8"));
  edit(doc.config);
  const file = path.join(dir, `${stack}-${Object.keys(plans).length}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  const r = await runTool("plan", [stack, "--config", file, "--json"]);
  return { code: r.code, stderr: r.stderr, ...(r.code === 0 ? { plan: JSON.parse(r.stdout) as PlanDocument } : {}) };
}

test("qa: GitHub-hosted runners get a delegated subnet with an NSG in qa's VNet, bound by GitHub.Network/networkSettings", () => {
  const p = plans.qa;
  const subnet = runnerSubnet(p);
  expect(subnet.inputs).toMatchObject({
    subnetName: "snet-runners",
    addressPrefix: "10.20.1.0/24",
    delegations: [{ name: "runners", serviceName: "GitHub.Network/networkSettings" }],
    networkSecurityGroup: { id: expect.any(String) },
    // Runners need outbound to GitHub: explicit egress through the environment's NAT gateway, with
    // Azure's default outbound access off (GitHub Docs, "About Azure private networking for
    // GitHub-hosted runners"; MS Learn, "Default outbound access in Azure").
    defaultOutboundAccess: false,
  });
  const nat = one(p, "azure-native:network:NatGateway");
  expect(subnet.inputs.natGateway).toEqual({ id: `${nat.name}-id` });
  expect(subnet.dependsOn).toContain(nat.urn);
  const nsg = ofType(p, NSG).find((n) => n.name.endsWith("-runners-nsg"))!;
  const rules = nsg.inputs.securityRules as { name: string; access: string; direction: string }[];
  expect(rules.filter((r) => r.access === "Deny").map((r) => r.direction).sort()).toEqual(["Inbound", "Outbound"]);
  const settings = one(p, GENERIC);
  expect(settings.inputs).toMatchObject({
    resourceProviderNamespace: "GitHub.Network",
    resourceType: "networkSettings",
    parentResourcePath: "",
    apiVersion: GITHUB_NETWORK_SETTINGS_API_VERSION,
    location: "westeurope",
    properties: { businessId: "123456789" },
  });
  // Same resource group as the VNet (same region and subscription, as GitHub requires).
  const vnet = one(p, "azure-native:network:VirtualNetwork");
  expect(settings.inputs.resourceGroupName).toBe(vnet.inputs.resourceGroupName);
  expect(subnet.inputs.virtualNetworkName).toBe(vnet.inputs.virtualNetworkName);
  expect(p.outputs.ciRunnerResourceId).toBeDefined();
});

test("dev declares no runner network", () => {
  expect(runnerSubnet(plans.dev)).toBeUndefined();
  expect(ofType(plans.dev, GENERIC)).toEqual([]);
  expect(ofType(plans.dev, POOL)).toEqual([]);
});

test("prod with a Managed DevOps Pool instead: subnet delegated to Microsoft.DevOpsInfrastructure/pools and the pool's agents in it", async () => {
  const r = await planWith("prod", (c) => {
    c["mlops:runners"] = {
      kind: "managedDevOpsPool",
      managedDevOpsPool: {
        organizationUrl: "https://dev.azure.com/contoso",
        projects: ["mlops"],
        devCenterProjectResourceId: "/subscriptions/s/resourceGroups/rg-mlops-prod-ci/providers/Microsoft.DevCenter/projects/ci",
      },
    };
  });
  expect(r.stderr).toBe("");
  const p = r.plan!;
  expect(runnerSubnet(p).inputs.delegations).toEqual([{ name: "runners", serviceName: "Microsoft.DevOpsInfrastructure/pools" }]);
  expect(ofType(p, GENERIC)).toEqual([]);
  expect(one(p, POOL).inputs).toMatchObject({
    poolName: "mdp-mlops-prod",
    maximumConcurrency: 2,
    devCenterProjectResourceId: "/subscriptions/s/resourceGroups/rg-mlops-prod-ci/providers/Microsoft.DevCenter/projects/ci",
    agentProfile: { kind: "Stateless" },
    organizationProfile: { kind: "AzureDevOps", organizations: [{ url: "https://dev.azure.com/contoso", projects: ["mlops"] }] },
    fabricProfile: { kind: "Vmss", sku: { name: "Standard_D2ads_v5" }, images: [{ wellKnownImageName: "ubuntu-24.04/latest" }], networkProfile: { subnetId: expect.any(String) } },
  });
}, 180_000);

test("bad runner config is refused with every problem named, exit 2", async () => {
  const r = await planWith("prod", (c) => {
    c["mlops:runners"] = { kind: "managedDevOpsPool" };
    c["mlops:network"].subnets.runners = "10.30.16.0/24"; // inside the AKS subnet
  });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/runners\.managedDevOpsPool.*is required/);
  expect(r.stderr).toMatch(/network\.subnets\.runners.*overlaps network\.subnets\.aks/);
}, 180_000);
