/** ComputeCluster under the Pulumi mocks: an AmlCompute with the spec's settings and the grants its jobs need. */
import { builtInRoles } from "../../../components/authorization/roles";
import { ComputeCluster, ComputeClusterArgs } from "../../../components/compute";
import type { PlanResource } from "../../../shared/plan";
import { ofType, recordDeclarations, SUBSCRIPTION } from "../../support/declarations";

const ids = (kind: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/${kind}`;
const args = (over: Partial<ComputeClusterArgs>): ComputeClusterArgs => ({
  resourceGroupName: "rg",
  workspaceName: "mlw",
  location: "westeurope",
  computeName: "cc-cpu",
  kind: "cpu",
  vmSize: "Standard_DS3_v2",
  priority: "LowPriority",
  nodePublicIp: false,
  minNodes: 0,
  maxNodes: 4,
  idleTimeBeforeScaleDown: "PT15M",
  tags: { environment: "dev" },
  access: { subscriptionId: SUBSCRIPTION, storageAccountId: ids("Microsoft.Storage/storageAccounts/st"), registryId: ids("Microsoft.ContainerRegistry/registries/cr"), keyVaultId: ids("Microsoft.KeyVault/vaults/kv") },
  ...over,
});

let all: PlanResource[];
beforeAll(async () => {
  all = await recordDeclarations(() => {
    new ComputeCluster("cpu", args({}));
    new ComputeCluster("gpu", args({ computeName: "cc-gpu", kind: "gpu", vmSize: "Standard_NC6s_v3", priority: "Dedicated", minNodes: 1, maxNodes: 2, idleTimeBeforeScaleDown: "PT30M", nodePublicIp: true, description: "training" }));
  });
});

const computeOf = (name: string) => all.find((r) => r.type === "azure-native:machinelearningservices:Compute" && r.name === `${name}-amlcompute`)!;

test("a component of type mlops:compute:ComputeCluster parents its AmlCompute", () => {
  const component = all.find((r) => r.type === "mlops:compute:ComputeCluster" && r.name === "cpu")!;
  expect(computeOf("cpu").parent).toBe(component.urn);
});

test("the AmlCompute carries the spec's size, priority and scale settings, with SSH closed and local auth off", () => {
  const inputs = computeOf("cpu").inputs as Record<string, any>;
  expect(inputs.computeName).toBe("cc-cpu");
  expect(inputs.identity).toEqual({ type: "SystemAssigned" });
  expect(inputs.properties.computeType).toBe("AmlCompute");
  expect(inputs.properties.disableLocalAuth).toBe(true);
  expect(inputs.properties.description).toBe("CPU cluster cc-cpu");
  expect(inputs.properties.properties).toMatchObject({
    vmSize: "Standard_DS3_v2",
    vmPriority: "LowPriority",
    osType: "Linux",
    scaleSettings: { minNodeCount: 0, maxNodeCount: 4, nodeIdleTimeBeforeScaleDown: "PT15M" },
    enableNodePublicIp: false,
    remoteLoginPortPublicAccess: "Disabled",
  });
  expect(inputs.properties.properties.subnet).toBeUndefined();
});

test("what the args say reaches Azure unchanged (no defaults of its own)", () => {
  const p = (computeOf("gpu").inputs as Record<string, any>).properties;
  expect(p.description).toBe("training");
  expect(p.properties).toMatchObject({ vmSize: "Standard_NC6s_v3", vmPriority: "Dedicated", enableNodePublicIp: true, scaleSettings: { minNodeCount: 1, maxNodeCount: 2, nodeIdleTimeBeforeScaleDown: "PT30M" } });
});

test("its identity gets blob data, image pull and secret read, each on its own resource only", () => {
  const grants = ofType(all, "azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("cpu-"));
  const byRole = Object.fromEntries(grants.map((g) => [String(g.inputs.roleDefinitionId).split("/").pop(), g.inputs.scope]));
  expect(byRole).toEqual({
    [builtInRoles.StorageBlobDataContributor]: ids("Microsoft.Storage/storageAccounts/st"),
    [builtInRoles.AcrPull]: ids("Microsoft.ContainerRegistry/registries/cr"),
    [builtInRoles.KeyVaultSecretsUser]: ids("Microsoft.KeyVault/vaults/kv"),
  });
});
