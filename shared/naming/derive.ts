import { createHash } from "node:crypto";
import type { EnvironmentName } from "../kinds";
import { checkName, NameKind } from "./rules";
import { environmentLabel, environmentOfStack } from "./environments";

/** The physical names of one environment's resources, derived from project, stack and prefix. */
export interface EnvironmentNames {
  resourceGroup: string;
  storageAccount: string;
  keyVault: string;
  containerRegistry: string;
  logAnalytics: string;
  appInsights: string;
  workspace: string;
  /** Serving lives in its own resource group and network (isolation). */
  servingResourceGroup: string;
  virtualNetwork: string;
  aksCluster: string;
  kubernetesCompute: string;
  onlineEndpoint: string;
  batchEndpoint: string;
}

/** Lowercase hex of sha256: stable across machines and Node versions. */
export function shortHash(input: string, length = 6): string {
  return createHash("sha256").update(input, "utf8").digest("hex").slice(0, length);
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * `chars` characters of base32 (RFC 4648 alphabet, lowercase: `a-z2-7`) over sha256: 5 bits a
 * character, so more bits fit the short limits of model (30) and experiment (36) names than hex.
 */
export function base32Hash(input: string, chars: number): string {
  const digest = createHash("sha256").update(input, "utf8").digest();
  let out = "";
  for (let i = 0; i < chars; i++) {
    const bit = i * 5;
    const word = (digest[bit >> 3] << 8) | (digest[(bit >> 3) + 1] ?? 0);
    out += BASE32[(word >> (11 - (bit & 7))) & 31];
  }
  return out;
}

const HASH_LEN = 6;

/**
 * Hash length for every name a branch determines: 13 base32 characters = 65 bits. Two distinct
 * branches share a name only if their hashes collide; over N branches the chance of any collision is
 * at most N(N−1)/2 / 2^65 (birthday bound): below 3·10⁻¹² for 10,000 branches, 3·10⁻⁸ for a million.
 */
export const BRANCH_HASH_CHARS = 13;
export const BRANCH_HASH_BITS = BRANCH_HASH_CHARS * 5;

/**
 * Keeps `value` when it fits; otherwise cuts it and appends a hash of the whole value, so two inputs
 * that share a long prefix (`…-model-a`, `…-model-b`) never end up with the same name. `hash` picks
 * the hash: 6 hex characters for config-derived names (a handful of keys), the branch-strength hash
 * for names that carry a branch.
 */
export function truncateWithHash(value: string, max: number, separator = "-", hash: "short" | "branch" = "short"): string {
  if (value.length <= max) return value;
  const digest = hash === "branch" ? base32Hash(value, BRANCH_HASH_CHARS) : shortHash(value, HASH_LEN);
  const keep = max - digest.length - separator.length;
  const head = value.slice(0, keep).replace(/[-_.]+$/, "");
  return `${head}${separator}${digest}`;
}

/**
 * The one normalization of a branch name, shared by naming, the plan, branch detection and
 * branch-stack: surrounding whitespace and `refs/heads/` dropped (`refs/heads/x` and `x` are the same
 * branch). Nothing else changes: git branches are case- and separator-sensitive.
 */
export function normalizeBranch(branch: string): string {
  return branch.trim().replace(/^refs\/heads\//, "");
}

// Characters and forms git refuses in branch names (git check-ref-format), plus whitespace inside.
// Control characters are refused too: that part of the pattern is meant to match them.
// eslint-disable-next-line no-control-regex
const BAD_BRANCH = /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\/|^@$/;

/** Why `branch` is not a git branch name (after normalization), or null when it is one. */
export function branchProblem(branch: string): string | null {
  const normalized = normalizeBranch(branch);
  if (!normalized) return `'${branch}' names no branch`;
  if (BAD_BRANCH.test(normalized)) return `'${branch}' is not a valid git branch name`;
  return null;
}

const TYPE_PREFIX = /^(?:feature|features|feat|bugfix|fix|hotfix|chore|release|topic|users\/[^/]+)\//i;
const SLUG_MAX = 32;

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
 * The branch marker used in names: the readable slug plus a 65-bit hash of the normalized branch, so
 * branches that differ only in case, separators, prefix or digits the slug cut off (`JIRA-565-fix`,
 * `JIRA-4690-fix`) never share names.
 */
export function branchToken(branch: string): string {
  const normalized = normalizeBranch(branch);
  return `${branchSlug(normalized)}-${base32Hash(normalized, BRANCH_HASH_CHARS)}`;
}

/** Pulumi stack for a feature branch, e.g. `branch-x-3f9a12`. */
export function branchStackName(branch: string): string {
  return truncateWithHash(`branch-${branchToken(branch)}`, 60, "-", "branch");
}

/** dev, qa, prod and every `prod-<name>` (see `./environments`); any other stack is a branch stack. */
export function isEnvironmentStack(stack: string): boolean {
  return environmentOfStack(stack) !== null;
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

/**
 * The readable stem of a length-limited name, cut to `room` characters: the salted hash that follows
 * it keeps the name unique, so cutting loses only readability (`prod-<name>` in a key vault).
 */
function fit(stem: string, room: number): string {
  return stem.slice(0, Math.max(room, 0)).replace(/-+$/, "");
}

export function deriveEnvironmentNames(ctx: EnvironmentNameContext): EnvironmentNames {
  const { prefix } = ctx;
  // dev/qa/prod: the environment; prod-<name>: the stack, so two production stacks never share a name.
  const env = environmentLabel(ctx.stack, ctx.environment);
  const compact = env.replace(/-/g, "");
  const salt = globalSalt(ctx);
  const h = (kind: string, n: number) => shortHash(`${salt}/${kind}`, n);
  return {
    resourceGroup: `rg-${prefix}-${env}`,
    // storage 3–24, key vault 3–24, endpoints 3–32 (docs/architecture.md, "Names"): the stem yields what does not fit.
    storageAccount: `st${prefix}${fit(compact, 24 - 2 - prefix.length - 8)}${h("storage", 8)}`,
    keyVault: `kv-${prefix}-${fit(compact, 24 - 4 - prefix.length - 7)}-${h("vault", 6)}`,
    containerRegistry: `cr${prefix}${compact}${h("registry", 8)}`,
    logAnalytics: `log-${prefix}-${env}`,
    appInsights: `appi-${prefix}-${env}`,
    workspace: `mlw-${prefix}-${env}`,
    servingResourceGroup: `rg-${prefix}-${env}-serving`,
    virtualNetwork: `vnet-${prefix}-${env}`,
    aksCluster: `aks-${prefix}-${env}`,
    kubernetesCompute: computeClusterName(ctx, "aks"),
    // Endpoint names are unique per region across all customers: salt them too.
    onlineEndpoint: `ep-${prefix}-${fit(env, 32 - 4 - prefix.length - 7)}-${h("online", 6)}`,
    batchEndpoint: `bep-${prefix}-${fit(env, 32 - 5 - prefix.length - 7)}-${h("batch", 6)}`,
  };
}

/** Physical AmlCompute name for a cluster key, within the 16 characters every compute type accepts. */
export function computeClusterName(ctx: Pick<EnvironmentNameContext, "prefix" | "environment"> & { stack?: string }, key: string): string {
  const env = ctx.stack ? environmentLabel(ctx.stack, ctx.environment) : ctx.environment;
  return truncateWithHash(`${ctx.prefix}-${env}-${key}`, 16);
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
    pipeline: truncateWithHash(full, 255, "_", "branch"),
    experiment: truncateWithHash(full, 36, "_", "branch"),
    model: truncateWithHash(full, 30, "_", "branch"),
  };
}

/**
 * A name as Azure ML components need it: lowercase letters, digits and '_', starting with a letter
 * (the branch token's '-' becomes '_'). Checked here, so a bad name fails before anything is sent.
 */
function asComponentName(value: string): string {
  const full = value.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return assertValidName("component", truncateWithHash(full, 255, "_", "branch"));
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
