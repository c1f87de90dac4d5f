import { launchArgs } from "../../support/launch";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../../shared/errors";
import { readPlanFolders } from "../../../tools/pr-comment/collect";
import { main } from "../../../tools/pr-comment/cli";
import { COMMENT_MARKER, renderPullRequestComment } from "../../../tools/pr-comment/render";
import type { PlanDocument } from "../../../shared/plan";
import { BRANCH, branchPlan, devPlan } from "../../system/cicd/planFixtures";

const repoRoot = join(__dirname, "../../..");
const BRANCH_STACK = "branch-churn-model-1a2b3c";

let root: string;
let n = 0;

function folder(plans: PlanDocument[], errors: Record<string, string> = {}): string {
  const dir = join(root, `plans-${n++}`);
  mkdirSync(dir);
  for (const p of plans) writeFileSync(join(dir, `${p.stack}.plan.json`), JSON.stringify(p, null, 2));
  for (const [stack, message] of Object.entries(errors)) writeFileSync(join(dir, `${stack}.plan.error`), message);
  return dir;
}

const qa = (): PlanDocument => ({ ...devPlan({ gpuMaxNodes: 2, withScoringCluster: false }), stack: "qa", environment: "qa" });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mlops-pr-comment-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("pull-request comment", () => {
  let comment: string;
  beforeAll(() => {
    const base = folder([devPlan({ gpuMaxNodes: 2, withScoringCluster: false }), branchPlan(BRANCH_STACK, { trainingHash: "sha256:aaaa" }), qa()]);
    const head = folder(
      [devPlan({ gpuMaxNodes: 4, withScoringCluster: true }), branchPlan(BRANCH_STACK, { trainingHash: "sha256:bbbb" }), qa()],
      { prod: "exit code 2\n1 problem found:\n  - Pulumi.prod.yaml: mlops:serving.systemPool.minCount: expected ≥ 1" },
    );
    comment = renderPullRequestComment(readPlanFolders(head, base));
  });

  it("starts with the marker the comment workflow updates it by", () => {
    expect(comment.split("\n")[0]).toBe(COMMENT_MARKER);
  });

  it("summarises each stack with counts from the diff against the target branch", () => {
    expect(comment).toContain("| `dev` | environment | 1 | 0 | 1 | 3 | 0 | ok |");
    expect(comment).toContain(`| \`${BRANCH_STACK}\` | branch \`${BRANCH}\` | 0 | 0 | 1 | 2 | 0 | ok |`);
    expect(comment).toContain("| `qa` | environment | 0 | 0 | 0 | 4 | 0 | ok |");
  });

  it("lists changed resources with their property paths, before and after", () => {
    expect(comment).toMatch(/mlops-dev-gpu.*`inputs\.properties\.properties\.scaleSettings\.maxNodeCount`.*`2`.*`4`/);
    expect(comment).toMatch(/training-pipeline.*`inputs\.contentHash`.*sha256:aaaa.*sha256:bbbb/);
    expect(comment).toMatch(/\| \+ \| mlops-dev-score/);
  });

  it("details only the affected stacks, branch stack first, each with its Mermaid diagram", () => {
    const sections = [...comment.matchAll(/<summary><b>([^<]+)<\/b>/g)].map((m) => m[1]);
    expect(sections).toEqual([BRANCH_STACK, "dev"]);
    expect(comment.match(/```mermaid/g)).toHaveLength(2);
    expect(comment).toContain("No changes in `qa`.");
  });

  it("nests the plan tool's headings under the comment's own", () => {
    expect(comment).toContain("### Plan: `mlops` / `dev`");
    expect(comment).toContain("#### Changes");
    expect(comment.match(/^## /gm)).toHaveLength(1);
  });

  it("reports a stack whose plan failed, with the build's message", () => {
    expect(comment).toContain("### Plans that failed");
    expect(comment).toContain("Pulumi.prod.yaml: mlops:serving.systemPool.minCount");
  });
});

describe("pull-request comment edge cases", () => {
  it("compares a branch stack the target branch never planned with nothing: all added, marked new", () => {
    const head = folder([branchPlan(BRANCH_STACK, { trainingHash: "sha256:bbbb" })]);
    const comment = renderPullRequestComment(readPlanFolders(head, folder([])));
    expect(comment).toContain(`| \`${BRANCH_STACK}\` _(new)_ | branch \`${BRANCH}\` | 3 | 0 | 0 | 0 | 0 | ok |`);
  });

  it("treats a stack with a mandatory violation as affected even when nothing changed", () => {
    const p = branchPlan(BRANCH_STACK, { trainingHash: "sha256:aaaa", mandatoryViolation: true });
    const comment = renderPullRequestComment(readPlanFolders(folder([p]), folder([p])));
    expect(comment).toContain("**1 mandatory**");
    expect(comment).toContain(`<summary><b>${BRANCH_STACK}</b>`);
    expect(comment).toContain("unknown cluster 'tpu'");
  });

  it("drops the least useful detail first to fit GitHub's comment size limit", () => {
    const base = folder([devPlan({ gpuMaxNodes: 2, withScoringCluster: false })]);
    const head = folder([devPlan({ gpuMaxNodes: 4, withScoringCluster: true })]);
    const folders = readPlanFolders(head, base);
    const full = renderPullRequestComment(folders);
    expect(full).toContain("#### Resources by type");

    const shorter = renderPullRequestComment(folders, { maxChars: full.length - 1 });
    expect(shorter.length).toBeLessThan(full.length);
    expect(shorter).not.toContain("#### Resources by type");
    expect(shorter).toContain("```mermaid");
    expect(shorter).toContain("maxNodeCount");

    const tiny = renderPullRequestComment(folders, { maxChars: 1200 });
    expect(tiny.length).toBeLessThanOrEqual(1200);
    expect(tiny).toContain("| `dev` | environment | 1 | 0 | 1 | 3 | 0 | ok |");
  });

  it("keeps going when a target branch plan is unreadable, and says so", () => {
    const base = folder([]);
    writeFileSync(join(base, "dev.plan.json"), JSON.stringify({ schemaVersion: 0, stack: "dev", resources: [] }));
    const head = folder([devPlan({ gpuMaxNodes: 4, withScoringCluster: false })]);
    const comment = renderPullRequestComment(readPlanFolders(head, base));
    expect(comment).toMatch(/could not be read[\s\S]*`dev`: schemaVersion: expected 1/);
    expect(comment).toContain("| `dev` _(new)_ |");
  });

  it("rejects every bad head plan at once, naming file and key path", () => {
    const head = folder([]);
    writeFileSync(join(head, "dev.plan.json"), "{ not json");
    writeFileSync(join(head, "qa.plan.json"), JSON.stringify({ ...qa(), resources: [{ urn: 5, type: "t", dependsOn: [], inputs: {} }] }));
    writeFileSync(join(head, "prod.plan.json"), JSON.stringify(qa()));
    const err = (() => {
      try {
        readPlanFolders(head, folder([]));
      } catch (e) {
        return e as InputError;
      }
      throw new Error("expected an InputError");
    })();
    expect(err).toBeInstanceOf(InputError);
    const found = err.problems.map((p) => `${p.file}: ${p.path}`);
    expect(found).toEqual(expect.arrayContaining(["dev.plan.json: ", "qa.plan.json: resources[0].urn", "prod.plan.json: stack"]));
  });
});

describe("pr-comment command line", () => {
  it("writes the comment to --out", async () => {
    const base = folder([devPlan({ gpuMaxNodes: 2, withScoringCluster: false })]);
    const head = folder([devPlan({ gpuMaxNodes: 4, withScoringCluster: false })]);
    const out = join(root, "out", "comment.md");
    expect(await main(["--base", base, "--head", head, "--out", out])).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text.startsWith(COMMENT_MARKER)).toBe(true);
    expect(text).toContain("maxNodeCount");
    expect(readdirSync(join(root, "out"))).toEqual(["comment.md"]);
  });

  it("exits 2 with every problem and writes nothing on bad input", () => {
    const out = join(root, "never.md");
    const result = spawnSync(
      process.execPath,
      launchArgs("tools/pr-comment/cli.ts", ["--base", join(root, "missing-base"), "--head", join(root, "missing-head"), "--out", out]),
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^2 problems found:/);
    expect(result.stderr).toContain("--head:");
    expect(result.stderr).toContain("--base:");
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 when required arguments are missing", async () => {
    const err = await main([]).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems.map((p) => p.path)).toEqual(["--base", "--head"]);
  });

  it("reports an --out that is a folder together with an unreadable head plan", async () => {
    const head = folder([]);
    writeFileSync(join(head, "dev.plan.json"), "{ not json");
    const outFolder = join(root, "out-is-a-folder");
    mkdirSync(outFolder);
    const err = await main(["--base", folder([]), "--head", head, "--out", outFolder]).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems.map((p) => `${p.file}: ${p.path}`)).toEqual(["command line: --out", "dev.plan.json: "]);
    expect(readdirSync(outFolder)).toEqual([]);
  });
});
