/**
 * Which upstream version to promote, decided when the program runs so the version is a resource
 * input (`pulumi preview` shows "churn: 7 → 9"). The same query serves the approval CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AzureMachineLearningWorkspaces, ModelVersion } from "@azure/arm-machinelearning";
import { mlWorkspacesClient } from "../shared/azure";
import { ApprovalTag, DEFAULTS, ORIGIN_APPROVAL } from "./types";
import type { WorkspaceRef, WorkspaceRefInput } from "../../shared/workspace";

export type MlClientFactory = (subscriptionId: string, armEndpoint: string) => AzureMachineLearningWorkspaces;

export interface ResolvePromotedVersionArgs {
  /** Upstream workspace, usually from a StackReference. */
  source: pulumi.Input<WorkspaceRefInput>;
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

export const defaultMlClient: MlClientFactory = (subscriptionId, armEndpoint) => mlWorkspacesClient(subscriptionId, armEndpoint);

/** The newest version carrying the tag (creation time, as Azure ML orders it), or undefined. */
export async function findLatestApproved(
  ml: AzureMachineLearningWorkspaces,
  ws: WorkspaceRef,
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
export async function approvedVersionOf(ml: AzureMachineLearningWorkspaces, ws: WorkspaceRef, modelName: string, tag: ApprovalTag): Promise<string> {
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
    const ws = src as WorkspaceRef;
    return approvedVersionOf(makeClient(ws.subscriptionId, armEndpoint), ws, args.modelName, tag);
  });
}

/** What a stack promotes: the origin version, the hash its approving stage tested, every approval. */
export interface ResolvedApproval {
  version: string;
  /** Set when a downstream stage (qa) approved: the content hash of the copy it tested. */
  expectedContentHash?: string;
  approvals: Record<string, string>;
}

export interface ResolveApprovalArgs extends ResolvePromotedVersionArgs {
  /**
   * The stage whose approval this stack needs: the origin's own environment (qa promotes what dev
   * approved: the approval tag on the origin version) or a downstream stage (prod promotes what qa
   * approved: `approval.qa` recorded on the origin version). Either way only the origin is read.
   */
  approvedIn: string;
  /** The origin's environment name (default `dev`). */
  originEnvironment?: string;
}

/**
 * The origin version to promote and the approvals behind it, read from the origin workspace only.
 * A downstream stage's approval is a tag the approve command recorded on the origin version, with
 * the content hash of that stage's copy, so production never calls qa's private workspace.
 */
export async function approvalOf(
  ml: AzureMachineLearningWorkspaces,
  origin: WorkspaceRef,
  modelName: string,
  tag: ApprovalTag,
  approvedIn: string,
  originEnvironment = "dev",
): Promise<ResolvedApproval> {
  if (approvedIn === originEnvironment) {
    const version = await approvedVersionOf(ml, origin, modelName, tag);
    return { version, approvals: { [originEnvironment]: `${tag.key}=${tag.value}` } };
  }
  const recorded = { key: ORIGIN_APPROVAL.key(approvedIn), value: tag.value };
  let found: ModelVersion | undefined;
  const where = `origin workspace '${origin.workspaceName}' (resource group '${origin.resourceGroupName}', subscription '${origin.subscriptionId}')`;
  try {
    found = await findLatestApproved(ml, origin, modelName, recorded);
  } catch (err) {
    throw new pulumi.RunError(`cannot resolve the ${approvedIn}-approved version of model '${modelName}' in the ${where}: ${(err as Error).message}`);
  }
  const tags = (found?.properties.tags ?? {}) as Record<string, string>;
  const hash = tags[ORIGIN_APPROVAL.contentHash(approvedIn)];
  if (!found?.name || !hash) {
    throw new pulumi.RunError(
      `no version of model '${modelName}' in the ${where} carries a ${approvedIn} approval (${recorded.key}=${recorded.value} with ` +
        `${ORIGIN_APPROVAL.contentHash(approvedIn)}): approve the promoted copy with \`npm run model -- approve ${modelName} <version> --stack ${approvedIn}\`, or pin a version in config`,
    );
  }
  const approvals: Record<string, string> = {};
  if (tags[tag.key] === tag.value) approvals[originEnvironment] = `${tag.key}=${tag.value}`;
  approvals[approvedIn] = `${recorded.key}=${recorded.value}${tags[ORIGIN_APPROVAL.at(approvedIn)] ? ` at ${tags[ORIGIN_APPROVAL.at(approvedIn)]}` : ""}`;
  return { version: found.name, expectedContentHash: hash, approvals };
}

/** `approvalOf` as a program-time Output (unknown offline; a pinned version needs no query). */
export function resolveApproval(args: ResolveApprovalArgs): pulumi.Output<ResolvedApproval> {
  if (args.pinnedVersion) {
    const pinned: ResolvedApproval = { version: args.pinnedVersion, approvals: { config: `pinnedVersion=${args.pinnedVersion}` } };
    return pulumi.output(pinned) as pulumi.Output<ResolvedApproval>;
  }
  if (args.offline) return pulumi.output(pulumi.unknown) as unknown as pulumi.Output<ResolvedApproval>;
  const tag = args.approvalTag ?? DEFAULTS.approvalTag;
  const armEndpoint = args.armEndpoint ?? DEFAULTS.armEndpoint;
  const makeClient = args.mlClient ?? defaultMlClient;
  return pulumi.output(args.source).apply((src) => {
    const ws = src as WorkspaceRef;
    return approvalOf(makeClient(ws.subscriptionId, armEndpoint), ws, args.modelName, tag, args.approvedIn, args.originEnvironment);
  });
}
