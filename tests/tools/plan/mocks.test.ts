import * as pulumi from "@pulumi/pulumi";
import { armId, nameInput, PLACEHOLDER_SUBSCRIPTION } from "../../../tools/plan/armIds";
import { PlanMocks, stackReferencePlaceholder } from "../../../tools/plan/mocks";
import { fromWire, fromWireObject, HIDDEN_INPUTS } from "../../../tools/plan/values";
import { SECRET, UNKNOWN } from "../../../shared/plan";

const SUB = PLACEHOLDER_SUBSCRIPTION;
const rt = pulumi.runtime;

describe("ARM ids", () => {
  it("builds resource group, workspace and workspace-child ids from the name inputs", () => {
    expect(armId("azure-native:resources:ResourceGroup", { resourceGroupName: "rg-a" })).toBe(`/subscriptions/${SUB}/resourceGroups/rg-a`);
    expect(armId("azure-native:machinelearningservices:Workspace", { resourceGroupName: "rg-a", workspaceName: "mlw-a" })).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.MachineLearningServices/workspaces/mlw-a`,
    );
    expect(
      armId("azure-native:machinelearningservices:Compute", { resourceGroupName: "rg-a", workspaceName: "mlw-a", computeName: "cpu" }, "1111"),
    ).toBe("/subscriptions/1111/resourceGroups/rg-a/providers/Microsoft.MachineLearningServices/workspaces/mlw-a/computes/cpu");
  });

  it("hangs extension resources off their scope and the AKS extension off its cluster", () => {
    const scope = `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Storage/storageAccounts/st1`;
    expect(armId("azure-native:authorization:RoleAssignment", { scope, roleAssignmentName: "guid-1" })).toBe(
      `${scope}/providers/Microsoft.Authorization/roleAssignments/guid-1`,
    );
    expect(
      armId("azure-native:kubernetesconfiguration:Extension", {
        resourceGroupName: "rg-s",
        clusterRp: "Microsoft.ContainerService",
        clusterResourceName: "managedClusters",
        clusterName: "aks-a",
        extensionName: "azureml",
      }),
    ).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-s/providers/Microsoft.ContainerService/managedClusters/aks-a/providers/Microsoft.KubernetesConfiguration/extensions/azureml`,
    );
  });

  it("gives up when a name is missing or the type is unknown", () => {
    expect(armId("azure-native:machinelearningservices:Workspace", { resourceGroupName: "rg-a" })).toBeUndefined();
    expect(armId("azure-native:authorization:RoleAssignment", { roleAssignmentName: "x" })).toBeUndefined();
    expect(armId("azure-native:somethingnew:Thing", { resourceGroupName: "rg" })).toBeUndefined();
    expect(armId("azuread:index/application:Application", {})).toBeUndefined();
  });

  it("knows which input holds the physical name", () => {
    expect(nameInput("azure-native:storage:StorageAccount")).toBe("accountName");
    expect(nameInput("azure-native:machinelearningservices:Compute")).toBe("computeName");
    expect(nameInput("azure-native:resources:ResourceGroup")).toBe("resourceGroupName");
    expect(nameInput("mlops:compute:ComputeCluster")).toBeUndefined();
  });
});

