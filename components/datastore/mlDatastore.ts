import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import * as ml from "@pulumi/azure-native/machinelearningservices";

export interface MlDatastoreArgs {
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  storageAccountName: pulumi.Input<string>;
  /** Subscription of the storage account (datastores name it explicitly). */
  subscriptionId: pulumi.Input<string>;
  /** Datastore name: lowercase letters, digits, '_'. */
  datastoreName: string;
  /** Blob container created for it. */
  containerName: string;
  description: string;
  tags: Record<string, string>;
}

/**
 * A blob container in the environment's storage account and the Azure ML datastore over it. Access
 * is identity-based: no account key or SAS is in config, inputs or state; the workspace's identity
 * reads data for the studio and each job uses its compute's or user's identity.
 */
export class MlDatastore extends pulumi.ComponentResource {
  readonly datastoreName: pulumi.Output<string>;
  readonly containerName: pulumi.Output<string>;
  readonly datastoreId: pulumi.Output<string>;

  constructor(name: string, args: MlDatastoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:datastore:MlDatastore", name, {}, opts);

    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        containerName: args.containerName,
        accountName: args.storageAccountName,
        resourceGroupName: args.resourceGroupName,
        publicAccess: storage.PublicAccess.None,
        metadata: { datastore: args.datastoreName },
      },
      { parent: this },
    );

    const datastore = new ml.Datastore(
      `${name}-datastore`,
      {
        name: args.datastoreName,
        resourceGroupName: args.resourceGroupName,
        workspaceName: args.workspaceName,
        properties: {
          datastoreType: "AzureBlob",
          accountName: args.storageAccountName,
          containerName: container.name,
          endpoint: "core.windows.net",
          protocol: "https",
          subscriptionId: args.subscriptionId,
          resourceGroup: args.resourceGroupName,
          description: args.description,
          credentials: { credentialsType: "None" },
          serviceDataAccessAuthIdentity: ml.ServiceDataAccessAuthIdentity.WorkspaceUserAssignedIdentity,
          tags: args.tags,
        },
      },
      { parent: this },
    );

    this.datastoreName = datastore.name;
    this.containerName = container.name;
    this.datastoreId = datastore.id;
    this.registerOutputs({ datastoreName: this.datastoreName, containerName: this.containerName, datastoreId: this.datastoreId });
  }
}
