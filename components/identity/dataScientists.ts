import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { BuiltInRole, grantRole } from "../authorization/roles";

export interface DataScientistsGroupArgs {
  displayName: pulumi.Input<string>;
  /** Object ids of the group's members (users or groups). */
  members: pulumi.Input<string>[];
  subscriptionId: pulumi.Input<string>;
  /** The environment's workspace. */
  workspaceId: pulumi.Input<string>;
  /**
   * `AzureMLDataScientist` where they develop (dev): run jobs, register models, use compute;
   * `Reader` elsewhere (qa, prod): look, never change.
   */
  workspaceRole: Extract<BuiltInRole, "AzureMLDataScientist" | "Reader">;
  /**
   * The workspace's storage account, where they publish from (dev): publishing from a laptop uploads
   * step code to the workspace's blob container with their own Entra token (the publisher's
   * `DefaultAzureCredential`), which needs a blob data role; AzureML Data Scientist has none.
   * @default none (qa and prod: no data access)
   */
  dataStorageAccountId?: pulumi.Input<string>;
  owners?: pulumi.Input<string>[];
}

/** An Entra security group for the environment's data scientists, granted one role on its workspace. */
export class DataScientistsGroup extends pulumi.ComponentResource {
  readonly objectId: pulumi.Output<string>;

  constructor(name: string, args: DataScientistsGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:identity:DataScientistsGroup", name, {}, opts);
    const group = new azuread.Group(
      `${name}-group`,
      {
        displayName: args.displayName,
        description: `Data scientists: ${args.workspaceRole} on the workspace`,
        securityEnabled: true,
        mailEnabled: false,
        preventDuplicateNames: true,
        members: args.members,
        ...(args.owners ? { owners: args.owners } : {}),
      },
      { parent: this },
    );
    grantRole(
      `${name}-workspace-role`,
      { scope: args.workspaceId, principalId: group.objectId, role: args.workspaceRole, subscriptionId: args.subscriptionId, principalType: "Group" },
      { parent: this },
    );
    if (args.dataStorageAccountId) {
      grantRole(
        `${name}-storage-blob-contributor`,
        { scope: args.dataStorageAccountId, principalId: group.objectId, role: "StorageBlobDataContributor", subscriptionId: args.subscriptionId, principalType: "Group" },
        { parent: this },
      );
    }
    this.objectId = group.objectId;
    this.registerOutputs({ objectId: this.objectId });
  }
}
