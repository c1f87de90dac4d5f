/** MlDatastore under the Pulumi mocks: a private container and an identity-based blob datastore over it. */
import { MlDatastore } from "../../../components/datastore";
import type { PlanResource } from "../../../shared/plan";
import { named, recordDeclarations, SUBSCRIPTION } from "../../support/declarations";

let all: PlanResource[];
beforeAll(async () => {
  all = await recordDeclarations(() => {
    new MlDatastore("ds-training", {
      resourceGroupName: "rg-dev",
      workspaceName: "mlw-dev",
      storageAccountName: "stdev",
      subscriptionId: SUBSCRIPTION,
      datastoreName: "training",
      containerName: "training-data",
      description: "Full training dataset",
      tags: { environment: "dev" },
    });
  });
});

test("the container is private and says which datastore it holds", () => {
  const container = named(all, "azure-native:storage:BlobContainer", "-container");
  expect(container.inputs).toMatchObject({ containerName: "training-data", accountName: "stdev", resourceGroupName: "rg-dev", publicAccess: "None", metadata: { datastore: "training" } });
});

test("the datastore reaches the container by identity: no key, no SAS", () => {
  const datastore = named(all, "azure-native:machinelearningservices:Datastore", "-datastore");
  const component = all.find((r) => r.type === "mlops:datastore:MlDatastore")!;
  expect(datastore.parent).toBe(component.urn);
  expect(datastore.inputs).toMatchObject({ name: "training", resourceGroupName: "rg-dev", workspaceName: "mlw-dev" });
  expect(datastore.inputs.properties).toMatchObject({
    datastoreType: "AzureBlob",
    accountName: "stdev",
    subscriptionId: SUBSCRIPTION,
    credentials: { credentialsType: "None" },
    serviceDataAccessAuthIdentity: "WorkspaceUserAssignedIdentity",
    description: "Full training dataset",
  });
});
