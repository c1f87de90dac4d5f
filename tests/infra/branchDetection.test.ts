import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectBranch, GitRunner } from "../../infra/branchDetection";

const noGit: GitRunner = () => null;
const gitSays =
  (branch: string): GitRunner =>
  (args) =>
    args.join(" ") === "rev-parse --abbrev-ref HEAD" ? branch : null;

describe("detectBranch: explicit branch", () => {
  it("prefers --branch/config over every CI variable and git", () => {
    const env = { GITHUB_HEAD_REF: "feature/gh", BUILD_SOURCEBRANCH: "refs/heads/feature/ado" };
    expect(detectBranch({ configBranch: "feature/explicit", env, git: gitSays("feature/git") })).toEqual({
      branch: "feature/explicit",
      source: "config",
    });
  });

  it("accepts a full ref and ignores a blank value", () => {
    expect(detectBranch({ configBranch: "refs/heads/feature/x", env: {}, git: noGit })).toEqual({ branch: "feature/x", source: "config" });
    expect(detectBranch({ configBranch: "  ", env: {}, git: gitSays("feature/git") })).toEqual({ branch: "feature/git", source: "git" });
  });
});

describe("detectBranch: GitHub Actions", () => {
  it("uses GITHUB_HEAD_REF on pull requests, not the merge ref name", () => {
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_HEAD_REF: "feature/churn-model",
      GITHUB_REF: "refs/pull/42/merge",
      GITHUB_REF_NAME: "42/merge",
    };
    expect(detectBranch({ env, git: noGit })).toEqual({ branch: "feature/churn-model", source: "github" });
  });

  it("uses GITHUB_REF_NAME on pushes, where GITHUB_HEAD_REF is empty", () => {
    const env = { GITHUB_HEAD_REF: "", GITHUB_REF: "refs/heads/feature/a/b", GITHUB_REF_NAME: "feature/a/b", GITHUB_REF_TYPE: "branch" };
    expect(detectBranch({ env, git: noGit })).toEqual({ branch: "feature/a/b", source: "github" });
  });

  it("does not take a tag or a pull-request ref for a branch", () => {
    expect(detectBranch({ env: { GITHUB_REF_NAME: "v1.2.0", GITHUB_REF_TYPE: "tag" }, git: noGit })).toBeNull();
    expect(detectBranch({ env: { GITHUB_REF_NAME: "42/merge", GITHUB_REF: "refs/pull/42/merge" }, git: noGit })).toBeNull();
  });

  it("wins over Azure DevOps variables", () => {
    const env = { GITHUB_REF_NAME: "feature/gh", BUILD_SOURCEBRANCHNAME: "ado" };
    expect(detectBranch({ env, git: noGit })?.source).toBe("github");
  });
});

describe("detectBranch: Azure DevOps", () => {
  it("uses SYSTEM_PULLREQUEST_SOURCEBRANCH for pull requests, stripping refs/heads/", () => {
    const env = {
      TF_BUILD: "True",
      SYSTEM_PULLREQUEST_SOURCEBRANCH: "refs/heads/feature/churn-model",
      BUILD_SOURCEBRANCH: "refs/pull/7/merge",
      BUILD_SOURCEBRANCHNAME: "merge",
    };
    expect(detectBranch({ env, git: noGit })).toEqual({ branch: "feature/churn-model", source: "azure-devops" });
  });

  it("accepts the short form GitHub-hosted repositories give for the pull-request source", () => {
    expect(detectBranch({ env: { SYSTEM_PULLREQUEST_SOURCEBRANCH: "feature/x" }, git: noGit })).toEqual({
      branch: "feature/x",
      source: "azure-devops",
    });
  });

  it("prefers BUILD_SOURCEBRANCH, because BUILD_SOURCEBRANCHNAME keeps only the last segment", () => {
    const env = { BUILD_SOURCEBRANCH: "refs/heads/feature/team/x", BUILD_SOURCEBRANCHNAME: "x" };
    expect(detectBranch({ env, git: noGit })).toEqual({ branch: "feature/team/x", source: "azure-devops" });
  });

  it("falls back to BUILD_SOURCEBRANCHNAME when it is the only variable", () => {
    expect(detectBranch({ env: { BUILD_SOURCEBRANCHNAME: "dev" }, git: noGit })).toEqual({ branch: "dev", source: "azure-devops" });
  });

  it("does not take a tag build for a branch", () => {
    expect(detectBranch({ env: { BUILD_SOURCEBRANCH: "refs/tags/v1", BUILD_SOURCEBRANCHNAME: "v1" }, git: noGit })).toBeNull();
  });
});

describe("detectBranch: git (injected runner)", () => {
  it("asks git for the abbreviated HEAD when no CI variable names a branch", () => {
    const calls: string[][] = [];
    const git: GitRunner = (args) => {
      calls.push(args);
      return "feature/local";
    };
    expect(detectBranch({ env: {}, git })).toEqual({ branch: "feature/local", source: "git" });
    expect(calls).toEqual([["rev-parse", "--abbrev-ref", "HEAD"]]);
  });

  it("treats a detached HEAD as no branch", () => {
    expect(detectBranch({ env: {}, git: gitSays("HEAD") })).toBeNull();
  });

  it("returns null when git is unavailable", () => {
    expect(detectBranch({ env: {}, git: noGit })).toBeNull();
  });
});

describe("detectBranch: git (a real temporary repository)", () => {
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mlops-branch-"));
    git("init", "--quiet", "--initial-branch", "feature/first");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the branch of a repository with no commit yet", () => {
    expect(detectBranch({ env: {}, cwd: dir })).toEqual({ branch: "feature/first", source: "git" });
  });

  it("names the checked-out branch, and nothing on a detached HEAD", () => {
    writeFileSync(join(dir, "file.txt"), "x");
    git("add", "file.txt");
    git("commit", "--quiet", "-m", "first");
    git("checkout", "--quiet", "-b", "feature/churn-model");
    expect(detectBranch({ env: {}, cwd: dir })).toEqual({ branch: "feature/churn-model", source: "git" });

    git("checkout", "--quiet", "--detach");
    expect(detectBranch({ env: {}, cwd: dir })).toBeNull();
  });

  it("returns null outside a repository", () => {
    const outside = mkdtempSync(join(tmpdir(), "mlops-nogit-"));
    try {
      expect(detectBranch({ env: {}, cwd: outside })).toBeNull();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
