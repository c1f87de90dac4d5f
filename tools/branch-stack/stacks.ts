import { InputError } from "../../shared/errors";
import { isEnvironmentStack, normalizeBranch } from "../../shared/naming";
import { CommandRunner, runOrThrow } from "./commands";
import type { StackBackend } from "./workspace";

/** Config key that tells the program which git branch a branch stack belongs to. */
export const BRANCH_CONFIG_KEY = "mlops:branch";

export interface BranchStackContext {
  pulumi: StackBackend;
  /** Runs `git` (branch listing for prune). */
  run: CommandRunner;
  /** Stack whose config a new branch stack copies (`dev`, or `org/dev` on Pulumi Cloud). */
  devStack: string;
  /**
   * Secrets provider for new stacks (e.g. `azurekeyvault://…`) on self-managed backends, where the
   * default would be a passphrase the CI does not have.
   */
  secretsProvider?: string;
  /** Progress lines for the user (stderr). */
  log: (line: string) => void;
}

export interface BranchStackTarget {
  branch: string;
  /** As passed to pulumi, possibly org-qualified. */
  stack: string;
}

/** `org/project/name`, `org/name` and `name` all denote the stack `name` of the current project. */
function shortName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

export async function stackExists(ctx: BranchStackContext, stack: string): Promise<boolean> {
  const wanted = shortName(stack);
  return (await ctx.pulumi.listStacks()).some((name) => shortName(name) === wanted);
}

function refuseEnvironmentStack(stack: string): void {
  // Branch stacks are disposable; dev/qa/prod are not, whatever a caller passes (any letter case).
  if (isEnvironmentStack(shortName(stack).toLowerCase())) throw new Error(`refusing to touch environment stack '${stack}' as a branch stack`);
}

/**
 * Creates the branch stack with dev's settings, or selects it when it exists (so a pull request's
 * every push can call this), then records its branch in the stack config. A stack this call created
 * is removed again when a later step fails, so no half-made stack is left for prune to miss.
 */
export async function createBranchStack(ctx: BranchStackContext, target: BranchStackTarget): Promise<"created" | "existing"> {
  refuseEnvironmentStack(target.stack);
  const existed = await stackExists(ctx, target.stack);
  if (existed) {
    await refuseOtherBranch(ctx, target);
    ctx.log(`stack ${target.stack} exists: selecting it`);
    await ctx.pulumi.selectStack(target.stack, { create: false });
    await ctx.pulumi.setConfig(target.stack, BRANCH_CONFIG_KEY, target.branch);
    return "existing";
  }
  ctx.log(`creating stack ${target.stack} with the settings of ${ctx.devStack}`);
  await ctx.pulumi.createStack(target.stack, ctx.devStack, ctx.secretsProvider);
  try {
    await ctx.pulumi.setConfig(target.stack, BRANCH_CONFIG_KEY, target.branch);
  } catch (err) {
    await undoCreate(ctx, target.stack, err);
  }
  return "created";
}

/** Selects the branch stack for local work, creating an empty one when missing. */
export async function selectBranchStack(ctx: BranchStackContext, target: BranchStackTarget): Promise<void> {
  refuseEnvironmentStack(target.stack);
  const existed = await stackExists(ctx, target.stack);
  if (existed) await refuseOtherBranch(ctx, target);
  await ctx.pulumi.selectStack(target.stack, { create: true, secretsProvider: ctx.secretsProvider });
  try {
    await ctx.pulumi.setConfig(target.stack, BRANCH_CONFIG_KEY, target.branch);
  } catch (err) {
    if (existed) throw err;
    await undoCreate(ctx, target.stack, err);
  }
}

/** A new, still empty stack is removed; the original failure is what the user sees. */
async function undoCreate(ctx: BranchStackContext, stack: string, cause: unknown): Promise<never> {
  ctx.log(`setting up ${stack} failed: removing the stack this command created`);
  try {
    await ctx.pulumi.removeStack(stack);
  } catch (undoErr) {
    throw new Error(`${(cause as Error).message}\nand removing the half-made stack ${stack} failed too (remove it with \`pulumi stack rm ${stack}\`): ${(undoErr as Error).message}`, { cause: undoErr });
  }
  throw cause;
}

