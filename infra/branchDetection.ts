import { execFileSync } from "node:child_process";
import { normalizeBranch } from "../shared/naming/derive";

/** Where the branch of a branch stack came from, in the order they are tried. */
export type BranchSource = "config" | "github" | "azure-devops" | "git";

export interface DetectedBranch {
  branch: string;
  source: BranchSource;
}

/** Runs `git <args>` and returns its trimmed stdout, or null when git fails or is missing. */
export type GitRunner = (args: string[]) => string | null;

export interface DetectBranchInput {
  /** `--branch` or the stack's `mlops:branch` config: wins over everything else. */
  configBranch?: string;
  env: NodeJS.ProcessEnv;
  /** Folder git runs in when no CI variable names the branch (default: the process's cwd). */
  cwd?: string;
  /** Injected in tests; the default runs the real `git`. */
  git?: GitRunner;
}

const HEADS = "refs/heads/";

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** `refs/heads/feature/x` → `feature/x`; any other `refs/...` (pull, tags) is not a branch. */
function branchFromRef(ref: string | undefined): string | undefined {
  const value = nonEmpty(ref);
  if (!value) return undefined;
  if (value.startsWith(HEADS)) return nonEmpty(normalizeBranch(value));
  if (value.startsWith("refs/")) return undefined;
  return value;
}

function fromGitHub(env: NodeJS.ProcessEnv): string | undefined {
  // GITHUB_HEAD_REF is set only for pull_request(_target) events and holds the source branch; there,
  // GITHUB_REF_NAME is `<number>/merge`, which is not a branch.
  const head = branchFromRef(env.GITHUB_HEAD_REF);
  if (head) return head;
  if (env.GITHUB_REF_TYPE === "tag") return undefined;
  if (env.GITHUB_REF?.startsWith("refs/pull/")) return undefined;
  return branchFromRef(env.GITHUB_REF_NAME);
}

function fromAzureDevOps(env: NodeJS.ProcessEnv): string | undefined {
  // Azure Repos gives `refs/heads/x` in SYSTEM_PULLREQUEST_SOURCEBRANCH, GitHub-hosted repos give `x`.
  const pullRequestSource = branchFromRef(env.SYSTEM_PULLREQUEST_SOURCEBRANCH);
  if (pullRequestSource) return pullRequestSource;
  // BUILD_SOURCEBRANCHNAME keeps only the last path segment (`feature/x` → `x`), so the full ref wins.
  const fullRef = nonEmpty(env.BUILD_SOURCEBRANCH);
  if (fullRef) return branchFromRef(fullRef);
  return nonEmpty(env.BUILD_SOURCEBRANCHNAME);
}

export const runGit =
  (cwd?: string): GitRunner =>
  (args) => {
    try {
      return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };

function fromGit(git: GitRunner): string | undefined {
  const revParse = git(["rev-parse", "--abbrev-ref", "HEAD"]);
  // A detached HEAD (CI checkouts of a commit or a merge ref) prints `HEAD`: there is no branch.
  if (revParse !== null) return revParse === "HEAD" ? undefined : nonEmpty(revParse);
  // rev-parse fails on a branch with no commit yet; symbolic-ref still names it.
  return nonEmpty(git(["symbolic-ref", "--short", "-q", "HEAD"]) ?? undefined);
}

/**
 * The git branch a branch stack belongs to: explicit (`--branch` or config), then the CI's own
 * variables (GitHub Actions, then Azure DevOps), then the local checkout. Null when none names one.
 */
export function detectBranch(input: DetectBranchInput): DetectedBranch | null {
  const explicit = nonEmpty(input.configBranch);
  if (explicit) return { branch: normalizeBranch(explicit), source: "config" };

  const github = fromGitHub(input.env);
  if (github) return { branch: github, source: "github" };

  const azureDevOps = fromAzureDevOps(input.env);
  if (azureDevOps) return { branch: azureDevOps, source: "azure-devops" };

  const local = fromGit(input.git ?? runGit(input.cwd));
  if (local) return { branch: local, source: "git" };

  return null;
}
