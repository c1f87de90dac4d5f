import { isEnvironmentStack } from "../../infra/naming";
import { CommandRunner, runOrThrow } from "./commands";

/** Config key that tells the program which git branch a branch stack belongs to. */
export const BRANCH_CONFIG_KEY = "mlops:branch";

export interface BranchStackContext {
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

/** Stacks of the current project, from `pulumi stack ls --json`. */
export function listStacks(ctx: BranchStackContext): string[] {
  const { stdout } = runOrThrow(ctx.run, "pulumi", ["stack", "ls", "--json"], true);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`\`pulumi stack ls --json\` printed something that is not JSON: ${stdout.slice(0, 200)}`);
  }
  if (!Array.isArray(parsed)) throw new Error("`pulumi stack ls --json` did not print a list of stacks");
  return parsed
    .map((entry) => (entry && typeof entry === "object" ? (entry as { name?: unknown }).name : undefined))
    .filter((name): name is string => typeof name === "string");
}

export function stackExists(ctx: BranchStackContext, stack: string): boolean {
  const wanted = shortName(stack);
  return listStacks(ctx).some((name) => shortName(name) === wanted);
}

function refuseEnvironmentStack(stack: string): void {
  // Branch stacks are disposable; dev/qa/prod are not, whatever a caller passes.
  if (isEnvironmentStack(shortName(stack))) throw new Error(`refusing to touch environment stack '${stack}' as a branch stack`);
}

function setBranch(ctx: BranchStackContext, target: BranchStackTarget): void {
  runOrThrow(ctx.run, "pulumi", ["config", "set", BRANCH_CONFIG_KEY, target.branch, "--stack", target.stack]);
}

/**
 * Creates the branch stack with dev's settings, or selects it when it exists (so a pull request's
 * every push can call this), then records its branch in the stack config.
 */
export function createBranchStack(ctx: BranchStackContext, target: BranchStackTarget): "created" | "existing" {
  refuseEnvironmentStack(target.stack);
  const existed = stackExists(ctx, target.stack);
  if (existed) {
    ctx.log(`stack ${target.stack} exists: selecting it`);
    runOrThrow(ctx.run, "pulumi", ["stack", "select", target.stack]);
  } else {
    ctx.log(`creating stack ${target.stack} with the settings of ${ctx.devStack}`);
    const secrets = ctx.secretsProvider ? ["--secrets-provider", ctx.secretsProvider] : [];
    runOrThrow(ctx.run, "pulumi", ["stack", "init", target.stack, "--copy-config-from", ctx.devStack, ...secrets]);
  }
  setBranch(ctx, target);
  return existed ? "existing" : "created";
}

/** Selects the branch stack for local work, creating an empty one when missing. */
export function selectBranchStack(ctx: BranchStackContext, target: BranchStackTarget): void {
  refuseEnvironmentStack(target.stack);
  const secrets = ctx.secretsProvider ? ["--secrets-provider", ctx.secretsProvider] : [];
  runOrThrow(ctx.run, "pulumi", ["stack", "select", "--create", target.stack, ...secrets]);
  setBranch(ctx, target);
}

/** Destroys the branch stack's resources, then the stack. A missing stack is already removed. */
export function removeBranchStack(ctx: BranchStackContext, stack: string): "removed" | "absent" {
  refuseEnvironmentStack(stack);
  if (!stackExists(ctx, stack)) {
    ctx.log(`stack ${stack} does not exist: nothing to remove`);
    return "absent";
  }
  // No --force on `stack rm`: if destroy left resources behind, removing the stack would orphan them.
  runOrThrow(ctx.run, "pulumi", ["destroy", "--yes", "--stack", stack]);
  runOrThrow(ctx.run, "pulumi", ["stack", "rm", "--yes", stack]);
  return "removed";
}

/** Branch names on a remote, from `git ls-remote --heads <remote>`. */
export function remoteBranches(ctx: BranchStackContext, remote: string): Set<string> {
  const { stdout } = runOrThrow(ctx.run, "git", ["ls-remote", "--heads", remote], true);
  const branches = new Set<string>();
  for (const line of stdout.split("\n")) {
    const ref = line.split("\t")[1]?.trim();
    if (ref?.startsWith("refs/heads/")) branches.add(ref.slice("refs/heads/".length));
  }
  return branches;
}

/**
 * Branch stacks whose branch no longer exists (merged and deleted). Stacks whose branch cannot be
 * read from their config are kept: nothing is removed on a guess.
 */
export function staleBranchStacks(ctx: BranchStackContext, liveBranches: Set<string>): BranchStackTarget[] {
  const stale: BranchStackTarget[] = [];
  for (const stack of listStacks(ctx)) {
    if (isEnvironmentStack(shortName(stack))) continue;
    const result = ctx.run("pulumi", ["config", "get", BRANCH_CONFIG_KEY, "--stack", stack], { capture: true });
    const branch = result.status === 0 ? result.stdout.trim() : "";
    if (!branch) {
      ctx.log(`skipping stack ${stack}: it has no ${BRANCH_CONFIG_KEY} config`);
      continue;
    }
    if (!liveBranches.has(branch)) stale.push({ branch, stack });
  }
  return stale;
}