describe("PlanMocks", () => {
  const mocks = new PlanMocks({ stackReferenceKeys: ["workspaceName", "clusterIds"], subscriptionId: "2222" });

  it("echoes inputs, derives the ARM id and the physical name", () => {
    const r = mocks.newResource({
      type: "azure-native:storage:StorageAccount",
      name: "st",
      custom: true,
      inputs: { resourceGroupName: "rg-a", accountName: "stabc", kind: "StorageV2" },
    });
    expect(r.id).toBe("/subscriptions/2222/resourceGroups/rg-a/providers/Microsoft.Storage/storageAccounts/stabc");
    expect(r.state).toMatchObject({ kind: "StorageV2", accountName: "stabc", name: "stabc" });
  });

  it("falls back to <name>-id and gives components no state", () => {
    expect(mocks.newResource({ type: "azure-native:storage:StorageAccount", name: "st", custom: true, inputs: {} }).id).toBe("st-id");
    expect(mocks.newResource({ type: "mlops:compute:ComputeCluster", name: "c", custom: false, inputs: { a: 1 } })).toEqual({ id: undefined, state: {} });
  });

  it("returns nested outputs Azure computes as unknown", () => {
    const ws = mocks.newResource({
      type: "azure-native:machinelearningservices:Workspace",
      name: "ws",
      custom: true,
      inputs: { identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: ["/id/1"] } },
    });
    expect(ws.state.identity).toEqual({
      type: "SystemAssigned,UserAssigned",
      principalId: rt.unknownValue,
      tenantId: rt.unknownValue,
      userAssignedIdentities: { "/id/1": { principalId: rt.unknownValue, clientId: rt.unknownValue } },
    });
    const aks = mocks.newResource({ type: "azure-native:containerservice:ManagedCluster", name: "aks", custom: true, inputs: { oidcIssuerProfile: { enabled: true } } });
    expect(aks.state.identityProfile.kubeletidentity.objectId).toBe(rt.unknownValue);
    expect(aks.state.oidcIssuerProfile).toEqual({ enabled: true, issuerURL: rt.unknownValue });
    const ep = mocks.newResource({ type: "azure-native:machinelearningservices:OnlineEndpoint", name: "ep", custom: true, inputs: { properties: { authMode: "AADToken" } } });
    expect(ep.state.properties).toEqual({ authMode: "AADToken", scoringUri: rt.unknownValue, swaggerUri: rt.unknownValue });
  });

  it("resolves stack references to documented placeholders", () => {
    const ref = mocks.newResource({ type: "pulumi:pulumi:StackReference", name: "up", custom: true, id: "org/mlops/dev", inputs: { name: "org/mlops/dev" } });
    expect(ref.id).toBe("org/mlops/dev");
    expect(ref.state.outputs).toEqual({ workspaceName: "org/mlops/dev:workspaceName", clusterIds: "org/mlops/dev:clusterIds" });
    expect(stackReferencePlaceholder("organization/mlops/dev", "workspaceName")).toBe("organization/mlops/dev:workspaceName");
  });

  it("answers getClientConfig with placeholders and echoes other calls", () => {
    expect(mocks.call({ token: "azure-native:authorization:getClientConfig", inputs: {} })).toMatchObject({ subscriptionId: "2222" });
    expect(mocks.call({ token: "azuread:index/getClientConfig:getClientConfig", inputs: {} })).toHaveProperty("tenantId");
    expect(mocks.call({ token: "azure-native:resources:getResourceGroup", inputs: { resourceGroupName: "x" } })).toEqual({ resourceGroupName: "x" });
  });
});

describe("wire values", () => {
  const secret = (value: unknown) => ({ [rt.specialSigKey]: rt.specialSecretSig, value });

  it("keeps secrets and unknowns at their exact position", () => {
    expect(fromWire({ a: { b: secret("clear"), c: rt.unknownValue, d: [1, secret(2)] } })).toEqual({ a: { b: SECRET, c: UNKNOWN, d: [1, SECRET] } });
  });

  it("turns resource references into URNs and hides the dynamic provider", () => {
    const ref = { [rt.specialSigKey]: rt.specialResourceSig, urn: "urn:pulumi:dev::p::t::n", id: "x" };
    expect(fromWireObject({ __provider: "exports.handler = …", target: ref, label: "l" }, HIDDEN_INPUTS)).toEqual({ target: "urn:pulumi:dev::p::t::n", label: "l" });
  });

  it("drops absent values and keeps nulls", () => {
    expect(fromWireObject({ a: undefined, b: null })).toEqual({ b: null });
  });
});
