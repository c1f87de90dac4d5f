import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../../shared/errors";
import { pipelineDefinitions } from "../definitions";
import type { ClusterMap, PipelineDefinition } from "../spec/types";
import { projectRoot, validatePipelineDefinition } from "../spec/validate";
import { PUBLIC_ARM_ENDPOINT } from "../../components/shared/azure";
import type { WorkspaceRefInput } from "../../shared/workspace";
import { buildPublishPlan, PublishPlan } from "./plan";
import { clusterSummary, PublishedPipelineProvider, publishedIds } from "./provider";

export interface PublishedPipelineArgs {
  /** The pipeline to publish (validated here before anything registers). */
  definition: PipelineDefinition;
  /** Workspace to publish into (a branch stack passes the dev workspace). */
  workspace: WorkspaceRefInput;
  /** The workspace's default blob datastore: where step code snapshots are uploaded. */
  storage: { blobEndpoint: pulumi.Input<string>; container: pulumi.Input<string> };
  /** Cluster config key → physical name and node kind, as the environment spec exports them. */
  clusters: ClusterMap;
  /** Git branch of a branch stack (names and tags carry it); null for dev/qa/prod. */
  branch: { name: string; slug: string } | null;
  stack: string;
  /** Tags of the environment; `managed-by`, `stack` and the branch tags are added. */
  tags: Record<string, string>;
  /** ARM endpoint (sovereign clouds, local test servers). Default: Azure public cloud. */
  armEndpoint?: string;
  /** Definitions that model parameters may name (`fromPipeline`). Default: the project's. */
  definitions?: Record<string, PipelineDefinition>;
  /** Project root that code folders are relative to. Default: this project. */
  root?: string;
}

/**
 * A pipeline definition published into a workspace: step code, environments, one component per step
 * and the pipeline component that wires them, all versioned by content hash. `pipelineComponentId`
 * is what a batch endpoint deployment or a schedule runs.
 */
// One provider instance for every pipeline: its code is serialized into state once per stack, not
// once per pipeline.
let sharedProvider: PublishedPipelineProvider | undefined;

export class PublishedPipeline extends pulumi.dynamic.Resource {
  // `declare`: a plain field declaration would reset the outputs the base constructor assigned.
  declare public readonly pipelineName: pulumi.Output<string>;
  declare public readonly experimentName: pulumi.Output<string>;
  declare public readonly modelName: pulumi.Output<string>;
  /** Version of the pipeline component: changes whenever anything the pipeline runs changes. */
  declare public readonly contentHash: pulumi.Output<string>;
  declare public readonly pipelineComponentId: pulumi.Output<string>;
  /** Step name → ARM id of its component version. */
  declare public readonly componentIds: pulumi.Output<Record<string, string>>;
  declare public readonly plan: pulumi.Output<PublishPlan>;

  constructor(name: string, args: PublishedPipelineArgs, opts?: pulumi.CustomResourceOptions) {
    const definitions = args.definitions ?? pipelineDefinitions;
    const root = args.root ?? projectRoot;
    const problems = validatePipelineDefinition(args.definition.name, args.definition, args.clusters, definitions, { root });
    if (problems.length > 0) throw new InputError(problems);

    const plan = buildPublishPlan({ definition: args.definition, clusters: args.clusters, branch: args.branch, definitions, root });
    const workspace = pulumi.output(args.workspace);
    sharedProvider ??= new PublishedPipelineProvider();
    super(
      sharedProvider,
      name,
      {
        plan,
        workspace,
        storage: pulumi.output(args.storage),
        armEndpoint: args.armEndpoint ?? PUBLIC_ARM_ENDPOINT,
        tags: publishedAssetTags(args),
        pipelineComponentId: workspace.apply((ws) => publishedIds(ws, plan).pipelineComponentId),
        componentIds: workspace.apply((ws) => publishedIds(ws, plan).componentIds),
        clusterNames: clusterSummary(plan),
        pipelineName: plan.pipelineName,
        experimentName: plan.experimentName,
        modelName: plan.modelName,
        contentHash: plan.contentHash,
        published: undefined,
        drift: undefined,
      },
      opts,
      "mlops",
      "PublishedPipeline",
    );
  }
}

/**
 * Tags on every published asset: the drift audit finds a deleted branch's leftovers by `branch` /
 * `branch-slug` / `stack`, and `managed-by` marks what Pulumi owns.
 */
export function publishedAssetTags(args: Pick<PublishedPipelineArgs, "tags" | "stack" | "branch" | "definition">): Record<string, string> {
  return {
    ...args.tags,
    "managed-by": "pulumi",
    stack: args.stack,
    pipeline: args.definition.name,
    ...(args.branch ? { branch: args.branch.name, "branch-slug": args.branch.slug } : {}),
  };
}
