import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMENT_MARKER } from "../../../tools/pr-comment/render";
import {
  loadYaml,
  missingCommands,
  ParsedWorkflow,
  parseWithGitHubParser,
  repoRoot,
  runScripts,
  stepUsing,
  workflowDir,
  Yaml,
  yamlFiles,
} from "./workflowFiles";
import { environmentStacks } from "../../../tools/stacks/environmentStacks";

const files = yamlFiles(workflowDir);
const wf = (name: string): Yaml => loadYaml(join(workflowDir, name));
const text = (name: string): string => readFileSync(join(workflowDir, name), "utf8");

describe("GitHub's workflow parser", () => {
  let parsed: ParsedWorkflow[];
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "mlops-wf-"));
    // A control: the harness must see errors when there are some, or "no errors" proves nothing.
    const broken = join(tmp, "broken.yml");
    writeFileSync(broken, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.sha ) }}\n      - colour: red\n");
    parsed = parseWithGitHubParser([...files.map((f) => join(workflowDir, f)), broken]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("finds the workflows of the process", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "pull-request.yml",
        "pull-request-comment.yml",
        "pull-request-closed.yml",
        "deploy-multi-branch.yml",
        "deploy-single-branch.yml",
        "deploy-stack.yml",
        "drift-audit.yml",
      ]),
    );
  });

  it("reports errors with line and column in a broken workflow (control)", () => {
    const broken = parsed.find((p) => p.file === "broken.yml")!;
    expect(broken.errors.length).toBeGreaterThanOrEqual(2);
    expect(broken.errors.join("\n")).toMatch(/broken\.yml \(Line: 6, Col: \d+\)/);
    expect(broken.errors.join("\n")).toContain("colour");
  });

  it.each(files)("parses %s without errors", (file) => {
    const result = parsed.find((p) => p.file === file);
    expect(result).toBeDefined();
    expect(result!.errors).toEqual([]);
    expect(result!.jobs.length).toBeGreaterThan(0);
  });
});

describe("every workflow", () => {
  it.each(files)("%s pins actions to a full commit SHA with the version beside it and calls only commands that exist", (file) => {
    const doc = wf(file);
    for (const line of text(file).split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) {
      expect(line).toMatch(/uses: (\.\/\S+|[\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+)$/);
    }
    for (const job of Object.values<Yaml>(doc.jobs)) {
      if (typeof job.uses === "string") expect(job.uses).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.yml$/);
      expect(missingCommands(runScripts(job))).toEqual([]);
    }
  });

  it.each(files)("%s logs in to Azure through OIDC only, with id-token: write", (file) => {
    const doc = wf(file);
    for (const [id, job] of Object.entries<Yaml>(doc.jobs)) {
      const login = stepUsing(job, "azure/login");
      if (!login) continue;
      expect(Object.keys(login.with).sort()).toEqual(["client-id", "subscription-id", "tenant-id"]);
      const permissions = job.permissions ?? doc.permissions;
      expect({ job: id, idToken: permissions?.["id-token"] }).toEqual({ job: id, idToken: "write" });
    }
  });

  it("logs in to Azure exactly in the jobs that need credentials", () => {
    const loggingIn = files.flatMap((file) =>
      Object.entries<Yaml>(wf(file).jobs)
        .filter(([, job]) => stepUsing(job, "azure/login"))
        .map(([id]) => `${file}:${id}`),
    );
    expect(loggingIn.sort()).toEqual(
      [
        "approve-qa.yml:approve",
        "deploy-stack.yml:up",
        "drift-audit.yml:audit",
        "drift-audit.yml:stale-assets",
        "pull-request-closed.yml:remove-branch-stack",
        "pull-request.yml:branch-stack",
        "pull-request.yml:promotion-preview",
        "pull-request.yml:run-pipeline",
      ].sort(),
    );
  });

  it.each(files)("%s uses no secret besides the Pulumi access token and the workflow's own token", (file) => {
    const secrets = new Set([...text(file).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]));
    for (const s of secrets) expect(["PULUMI_ACCESS_TOKEN", "GITHUB_TOKEN"]).toContain(s);
    expect(text(file)).not.toMatch(/client-secret|creds:|ARM_CLIENT_SECRET/);
  });
});

