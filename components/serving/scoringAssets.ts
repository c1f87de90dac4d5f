import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { PUBLIC_ARM_ENDPOINT } from "../shared/azure";
import { CodePlan, EnvironmentPlan, hashOf } from "../mlAssets/assetPlans";
import { snapshotFolder } from "../mlAssets/snapshot";
import type { WorkspaceRefInput } from "../../shared/workspace";
import { ScoringAssetsProvider, ScoringAssetsProviderOptions, scoringAssetIds } from "./scoringAssetsProvider";

/** Where the online scoring code of the shipped model lives, and what it runs in. */
export const ONLINE_SCORING = {
  folder: "pipelines/steps/bad_pixels",
  scoringScript: "serve.py",
  conda: "conda-serve.yml",
  image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
} as const;

export interface ScoringAssetsArgs {
  /** Asset name of the code; the environment is `<name>_env` (lowercase letters, digits, `_`). */
  assetName: string;
  /** Code folder relative to `root`, its entry script and conda file inside it, and the base image. */
  folder: string;
  scoringScript: string;
  conda: string;
  image: string;
  workspace: WorkspaceRefInput;
  /** The workspace's default blob datastore, where the code snapshot is uploaded. */
  storage: { blobEndpoint: pulumi.Input<string>; container: pulumi.Input<string> };
  tags: Record<string, string>;
  armEndpoint?: pulumi.Input<string>;
  /** Project root (default: this project). */
  root?: string;
}

/** Code and environment versions by content hash, as the pipeline publisher names them. */
export function scoringAssetPlans(args: Pick<ScoringAssetsArgs, "assetName" | "folder" | "conda" | "image" | "root">): { code: CodePlan; environment: EnvironmentPlan } {
  const root = args.root ?? path.resolve(__dirname, "..", "..");
  const snapshot = snapshotFolder(path.resolve(root, args.folder));
  const version = snapshot.hash.slice(0, 16);
  const conda = fs.readFileSync(path.resolve(root, args.folder, args.conda), "utf8");
  return {
    code: { name: args.assetName, version, folder: args.folder, files: snapshot.files.length, bytes: snapshot.bytes, hash: snapshot.hash, blobPrefix: `LocalUpload/${args.assetName}/${version}` },
    environment: { name: `${args.assetName}_env`, version: hashOf({ image: args.image, conda }), image: args.image, conda },
  };
}

let sharedProvider: ScoringAssetsProvider | undefined;

/**
 * `mlops:ScoringAssets`: the scoring code snapshot and its environment in a workspace, versioned by
 * content hash, so a changed `serve.py` or conda file gives new ids and a new deployment.
 */
export class ScoringAssets extends pulumi.dynamic.Resource {
  declare readonly codeId: pulumi.Output<string>;
  declare readonly environmentId: pulumi.Output<string>;
  declare readonly scoringScript: pulumi.Output<string>;

  constructor(name: string, args: ScoringAssetsArgs, opts?: pulumi.CustomResourceOptions, providerOptions?: ScoringAssetsProviderOptions) {
    const { code, environment } = scoringAssetPlans(args);
    const workspace = pulumi.output(args.workspace);
    const ids = workspace.apply((ws) => scoringAssetIds(ws, code, environment));
    const provider = providerOptions ? new ScoringAssetsProvider(providerOptions) : (sharedProvider ??= new ScoringAssetsProvider());
    super(
      provider,
      name,
      {
        code,
        environment,
        scoringScript: args.scoringScript,
        workspace,
        storage: pulumi.output(args.storage),
        armEndpoint: args.armEndpoint ?? PUBLIC_ARM_ENDPOINT,
        tags: { ...args.tags, "managed-by": "pulumi" },
        codeId: ids.codeId,
        environmentId: ids.environmentId,
        drift: undefined,
      },
      opts,
      "mlops",
      "ScoringAssets",
    );
  }
}
