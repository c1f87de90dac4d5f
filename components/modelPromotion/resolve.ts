/**
 * Which upstream version to promote, decided when the program runs so the version is a resource
 * input (`pulumi preview` shows "churn: 7 → 9"). The same query serves the approval CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AzureMachineLearningWorkspaces, ModelVersion } from "@azure/arm-machinelearning";
import type { WorkspaceCoordinatesArgs } from "./promotedModel";
import { ARM_RETRY } from "./clients";
import { ApprovalTag, DEFAULTS, WorkspaceCoordinates } from "./types";

export type MlClientFactory = (subscriptionId: string, armEndpoint: string) => AzureMachineLearningWorkspaces;

export interface ResolvePromotedVersionArgs {
  /** Upstream workspace, usually from a StackReference. */
  source: pulumi.Input<WorkspaceCoordinatesArgs>;
  modelName: string;
  /** Default `stage=production`. */
  approvalTag?: ApprovalTag;
  /** A version pinned in config wins over the approval tag and needs no query. */
  pinnedVersion?: string;
  /** Default Azure public cloud. */
  armEndpoint?: string;
  /** The offline plan: no query, the version is unknown until deployment (a pinned one stays known). */
  offline: boolean;
  /** Tests aim the query elsewhere; default `DefaultAzureCredential` against `armEndpoint`. */
  mlClient?: MlClientFactory;
}

export const defaultMlClient: MlClientFactory = (subscriptionId, armEndpoint) => {
  const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
  const { AzureMachineLearningWorkspaces } = require("@azure/arm-machinelearning") as typeof import("@azure/arm-machinelearning");
  return new AzureMachineLearningWorkspaces(new DefaultAzureCredential(), subscriptionId, {
    endpoint: armEndpoint,
    retryOptions: ARM_RETRY,
    additionalPolicies: [(require("../shared/retryAfterCap") as typeof import("../shared/retryAfterCap")).retryAfterCap()],
  });
};

/** The newest version carrying the tag (creation time, as Azure ML orders it), or undefined. */
export async function findLatestApproved(
  ml: AzureMachineLearningWorkspaces,
  ws: WorkspaceCoordinates,
  modelName: string,
  tag: ApprovalTag,
): Promise<ModelVersion | undefined> {
  const pages = ml.modelVersions
    .list(ws.resourceGroupName, ws.workspaceName, modelName, { tags: `${tag.key}=${tag.value}`, orderBy: "createdtime desc", top: 1 })
    .byPage();
  const first = await pages.next();
  return first.done ? undefined : first.value[0];
}

/**
 * The version to promote from a workspace: the newest carrying the approval tag. Rejects with a
 * `RunError` (printed without a stack trace) naming the model, workspace and tag when none does.
 */
export async function approvedVersionOf(ml: AzureMachineLearningWorkspaces, ws: WorkspaceCoordinates, modelName: string, tag: ApprovalTag): Promise<string> {
  const where = `workspace '${ws.workspaceName}' (resource group '${ws.resourceGroupName}', subscription '${ws.subscriptionId}')`;
  let found: ModelVersion | undefined;
  try {
    found = await findLatestApproved(ml, ws, modelName, tag);
  } catch (err) {
    throw new pulumi.RunError(`cannot resolve the version of model '${modelName}' to promote from ${where}: ${(err as Error).message}`);
  }
  if (!found?.name) {
    throw new pulumi.RunError(
      `no version of model '${modelName}' in ${where} carries the approval tag ${tag.key}=${tag.value}: ` +
        `approve one with \`npm run model -- approve ${modelName} <version> --stack <upstream stack>\`, or pin a version in config`,
    );
  }
  return found.name;
}

export function resolvePromotedVersion(args: ResolvePromotedVersionArgs): pulumi.Output<string> {
  if (args.pinnedVersion) return pulumi.output(args.pinnedVersion);
  if (args.offline) return pulumi.output(pulumi.unknown) as unknown as pulumi.Output<string>;
  const tag = args.approvalTag ?? DEFAULTS.approvalTag;
  const armEndpoint = args.armEndpoint ?? DEFAULTS.armEndpoint;
  const makeClient = args.mlClient ?? defaultMlClient;
  return pulumi.output(args.source).apply((src) => {
    const ws = src as WorkspaceCoordinates;
    return approvedVersionOf(makeClient(ws.subscriptionId, armEndpoint), ws, args.modelName, tag);
  });
}
