import { createHash } from "node:crypto";
import type { EnvironmentName, EnvironmentNames } from "../config/types";
import { checkName, NameKind } from "./rules";

/** Lowercase hex of sha256: stable across machines and Node versions. */
export function shortHash(input: string, length = 6): string {
  return createHash("sha256").update(input, "utf8").digest("hex").slice(0, length);
}

const HASH_LEN = 6;

/**
 * Keeps `value` when it fits; otherwise cuts it and appends a hash of the whole value, so two inputs
 * that share a long prefix (`…-model-a`, `…-model-b`) never end up with the same name.
 */
export function truncateWithHash(value: string, max: number, separator = "-"): string {
  if (value.length <= max) return value;
  const keep = max - HASH_LEN - separator.length;
  const head = value.slice(0, keep).replace(/[-_.]+$/, "");
  return `${head}${separator}${shortHash(value, HASH_LEN)}`;
}

/** Branch as git knows it: `refs/heads/x` and `x` are the same branch. */
export function normalizeBranch(branch: string): string {
  return branch.trim().replace(/^refs\/heads\//, "");
}

const TYPE_PREFIX = /^(?:feature|features|feat|bugfix|fix|hotfix|chore|release|topic|users\/[^/]+)\//i;
const SLUG_MAX = 40;

/**
 * Readable part of a branch name: lowercase `[a-z0-9-]`, `refs/heads/` and a leading type prefix such
 * as `feature/` dropped, runs of separators collapsed. Not unique on its own: see `branchToken`.
 */
export function branchSlug(branch: string): string {
  const withoutPrefix = normalizeBranch(branch).replace(TYPE_PREFIX, "");
  const slug = withoutPrefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.slice(0, SLUG_MAX).replace(/-+$/, "") || "branch";
}

/**
 * The branch marker used in names: the slug alone when it spells the branch exactly, else the slug
 * plus a hash of the branch, so `feature/x`, `fix/x` and `X` never share names.
 */
export function branchToken(branch: string): string {
  const normalized = normalizeBranch(branch);
  const slug = branchSlug(normalized);
  const exact = slug === normalized && !/-[0-9a-f]{6}$/.test(slug);
  return exact ? slug : `${slug}-${shortHash(normalized, HASH_LEN)}`;
}

/** Pulumi stack for a feature branch, e.g. `branch-x-3f9a12`. */
export function branchStackName(branch: string): string {
  return truncateWithHash(`branch-${branchToken(branch)}`, 60);
}

export function isEnvironmentStack(stack: string): stack is EnvironmentName {
  return stack === "dev" || stack === "qa" || stack === "prod";
}

export interface EnvironmentNameContext {
  project: string;
  stack: string;
  environment: EnvironmentName;
  prefix: string;
  subscriptionId?: string;
}

/** Salt for globally unique names: same stack in another project or subscription → another name. */
function globalSalt(ctx: EnvironmentNameContext): string {
  return [ctx.project, ctx.stack, ctx.subscriptionId ?? ""].join("/");
}

export function deriveEnvironmentNames(ctx: EnvironmentNameContext): EnvironmentNames {
  const { prefix, environment: env } = ctx;
  const salt = globalSalt(ctx);
  const h = (kind: string, n: number) => shortHash(`${salt}/${kind}`, n);
  return {
    resourceGroup: `rg-${prefix}-${env}`,
    storageAccount: `st${prefix}${env}${h("storage", 8)}`,
    keyVault: `kv-${prefix}-${env}-${h("vault", 6)}`,
    containerRegistry: `cr${prefix}${env}${h("registry", 8)}`,
    logAnalytics: `log-${prefix}-${env}`,
    appInsights: `appi-${prefix}-${env}`,
    workspace: `mlw-${prefix}-${env}`,
    servingResourceGroup: `rg-${prefix}-${env}-serving`,
    virtualNetwork: `vnet-${prefix}-${env}`,
    aksCluster: `aks-${prefix}-${env}`,
    kubernetesCompute: computeClusterName(ctx, "aks"),
    // Endpoint names are unique per region across all customers: salt them too.
    onlineEndpoint: `ep-${prefix}-${env}-${h("online", 6)}`,
    batchEndpoint: `bep-${prefix}-${env}-${h("batch", 6)}`,
  };
}

/** Physical AmlCompute name for a cluster key, within the 16 characters every compute type accepts. */
export function computeClusterName(ctx: Pick<EnvironmentNameContext, "prefix" | "environment">, key: string): string {
  return truncateWithHash(`${ctx.prefix}-${ctx.environment}-${key}`, 16);
}

/** Datastore names allow lowercase letters, digits and '_' only. */
export function datastoreName(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

export interface PipelineNameArgs {
  pipelineType: string;
  base: string;
  /** Git branch for branch stacks; null (or absent) for dev/qa/prod, whose names carry no branch. */
  branch?: string | null;
  /** Accepted for callers that hold only a slug; `branch` is preferred (it keeps names collision-free). */
  branchSlug?: string | null;
}

function assetBase({ pipelineType, base, branch, branchSlug: slug }: PipelineNameArgs, sep: "_" | "-"): string {
  const parts = [pipelineType, base];
  const marker = branch ?? slug ?? null;
  if (marker !== null) parts.push(branchToken(marker));
  return parts.join(sep);
}

/** `<pipelineType>_<base>_<branch>` for the pipeline, its experiment and its model, within limits. */
export function pipelineAssetNames(args: PipelineNameArgs): { pipeline: string; experiment: string; model: string } {
  const full = assetBase(args, "_");
  return {
    pipeline: truncateWithHash(full, 255, "_"),
    experiment: truncateWithHash(full, 36, "_"),
    model: truncateWithHash(full, 30, "_"),
  };
}

/**
 * A name as Azure ML components need it: lowercase letters, digits and '_', starting with a letter
 * (the branch token's '-' becomes '_'). Checked here, so a bad name fails before anything is sent.
 */
function asComponentName(value: string): string {
  const full = value.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return assertValidName("component", truncateWithHash(full, 255, "_"));
}

/** The component of one pipeline step: `<pipelineType>_<base>[_<branch>]_<step>`. */
export function componentName(args: PipelineNameArgs & { step: string }): string {
  return asComponentName(`${assetBase(args, "_")}_${args.step}`);
}

/**
 * The pipeline component a definition is published as. It is a component, so it follows the
 * component rule, unlike the pipeline's display name (`pipelineAssetNames().pipeline`), which keeps
 * the branch token's '-'.
 */
export function pipelineComponentName(args: PipelineNameArgs): string {
  return asComponentName(assetBase(args, "_"));
}

/** Throws when a derived name breaks its rule: a naming bug must never reach Azure. */
export function assertValidName(kind: NameKind, value: string): string {
  const problem = checkName(kind, value);
  if (problem) throw new Error(`internal naming error: ${problem}`);
  return value;
}