describe("pull request workflow", () => {
  const doc = wf("pull-request.yml");

  it("runs on pull requests into the development, qa and production branches", () => {
    expect(doc.on.pull_request.branches).toEqual(["dev", "qa", "main"]);
    expect(doc.permissions).toEqual({ contents: "read" });
  });

  it("typechecks (lint) and runs the unit tests in their own jobs", () => {
    expect(runScripts(doc.jobs.lint)).toContain("npm run typecheck");
    expect(runScripts(doc.jobs["unit-tests"])).toMatch(/npm test/);
  });

  it("plans head and target branch in two folders and renders the comment from both", () => {
    const job = doc.jobs["plan-diff"];
    const checkouts = job.steps.filter((s: Yaml) => String(s.uses).startsWith("actions/checkout@"));
    expect(checkouts.map((s: Yaml) => s.with?.path)).toEqual(["head", "base"]);
    expect(checkouts[1].with.ref).toBe("${{ github.event.pull_request.base.sha }}");
    const scripts = runScripts(job);
    expect(scripts).toContain("npm run --silent plan --");
    expect(scripts).toContain('--branch "$HEAD_REF"');
    expect(scripts).toMatch(/npx tsx tools\/pr-comment\/cli\.ts --base .*plans\/base" --head .*plans\/head"/);
    expect(scripts).toContain("GITHUB_STEP_SUMMARY");
    expect(job.permissions).toBeUndefined();
    expect(stepUsing(job, "azure/login")).toBeUndefined();
  });

  it("never puts the pull request's branch name straight into a script", () => {
    for (const job of Object.values<Yaml>(doc.jobs)) expect(runScripts(job)).not.toMatch(/\$\{\{\s*github\.(head_ref|event\.pull_request\.head)/);
  });

  it("deploys the branch stack only with credentials, from this repository, after lint/tests/plan", () => {
    const job = doc.jobs["branch-stack"];
    expect(job.needs).toEqual(["lint", "unit-tests", "plan-diff", "changed-pipelines"]);
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.if).toContain("vars.AZURE_CLIENT_ID != ''");
    expect(job.permissions["id-token"]).toBe("write");
    expect(runScripts(job)).toMatch(/tools\/branch-stack\/cli\.ts create --branch "\$HEAD_REF"/);
    const pulumi = job.steps.filter((s: Yaml) => String(s.uses).startsWith("pulumi/actions@") && s.with?.command);
    expect(pulumi.map((s: Yaml) => s.with.command)).toEqual(["preview", "up"]);
    expect(pulumi[0].with["comment-on-pr"]).toBe(true);
    expect(pulumi[0].with["stack-name"]).toBe("${{ steps.stack.outputs.name }}");
  });

  it("runs each changed pipeline on the toy dataset in its own job; unchanged ones are skipped with the reason", () => {
    const changed = doc.jobs["changed-pipelines"];
    expect(changed.outputs.pipelines).toBe("${{ steps.changed.outputs.pipelines }}");
    const checkouts = changed.steps.filter((s: Yaml) => String(s.uses).startsWith("actions/checkout@"));
    expect(checkouts.map((s: Yaml) => s.with?.path)).toEqual(["head", "base"]);
    expect(checkouts[1].with.ref).toBe("${{ github.event.pull_request.base.sha }}");
    const scripts = runScripts(changed);
    expect(scripts).toContain('npm run --silent pipeline -- changed --base "$GITHUB_WORKSPACE/base" --json');
    expect(scripts).toContain(`echo "pipelines=$(jq -c '[.changed[].pipeline]'`);
    expect(scripts).toMatch(/\.skipped\[\] \| "::notice title=skipped/);
    // The branch stack publishes only those, and one job per changed pipeline runs it.
    const branch = doc.jobs["branch-stack"];
    expect(branch.needs).toContain("changed-pipelines");
    expect(runScripts(branch)).toContain('pulumi config set --stack "$STACK" mlops:pipelines "{\\"publish\\": $CHANGED}"');
    const job = doc.jobs["run-pipeline"];
    expect(job.needs).toEqual(["branch-stack", "changed-pipelines"]);
    expect(job.if).toBe("needs.changed-pipelines.outputs.pipelines != '[]'");
    expect(job.strategy["fail-fast"]).toBe(false);
    expect(job.strategy.matrix.pipeline).toBe("${{ fromJSON(needs.changed-pipelines.outputs.pipelines) }}");
    expect(runScripts(job)).toContain('npm run pipeline -- run "$PIPELINE" --stack "$STACK" --dataset toy --wait');
    expect(job.steps.find((s: Yaml) => s.run?.includes("$PIPELINE")).env.PIPELINE).toBe("${{ matrix.pipeline }}");
  });

  it("plans every environment stack npm run stacks lists (prod-<name> included) in the plan diff", () => {
    expect(runScripts(doc.jobs["plan-diff"])).toContain(`stacks="$(cd head && npm run --silent stacks -- --json | jq -r 'join(" ")')"`);
  });

  it("lints (typescript-eslint, pyright) in the lint job", () => {
    expect(runScripts(doc.jobs.lint)).toContain("npm run lint");
  });
});

describe("pull request comment workflow", () => {
  const doc = wf("pull-request-comment.yml");

  it("runs after the pull request workflow, by its name", () => {
    expect(doc.on.workflow_run.workflows).toEqual([wf("pull-request.yml").name]);
    expect(doc.on.workflow_run.types).toEqual(["completed"]);
  });

  it("updates its own comment by the marker the renderer writes, without running the pull request's code", () => {
    const job = doc.jobs.comment;
    expect(stepUsing(job, "actions/checkout")).toBeUndefined();
    expect(runScripts(job).trim()).toBe("");
    expect(stepUsing(job, "actions/github-script").with.script).toContain(`const MARKER = "${COMMENT_MARKER}"`);
    expect(stepUsing(job, "actions/download-artifact").with.name).toBe("plan-comment");
    expect(doc.permissions["pull-requests"]).toBe("write");
  });
});

describe("pull request closed workflow", () => {
  const doc = wf("pull-request-closed.yml");
  const job = doc.jobs["remove-branch-stack"];

  it("destroys and removes the branch stack when a pull request closes", () => {
    expect(doc.on.pull_request.types).toEqual(["closed"]);
    expect(runScripts(job)).toMatch(/tools\/branch-stack\/cli\.ts remove --yes --branch "\$HEAD_REF"/);
  });

  it("shares its concurrency group with the pull request's branch-stack job", () => {
    expect(job.concurrency.group).toBe(wf("pull-request.yml").jobs["branch-stack"].concurrency.group);
    expect(job.concurrency["cancel-in-progress"]).toBe(false);
  });
});

describe("deployment workflows", () => {
  const reusable = wf("deploy-stack.yml");
  const multi = wf("deploy-multi-branch.yml");
  const single = wf("deploy-single-branch.yml");

  it("runs pulumi up in the GitHub environment named like the stack, after the offline policy gate", () => {
    const job = reusable.jobs.up;
    expect(reusable.on.workflow_call.inputs.stack.required).toBe(true);
    expect(job.environment).toBe("${{ inputs.stack }}");
    expect(job.concurrency["cancel-in-progress"]).toBe(false);
    const steps = job.steps.map((s: Yaml) => s.uses ?? s.run);
    const gate = steps.findIndex((s: string) => s.startsWith('npm run plan -- "$STACK_NAME"'));
    const up = job.steps.findIndex((s: Yaml) => String(s.uses).startsWith("pulumi/actions@") && s.with.command === "up");
    expect(job.env.STACK_NAME).toBe("${{ inputs.stack }}");
    expect(gate).toBeGreaterThan(-1);
    expect(up).toBeGreaterThan(gate);
    expect(job.env.ARM_USE_OIDC).toBe("true");
  });

  it("multi-branch: a push to dev, qa or main deploys dev, qa or prod", () => {
    expect(multi.on.push.branches).toEqual(["dev", "qa", "main"]);
    // The fixed environments; the prod-<name> fan-out is checked below.
    const fixed = Object.values<Yaml>(multi.jobs).filter((j) => j.uses === "./.github/workflows/deploy-stack.yml" && !j.strategy);
    const deployed = Object.fromEntries(fixed.map((j) => [/github\.ref_name == '(\w+)'/.exec(j.if)![1], j.with.stack]));
    expect(deployed).toEqual({ dev: "dev", qa: "qa", main: "prod" });
    const reusables = ["./.github/workflows/deploy-stack.yml", "./.github/workflows/list-stacks.yml", "./.github/workflows/approve-qa.yml"];
    for (const j of Object.values<Yaml>(multi.jobs)) expect(reusables).toContain(j.uses);
    // qa's approval runs before prod and every prod-<name>, on the same branch.
    expect(multi.jobs["approve-qa"]).toMatchObject({ uses: "./.github/workflows/approve-qa.yml", if: multi.jobs.prod.if });
    expect(multi.jobs.prod.needs).toBe("approve-qa");
    expect(multi.jobs["prod-named"].needs).toContain("approve-qa");
  });

  it("qa and prod deploy (and publish, promote) on their in-network runners; dev stays hosted", () => {
    expect(reusable.on.workflow_call.inputs.runner.default).toBe("ubuntu-latest");
    expect(reusable.jobs.up["runs-on"]).toBe("${{ inputs.runner }}");
    for (const doc of [multi, single]) {
      expect(doc.jobs.dev.with.runner).toBeUndefined();
      expect(doc.jobs.qa.with.runner).toBe("${{ vars.MLOPS_QA_RUNNER || 'mlops-qa' }}");
      expect(doc.jobs.prod.with.runner).toBe("${{ vars.MLOPS_PROD_RUNNER || 'mlops-prod' }}");
      expect(doc.jobs["approve-qa"].with.runner).toBe("${{ vars.MLOPS_QA_RUNNER || 'mlops-qa' }}");
      expect(doc.jobs["prod-named"].with.runner).toBe("mlops-${{ matrix.stack }}");
    }
  });

  it("qa's approval runs as qa in the gated `qa-approval` environment and approves every model qa promoted", () => {
    const job = wf("approve-qa.yml").jobs.approve;
    expect(job.environment).toBe("qa-approval");
    expect(job["runs-on"]).toBe("${{ inputs.runner }}");
    expect(job.steps.map((s: Yaml) => s.run ?? "").join("\n")).toMatch(/npm run --silent model -- approve "\$model" "\$version" --stack qa --outputs/);
  });

  it("single-branch (tagged models): main deploys dev, then qa, then prod", () => {
    expect(single.on.push.branches).toEqual(["main"]);
    expect(single.on).toHaveProperty("workflow_dispatch");
    expect(single.jobs.dev.with.stack).toBe("dev");
    expect(single.jobs.qa).toMatchObject({ needs: "dev", with: { stack: "qa" } });
    expect(single.jobs["approve-qa"]).toMatchObject({ needs: "qa", uses: "./.github/workflows/approve-qa.yml" });
    expect(single.jobs.prod).toMatchObject({ needs: "approve-qa", with: { stack: "prod" } });
  });

  it("prod always runs through the reusable job, i.e. in the `prod` environment with its reviewers", () => {
    expect(multi.jobs.prod.with.stack).toBe("prod");
    expect(single.jobs.prod.with.stack).toBe("prod");
    for (const doc of [multi, single]) for (const j of Object.values<Yaml>(doc.jobs)) expect(j.steps).toBeUndefined();
  });

  it.each([
    ["single-branch", "qa"],
    ["multi-branch", null],
  ])("%s: one gated job per prod-<name> stack, from the stack files, each in its own environment", (flow, after) => {
    const doc = flow === "single-branch" ? single : multi;
    const list = doc.jobs["production-stacks"];
    expect(list.uses).toBe("./.github/workflows/list-stacks.yml");
    if (after) expect(list.needs).toBe(after);
    else expect(list.if).toBe("vars.MLOPS_RELEASE_FLOW != 'single-branch' && github.ref_name == 'main'");
    const named = doc.jobs["prod-named"];
    expect(named).toMatchObject({
      // Each production stack promotes what qa approved: it waits for qa's approval as prod does.
      needs: ["production-stacks", "approve-qa"],
      if: "needs.production-stacks.outputs.named != '[]'",
      uses: "./.github/workflows/deploy-stack.yml",
      with: { stack: "${{ matrix.stack }}" },
      strategy: { "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.production-stacks.outputs.named) }}" } },
    });
    // deploy-stack.yml runs in the environment named like its stack input: prod-eu waits for prod-eu's reviewers.
    expect(reusable.jobs.up.environment).toBe("${{ inputs.stack }}");
  });

  it("list-stacks.yml hands the prod-<name> stacks from `npm run stacks` to the callers", () => {
    const list = wf("list-stacks.yml");
    expect(list.on.workflow_call.outputs.named.value).toBe("${{ jobs.list.outputs.named }}");
    expect(list.jobs.list.outputs.named).toBe("${{ steps.list.outputs.named }}");
    expect(runScripts(list.jobs.list)).toContain('echo "named=$(npm run --silent stacks -- --named --json)" >> "$GITHUB_OUTPUT"');
  });

  it("exactly one of the two production options is active for any MLOPS_RELEASE_FLOW", () => {
    expect(multi.jobs.dev.if).toContain("vars.MLOPS_RELEASE_FLOW != 'single-branch'");
    expect(multi.jobs.prod.if).toContain("vars.MLOPS_RELEASE_FLOW != 'single-branch'");
    expect(single.jobs.dev.if).toBe("vars.MLOPS_RELEASE_FLOW == 'single-branch'");
  });
});

describe("drift audit workflow", () => {
  const doc = wf("drift-audit.yml");

  it("runs nightly over dev, qa and prod, each as the stack's audit identity (environment audit-<stack>)", () => {
    expect(doc.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    // Every environment stack the repository ships (`npm run stacks`), prod-<name> ones included.
    expect(doc.jobs.audit.strategy.matrix.include.map((m: Yaml) => m.stack)).toEqual(environmentStacks(repoRoot).map((s) => s.stack));
    // qa and prod are audited from inside their networks.
    expect(doc.jobs.audit["runs-on"]).toBe("${{ matrix.runner }}");
    expect(doc.jobs.audit.strategy.matrix.include.map((m: Yaml) => m.runner)).toEqual(["ubuntu-latest", "${{ vars.MLOPS_QA_RUNNER || 'mlops-qa' }}", "${{ vars.MLOPS_PROD_RUNNER || 'mlops-prod' }}"]);
    expect(doc.jobs.audit.environment).toBe("audit-${{ matrix.stack }}");
    expect(doc.jobs["stale-assets"].environment).toBe("audit-dev");
  });

  it("turns a refreshed preview into a Markdown report in the job summary and an issue", () => {
    const scripts = runScripts(doc.jobs.audit);
    // The preview runs through the Automation API inside the drift tool (typed engine events, no text parsing).
    expect(scripts).not.toMatch(/^\s*pulumi preview/m);
    expect(scripts).not.toMatch(/\|\| true/);
    expect(scripts).toContain('npm run --silent drift -- --preview --stack "$STACK_REF" --events-out "$STACK.json" --format markdown --out "drift-$STACK.md" || code=$?');
    expect(scripts).toContain("GITHUB_STEP_SUMMARY");
    expect(stepUsing(doc.jobs.audit, "actions/github-script").if).toBe("steps.drift.outputs.code == '4'");
    expect(doc.permissions.issues).toBe("write");
  });

  it("lists stale branch assets in dev", () => {
    expect(runScripts(doc.jobs["stale-assets"])).toContain("npm run --silent drift -- --stale --stack dev > stale.txt");
  });
});
