import * as pulumi from "@pulumi/pulumi";
import { ExportedModelProvider } from "./exportProvider";
import type { WorkspaceRefInput } from "../../shared/workspace";

export interface ExportedModelArgs {
  modelName: pulumi.Input<string>;
  /** Origin version to export (usually from `resolveApproval`). */
  version: pulumi.Input<string>;
  /** The origin workspace; read only. */
  source: pulumi.Input<WorkspaceRefInput>;
  /** The known location. `pathPrefix` default `models`: files land under `<prefix>/<model>/<version>/`. */
  target: pulumi.Input<{ storageAccountName: pulumi.Input<string>; containerName: pulumi.Input<string>; pathPrefix?: pulumi.Input<string> }>;
  /** Hash of the copy an approving stage tested; the origin files must match it. */
  expectedContentHash?: pulumi.Input<string>;
  armEndpoint?: pulumi.Input<string>;
  blobEndpointTemplate?: pulumi.Input<string>;
  copyConcurrency?: pulumi.Input<number>;
  /** Default false: deleting the resource leaves the files for their consumers. */
  deleteFilesOnDelete?: pulumi.Input<boolean>;
}

let sharedProvider: ExportedModelProvider | undefined;

/**
 * A model version exported to a known location (a container and prefix, no workspace): server-side
 * copies from the origin, verified by length, Content-MD5 and ETag, with no registration.
 * Type `pulumi-nodejs:dynamic/mlops:ExportedModel`.
 */
export class ExportedModel extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  declare readonly contentHash: pulumi.Output<string>;
  declare readonly files: pulumi.Output<number>;
  declare readonly filesIntact: pulumi.Output<boolean>;

  constructor(name: string, args: ExportedModelArgs, opts?: pulumi.CustomResourceOptions, provider?: ExportedModelProvider) {
    sharedProvider ??= new ExportedModelProvider();
    const outputs = { url: undefined, sourceModelUri: undefined, contentHash: undefined, files: undefined, bytes: undefined, exportedAt: undefined, targetEtags: undefined, filesIntact: undefined, fileProblems: undefined };
    super(provider ?? sharedProvider, name, { ...args, ...outputs }, opts, "mlops", "ExportedModel");
  }
}
