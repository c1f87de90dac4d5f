/**
 * The pull-request preview end to end with the real program: `npm run plan` of a branch stack and of
 * dev, then the comment rendered against the target branch's plans.
 */
import { launchArgs } from "../../support/launch";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { branchToken } from "../../../shared/naming";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { repoRoot } from "./workflowFiles";

const BRANCH = "feature/x";
const PUBLISHED_PIPELINE = "pulumi-nodejs:dynamic/mlops:PublishedPipeline";
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** A project command started as `npm run` starts it (the launcher). */
function command(args: string[]) {
  return spawnSync(process.execPath, launchArgs(args[0], args.slice(1)), { cwd: repoRoot, encoding: "utf8", env: { ...process.env, GITHUB_HEAD_REF: "" } });
}

let root: string;
let branchPlan: PlanDocument;
let devPlan: PlanDocument;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mlops-branch-preview-"));
  const head = join(root, "head");
  for (const args of [["branch-x", "--branch", BRANCH], ["dev"]]) {
    const result = command(["tools/plan/cli.ts", ...args, "--out", head]);
    if (![0, 3].includes(result.status ?? -1)) throw new Error(`npm run plan -- ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  }
  branchPlan = JSON.parse(readFileSync(join(head, "branch-x.plan.json"), "utf8"));
  devPlan = JSON.parse(readFileSync(join(head, "dev.plan.json"), "utf8"));
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const managed = (plan: PlanDocument): PlanResource[] => plan.resources.filter((r) => r.custom && !r.read);

describe("npm run plan -- branch-x --branch feature/x", () => {
  it("is a branch stack of dev for that branch", () => {
    expect(branchPlan).toMatchObject({ stack: "branch-x", kind: "branch", environment: "dev", branch: BRANCH });
  });

  it("reads dev through a stack reference instead of declaring infrastructure", () => {
    const refs = branchPlan.resources.filter((r) => r.type === STACK_REFERENCE);
    expect(refs).toHaveLength(1);
    expect(refs[0].read).toBe(true);
    expect(String(refs[0].inputs.name)).toMatch(/\/dev$/);
  });

  it("manages published pipelines only, each named for the branch and aimed at dev's workspace placeholder", () => {
    const resources = managed(branchPlan);
    expect(resources.length).toBeGreaterThan(0);
    expect([...new Set(resources.map((r) => r.type))]).toEqual([PUBLISHED_PIPELINE]);
    const token = branchToken(BRANCH);
    for (const r of resources) {
      const inputs = JSON.stringify(r.inputs);
      expect(inputs).toContain(token);
      // Stack references resolve offline to `<stack>:<output>` placeholders (tools/plan).
      expect(inputs).toMatch(/\/dev:workspaceName/);
    }
  });

  it("declares none of dev's own resources", () => {
    const devTypes = new Set(managed(devPlan).map((r) => r.type));
    expect(devTypes.has("azure-native:machinelearningservices:Workspace")).toBe(true);
    for (const r of managed(branchPlan)) expect(devTypes.has(r.type) && r.type !== PUBLISHED_PIPELINE).toBe(false);
  });
});

describe("pull-request comment from real plans", () => {
  it("shows the branch stack's changed pipeline against the target branch, and dev unchanged", () => {
    const base = join(root, "base");
    mkdirSync(base);
    copyFileSync(join(root, "head", "dev.plan.json"), join(base, "dev.plan.json"));
    // The target branch's plan of the same branch stack, before this pull request changed a step.
    const before: PlanDocument = JSON.parse(JSON.stringify(branchPlan));
    const changed = managed(before)[0];
    const headHash = changed.inputs.contentHash;
    expect(typeof headHash).toBe("string");
    changed.inputs = { ...changed.inputs, contentHash: "before-this-pull-request" };
    writeFileSync(join(base, "branch-x.plan.json"), JSON.stringify(before));

    const out = join(root, "comment.md");
    const result = command(["tools/pr-comment/cli.ts", "--base", base, "--head", join(root, "head"), "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const comment = readFileSync(out, "utf8");
    expect(comment).toMatch(/\| `branch-x` \| branch `feature\/x` \| 0 \| 0 \| 1 \|/);
    expect(comment).toContain(`| \`inputs.contentHash\` | \`"before-this-pull-request"\` | \`${JSON.stringify(headHash)}\` |`);
    expect(comment).toContain("No changes in `dev`.");
    expect(comment).toContain("```mermaid");
  });
});