/**
 * A stack whose recorded branch is another branch is not this branch's stack (a name collision or a
 * hand-made stack): never reconfigure or destroy it on this branch's behalf.
 */
async function refuseOtherBranch(ctx: BranchStackContext, target: BranchStackTarget): Promise<void> {
  const recorded = await ctx.pulumi.getConfig(target.stack, BRANCH_CONFIG_KEY);
  if (recorded !== undefined && normalizeBranch(recorded) !== normalizeBranch(target.branch)) {
    throw new InputError([
      { file: "command line", path: "--branch", message: `stack ${target.stack} belongs to branch '${recorded}', not '${target.branch}': left untouched` },
    ]);
  }
}

/** Destroys the branch stack's resources, then the stack. A missing stack is already removed. */
export async function removeBranchStack(ctx: BranchStackContext, target: BranchStackTarget | string): Promise<"removed" | "absent"> {
  const stack = typeof target === "string" ? target : target.stack;
  refuseEnvironmentStack(stack);
  if (!(await stackExists(ctx, stack))) {
    ctx.log(`stack ${stack} does not exist: nothing to remove`);
    return "absent";
  }
  if (typeof target !== "string") await refuseOtherBranch(ctx, target);
  await ctx.pulumi.destroy(stack, (text) => ctx.log(text.replace(/\n$/, "")));
  // No --force on `stack rm`: if destroy left resources behind, removing the stack would orphan them.
  await ctx.pulumi.removeStack(stack);
  return "removed";
}

const LS_REMOTE_LINE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?\t(refs\/\S+)$/;

/**
 * Branch names on a remote, from `git ls-remote --heads <remote>`, in the normalized form the
 * program uses. Any line that is not `<sha>\trefs/...`, or an empty listing, fails: prune must never
 * read "no branches" from a listing that went wrong (a remote always has at least its default branch).
 */
export function remoteBranches(ctx: BranchStackContext, remote: string): Set<string> {
  const { stdout } = runOrThrow(ctx.run, "git", ["ls-remote", "--heads", remote], true);
  const branches = new Set<string>();
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const match = LS_REMOTE_LINE.exec(line.trim());
    if (!match) throw new Error(`\`git ls-remote --heads ${remote}\` printed a line that is not '<sha>\\t<ref>': ${JSON.stringify(line.slice(0, 200))}; nothing removed`);
    if (match[1].startsWith("refs/heads/")) branches.add(normalizeBranch(match[1]));
  }
  if (branches.size === 0) throw new Error(`\`git ls-remote --heads ${remote}\` listed no branches: refusing to treat every branch stack as stale; nothing removed`);
  return branches;
}

/**
 * Branch stacks whose branch no longer exists (merged and deleted). Branches compare in the one
 * normalized form (`refs/heads/x` and `x` are the same branch). Stacks whose branch cannot be read
 * from their config are kept: nothing is removed on a guess.
 */
export async function staleBranchStacks(ctx: BranchStackContext, liveBranches: Set<string>): Promise<BranchStackTarget[]> {
  const stale: BranchStackTarget[] = [];
  for (const stack of await ctx.pulumi.listStacks()) {
    if (isEnvironmentStack(shortName(stack).toLowerCase())) continue;
    let branch: string | undefined;
    try {
      branch = (await ctx.pulumi.getConfig(stack, BRANCH_CONFIG_KEY))?.trim();
    } catch (err) {
      ctx.log(`skipping stack ${stack}: reading its ${BRANCH_CONFIG_KEY} failed (${(err as Error).message.split("\n")[0]})`);
      continue;
    }
    if (!branch) {
      ctx.log(`skipping stack ${stack}: it has no ${BRANCH_CONFIG_KEY} config`);
      continue;
    }
    if (!liveBranches.has(normalizeBranch(branch))) stale.push({ branch, stack });
  }
  return stale;
}
