import * as pulumi from "@pulumi/pulumi";
import { PromotedModelProvider } from "./provider";
import type { ApprovalTag } from "./types";
import type { WorkspaceRefInput } from "../../shared/workspace";

export interface PromotedModelArgs {
  /** Model name; the same upstream and downstream. */
  modelName: pulumi.Input<string>;
  /** Source version to promote (usually from `resolvePromotedVersion`); the target gets the same number. */
  version: pulumi.Input<string>;
  /** Upstream workspace (from the upstream stack's outputs). Read only. */
  source: pulumi.Input<WorkspaceRefInput>;
  /** This stack's workspace and the datastore that receives the files. */
  target: pulumi.Input<
    WorkspaceRefInput & {
      /** Default `workspaceblobstore`. */
      datastoreName?: pulumi.Input<string>;
      /** The datastore's storage account; looked up from the datastore when omitted. */
      storageAccountName?: pulumi.Input<string>;
      /** The datastore's container; looked up from the datastore when omitted. */
      containerName?: pulumi.Input<string>;
    }
  >;
  /** Upstream approval tag, stripped from the promoted copy. Default `stage=production`. */
  approvalTag?: pulumi.Input<ApprovalTag>;
  /** Target blob folder for `<model>/<version>/`. Default `promoted`. */
  targetPathPrefix?: pulumi.Input<string>;
  /** Azure Resource Manager endpoint. Default Azure public cloud. */
  armEndpoint?: pulumi.Input<string>;
  /** Blob endpoint template with `{account}` and `{suffix}`. Default `https://{account}.blob.{suffix}`. */
  blobEndpointTemplate?: pulumi.Input<string>;
  /** Deleting the resource archives the target version (default true) instead of deleting it and its files. */
  archiveOnDelete?: pulumi.Input<boolean>;
  /** Server-side copies in flight. Default 8. */
  copyConcurrency?: pulumi.Input<number>;
  /** Content hash of the approving stage's tested copy; the origin files must match it. */
  expectedContentHash?: pulumi.Input<string>;
  /** Each approval behind this promotion (stage → what approved it), written as lineage tags. */
  approvals?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

let sharedProvider: PromotedModelProvider | undefined;

/**
 * A model version copied from the upstream stack's workspace into this stack's workspace:
 * server-side blob copies, verified by length and Content-MD5, then registered with lineage.
 * Type `pulumi-nodejs:dynamic/mlops:PromotedModel`.
 */
export class PromotedModel extends pulumi.dynamic.Resource {
  declare readonly modelName: pulumi.Output<string>;
  /** The promoted (and registered) version number. */
  declare readonly version: pulumi.Output<string>;
  /** ARM id of the registered target model version. */
  declare readonly modelId: pulumi.Output<string>;
  /** `azureml://datastores/<ds>/paths/…` in the target workspace; what deployments reference. */
  declare readonly modelUri: pulumi.Output<string>;
  declare readonly contentHash: pulumi.Output<string>;
  declare readonly files: pulumi.Output<number>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly promotedAt: pulumi.Output<string>;
  declare readonly filesIntact: pulumi.Output<boolean>;

  /** `provider` is for tests; the default signs in with DefaultAzureCredential. */
  constructor(name: string, args: PromotedModelArgs, opts?: pulumi.CustomResourceOptions, provider?: PromotedModelProvider) {
    // One shared instance: Pulumi serializes a provider once per instance, which takes a while.
    sharedProvider ??= new PromotedModelProvider();
    super(
      provider ?? sharedProvider,
      name,
      {
        ...args,
        modelId: undefined,
        modelUri: undefined,
        sourceModelUri: undefined,
        contentHash: undefined,
        files: undefined,
        bytes: undefined,
        promotedAt: undefined,
        filesIntact: undefined,
        archived: undefined,
        fileProblems: undefined,
        targetStorageAccountName: undefined,
        targetContainerName: undefined,
        targetBlobEndpoint: undefined,
        targetEtags: undefined,
      },
      opts,
      "mlops",
      "PromotedModel",
    );
  }
}
