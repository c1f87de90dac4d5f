import * as pulumi from "@pulumi/pulumi";
import { RegistryModelProvider } from "./registryProvider";
import type { WorkspaceRefInput } from "../../shared/workspace";

export interface RegistryModelArgs {
  modelName: pulumi.Input<string>;
  /** Origin version to share (from `resolveApproval`); the registry and workspace copies keep the number. */
  version: pulumi.Input<string>;
  /** The origin workspace (dev). Read only; the service reads its files. */
  source: pulumi.Input<WorkspaceRefInput>;
  registry: pulumi.Input<{ subscriptionId: pulumi.Input<string>; resourceGroupName: pulumi.Input<string>; registryName: pulumi.Input<string> }>;
  /** The registry's data-plane URL, `https://<registry region>.api.azureml.ms`. */
  registryEndpoint: pulumi.Input<string>;
  armEndpoint?: pulumi.Input<string>;
  /** Kubernetes online endpoints: import into this workspace by a job on its compute. */
  workspaceImport?: pulumi.Input<{
    target: pulumi.Input<WorkspaceRefInput & { datastoreName?: pulumi.Input<string> }>;
    computeName: pulumi.Input<string>;
    environmentId: pulumi.Input<string>;
    targetPathPrefix?: pulumi.Input<string>;
    blobEndpointTemplate?: pulumi.Input<string>;
  }>;
  expectedContentHash?: pulumi.Input<string>;
  approvals?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  archiveOnDelete?: pulumi.Input<boolean>;
}

let sharedProvider: RegistryModelProvider | undefined;

/**
 * An origin model version shared into an Azure ML registry by the service (0 model bytes through the
 * client) and, for Kubernetes online endpoints, imported into this workspace by a job on its own
 * compute. Type `pulumi-nodejs:dynamic/mlops:RegistryModel`.
 */
export class RegistryModel extends pulumi.dynamic.Resource {
  declare readonly modelName: pulumi.Output<string>;
  declare readonly version: pulumi.Output<string>;
  declare readonly registryModelId: pulumi.Output<string>;
  /** `azureml://registries/<r>/models/<n>/versions/<v>`: what batch deployments reference. */
  declare readonly registryModelUri: pulumi.Output<string>;
  /** The imported workspace version (when `workspaceImport` is set). */
  declare readonly modelId: pulumi.Output<string | undefined>;
  declare readonly contentHash: pulumi.Output<string | undefined>;
  declare readonly filesIntact: pulumi.Output<boolean>;

  constructor(name: string, args: RegistryModelArgs, opts?: pulumi.CustomResourceOptions, provider?: RegistryModelProvider) {
    sharedProvider ??= new RegistryModelProvider();
    super(
      provider ?? sharedProvider,
      name,
      {
        ...args,
        registryModelId: undefined,
        registryModelUri: undefined,
        sharedHere: undefined,
        modelId: undefined,
        modelUri: undefined,
        contentHash: undefined,
        importJobName: undefined,
        files: undefined,
        bytes: undefined,
        filesIntact: undefined,
        promotedAt: undefined,
      },
      opts,
      "mlops",
      "RegistryModel",
    );
  }
}
