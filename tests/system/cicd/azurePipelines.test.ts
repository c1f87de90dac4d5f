import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, parseDocument } from "yaml";
import { azureDir, missingCommands, repoRoot, Yaml, yamlFiles } from "./workflowFiles";
import { environmentStacks } from "../../../tools/stacks/environmentStacks";
import { adoStackListProblems } from "./adoStackLists";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { tmpdir } from "node:os";

const files = yamlFiles(azureDir);
const source = (file: string) => readFileSync(join(azureDir, file), "utf8");
const load = (file: string): Yaml => parse(source(file));

/** Template parameters: declared (with or without default) in the template file. */
function declaredParameters(template: string): Map<string, Yaml> {
  const doc = load(template);
  return new Map((doc.parameters ?? []).map((p: Yaml) => [p.name, p]));
}

/** Every `template:` reference in a parsed document, with the parameters passed. */
function templateCalls(node: Yaml, out: { template: string; parameters: Record<string, Yaml> }[] = []) {
  if (Array.isArray(node)) node.forEach((n) => templateCalls(n, out));
  else if (node && typeof node === "object") {
    if (typeof node.template === "string") out.push({ template: node.template, parameters: node.parameters ?? {} });
    Object.values(node).forEach((n) => templateCalls(n, out));
  }
  return out;
}

/**
 * Expands the stage template the way Azure DevOps does for scalar parameters: enough to see the
 * stage, variable group, environment and service connection each deployment gets.
 */
function expandStageTemplate(template: string, parameters: Record<string, Yaml>): Yaml {
  const declared = declaredParameters(template);
  const values: Record<string, Yaml> = {};
  for (const [name, p] of declared) values[name] = name in parameters ? parameters[name] : p.default;
  const text = source(template)
    .split("\nstages:\n")[1]
    .replace(/\$\{\{ parameters\.(\w+) \}\}/g, (_, name) => (typeof values[name] === "string" ? values[name] : JSON.stringify(values[name])))
    .replace(/\$\{\{ replace\(parameters\.(\w+), '([^']*)', '([^']*)'\) \}\}/g, (_, name, from, to) => String(values[name]).split(from).join(to));
  return parse(text)[0];
}

/**
 * The stages of a pipeline with its templates expanded; `${{ each x in parameters.p }}` entries are
 * expanded over `p`'s value from `pipelineParameters` or its default.
 */
function stagesOf(file: string, pipelineParameters: Record<string, Yaml> = {}): Yaml[] {
  const doc = load(file);
  const expand = (s: Yaml): Yaml => (s.template ? expandStageTemplate(join(dirname(file), s.template), s.parameters ?? {}) : s);
  return doc.stages.flatMap((s: Yaml) => {
    const each = Object.keys(s).map((k) => /^\$\{\{ each (\w+) in parameters\.(\w+) \}\}$/.exec(k)).find(Boolean);
    if (!each) return [expand(s)];
    const [key, item, param] = each;
    const items: Yaml[] = pipelineParameters[param] ?? doc.parameters.find((p: Yaml) => p.name === param).default;
    const expandItem = (text: string, value: string) =>
      text
        .split(`\${{ ${item} }}`)
        .join(value)
        .replace(new RegExp(`\\$\\{\\{ replace\\(${item}, '([^']*)', '([^']*)'\\) \\}\\}`, "g"), (_, from: string, to: string) => value.split(from).join(to));
    return items.flatMap((value) => parse(expandItem(JSON.stringify(s[key]), value)).map(expand));
  });
}

function scriptsOf(node: Yaml): string {
  const found: string[] = [];
  const walk = (n: Yaml) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      for (const [k, v] of Object.entries(n)) {
        if ((k === "script" || k === "inlineScript") && typeof v === "string") found.push(v);
        else walk(v);
      }
    }
  };
  walk(node);
  return found.join("\n");
}

describe("Azure DevOps YAML", () => {
  it("has the pipelines of the process", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "pull-request.yml",
        "deploy-multi-branch.yml",
        "deploy-single-branch.yml",
        "drift-audit.yml",
        "templates/deploy-stack.yml",
        "templates/approve-qa.yml",
        "templates/pulumi-step.yml",
        "templates/setup.yml",
      ]),
    );
  });

  it.each(files)("%s is well-formed YAML", (file) => {
    const doc = parseDocument(source(file));
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(doc.warnings.map((e) => e.message)).toEqual([]);
  });

  it.each(files)("%s references templates that exist, with parameters they declare", (file) => {
    for (const call of templateCalls(load(file))) {
      const path = join(dirname(file), call.template);
      expect(files).toContain(path);
      const declared = declaredParameters(path);
      for (const name of Object.keys(call.parameters)) expect({ template: path, parameter: name, declared: declared.has(name) }).toMatchObject({ declared: true });
      for (const [name, p] of declared) if (!("default" in p)) expect({ template: path, required: name, passed: name in call.parameters }).toMatchObject({ passed: true });
    }
  });

  it("has template calls for the check above to inspect", () => {
    expect(files.flatMap((file) => templateCalls(load(file))).length).toBeGreaterThan(0);
  });

  it.each(files)("%s calls only commands that exist", (file) => {
    expect(missingCommands(scriptsOf(load(file)))).toEqual([]);
  });

  it("logs in through workload identity federation, never with a client secret", () => {
    const step = load("templates/pulumi-step.yml").steps[0];
    expect(step.task).toBe("AzureCLI@2");
    expect(step.inputs.addSpnToEnvironment).toBe(true);
    expect(step.inputs.inlineScript).toContain('export ARM_OIDC_TOKEN="$idToken"');
    expect(step.inputs.inlineScript).toContain("export ARM_USE_OIDC=true");
    for (const file of files) expect(source(file)).not.toMatch(/servicePrincipalKey|ARM_CLIENT_SECRET|clientSecret/);
  });
});

describe("Azure DevOps pull-request pipeline", () => {
  const doc = load("pull-request.yml");
  const stage = (name: string) => doc.stages.find((s: Yaml) => s.stage === name);

  it("validates pull requests into dev, qa and main, and is not a CI trigger", () => {
    expect(doc.trigger).toBe("none");
    expect(doc.pr.branches.include).toEqual(["dev", "qa", "main"]);
    expect(doc.variables).toContainEqual({ group: "mlops-dev" });
  });

  it("lints, tests and renders the plan diff before any credentials are used", () => {
    const validate = stage("validate");
    const jobs = validate.jobs.map((j: Yaml) => j.job);
    expect(jobs).toEqual(["typecheck", "unit_tests", "plan_diff", "changed_pipelines"]);
    const scripts = scriptsOf(validate);
    expect(scripts).toContain("npm run typecheck");
    expect(scripts).toContain("npm run lint");
    // Every environment stack, prod-<name> included, is planned and diffed.
    expect(scripts).toContain(`stacks="$(npm run --silent stacks -- --json | jq -r 'join(" ")')"`);
    expect(scripts).toContain("npm test");
    expect(scripts).toContain("git worktree add");
    expect(scripts).toMatch(/npx tsx tools\/pr-comment\/cli\.ts --base "\$base_dir" --head "\$head_dir"/);
    expect(JSON.stringify(validate)).not.toContain("pulumi-step.yml");
  });

  it("deploys the branch stack only for pull requests from this repository that are not promotions", () => {
    const s = stage("branch_stack");
    expect(s.dependsOn).toBe("validate");
    expect(s.condition).toContain("eq(variables['System.PullRequest.IsFork'], 'False')");
    expect(s.condition).toContain("eq(variables.isPromotion, 'False')");
    const scripts = scriptsOf(s);
    expect(scripts).toContain("npx tsx tools/branch-stack/cli.ts create");
    expect(scripts).toContain('pulumi up --yes --stack "$stack"');
  });

  it("runs each changed pipeline on the toy dataset in its own job, from the changed_pipelines matrix", () => {
    const changed = stage("validate").jobs.find((j: Yaml) => j.job === "changed_pipelines");
    const step = changed.steps.find((st: Yaml) => st.name === "list");
    // Agent paths are read from the environment (AGENT_TEMPDIRECTORY), never expanded as $(…) macros in the shell.
    expect(step.script).toContain('npm run --silent pipeline -- changed --base "$AGENT_TEMPDIRECTORY/base" --json');
    for (const v of ["pipelines", "matrix", "count"]) expect(step.script).toContain(`##vso[task.setvariable variable=${v};isOutput=true]`);
    expect(step.script).toContain("##vso[task.logissue type=warning]skipped ${s.pipeline}: ${s.reason}");
    const branch = stage("branch_stack").jobs[0];
    expect(branch.variables.changedPipelines).toBe("$[ stageDependencies.validate.changed_pipelines.outputs['list.pipelines'] ]");
    expect(scriptsOf(stage("branch_stack"))).toContain('pulumi config set --stack "$stack" mlops:pipelines "{\\"publish\\": $(changedPipelines)}"');
    const s = stage("run_pipelines");
    expect(s.dependsOn).toEqual(["validate", "branch_stack"]);
    expect(s.condition).toBe("and(succeeded(), ne(dependencies.validate.outputs['changed_pipelines.list.count'], '0'))");
    const job = s.jobs[0];
    expect(job.strategy.matrix).toBe("$[ stageDependencies.validate.changed_pipelines.outputs['list.matrix'] ]");
    expect(scriptsOf(s)).toContain('npm run pipeline -- run "$PIPELINE" --stack "$stack" --dataset toy --wait');
  });
});

describe("Azure DevOps deployments", () => {
  const expectEnvironmentStage = (stage: Yaml, stack: string) => {
    expect(stage.stage).toBe(`deploy_${stack}`);
    expect(stage.variables).toEqual([{ group: `mlops-${stack}` }]);
    const job = stage.jobs[0];
    expect(job.deployment).toBe("pulumi_up");
    // Approvals and checks live on the Azure DevOps environment; the deployment job waits for them.
    expect(job.environment).toBe(`mlops-${stack}`);
    const steps = job.strategy.runOnce.deploy.steps;
    const gate = steps.findIndex((s: Yaml) => typeof s.script === "string" && s.script.includes('npm run plan -- "$STACK" ') && s.env?.STACK === stack);
    const up = steps.findIndex((s: Yaml) => s.template === "pulumi-step.yml" && s.parameters.script.includes("pulumi up --yes"));
    expect(gate).toBeGreaterThan(-1);
    expect(up).toBeGreaterThan(gate);
    expect(steps[up].parameters.serviceConnection).toBe(`mlops-${stack}`);
    expect(steps[up].parameters.env).toEqual({ STACK: stack });
  };

  it("multi-branch: the branch that triggered the build (Build.SourceBranchName) picks the stack", () => {
    const doc = load("deploy-multi-branch.yml");
    expect(doc.trigger.branches.include).toEqual(["dev", "qa", "main"]);
    expect(doc.pr).toBe("none");
    const all = stagesOf("deploy-multi-branch.yml");
    const stages = all.filter((s: Yaml) => s.stage.startsWith("deploy_"));
    const byBranch = Object.fromEntries(
      stages.map((s: Yaml) => [/eq\(variables\['Build\.SourceBranchName'\], '(\w+)'\)/.exec(s.condition)![1], s.stage]),
    );
    expect(byBranch).toEqual({ dev: "deploy_dev", qa: "deploy_qa", main: "deploy_prod" });
    stages.forEach((s: Yaml, i: number) => expectEnvironmentStage(s, ["dev", "qa", "prod"][i]));
    // A merge into main first asks for qa's sign-off; prod waits for it.
    const approve = all.find((s: Yaml) => s.stage === "approve_qa");
    expect(approve.condition).toBe(stages[2].condition);
    expect(stages[2].dependsOn).toEqual(["approve_qa"]);
  });

  it("qa and prod deploy on their in-network Managed DevOps Pool, dev on hosted agents", () => {
    const IF_DEV = "${{ if eq(parameters.stack, 'dev') }}";
    // Evaluates the template's `${{ if eq(parameters.stack, 'dev') }}` / `${{ else }}` for each stage.
    const chosen = stagesOf("deploy-single-branch.yml").filter((s: Yaml) => s.stage.startsWith("deploy_")).map((s: Yaml, i: number) => {
      const pool = s.jobs[0].pool;
      expect(Object.keys(pool)).toEqual([IF_DEV, "${{ else }}"]);
      return ["dev", "qa", "prod"][i] === "dev" ? pool[IF_DEV] : pool["${{ else }}"];
    });
    expect(chosen).toEqual([{ vmImage: "ubuntu-latest" }, { name: "mdp-mlops-qa" }, { name: "mdp-mlops-prod" }]);
  });

  it("single-branch: main deploys dev, then qa, then prod, each waiting for the one before", () => {
    const doc = load("deploy-single-branch.yml");
    expect(doc.trigger.branches.include).toEqual(["main"]);
    const stages = stagesOf("deploy-single-branch.yml");
    expect(stages.map((s: Yaml) => [s.stage, s.dependsOn])).toEqual([
      ["deploy_dev", []],
      ["deploy_qa", ["deploy_dev"]],
      ["approve_qa", ["deploy_qa"]],
      ["deploy_prod", ["approve_qa"]],
    ]);
    stages.filter((s: Yaml) => s.stage !== "approve_qa").forEach((s: Yaml, i: number) => expectEnvironmentStage(s, ["dev", "qa", "prod"][i]));
  });

  it.each(["deploy-single-branch.yml", "deploy-multi-branch.yml"])("%s: one gated stage per prod-<name> stack, each in its own environment, listed like `npm run stacks`", (file) => {
    const doc = load(file);
    expect(doc.parameters.find((p: Yaml) => p.name === "productionStacks").default).toEqual(
      environmentStacks(repoRoot).filter((s) => s.environment === "prod" && s.stack !== "prod").map((s) => s.stack),
    );
    const named = stagesOf(file, { productionStacks: ["prod-eu", "prod-nordics"] }).slice(4);
    expect(named.map((s: Yaml) => s.stage)).toEqual(["deploy_prod_eu", "deploy_prod_nordics"]);
    named.forEach((s: Yaml, i: number) => expectEnvironmentStage({ ...s, stage: `deploy_${["prod-eu", "prod-nordics"][i]}` }, ["prod-eu", "prod-nordics"][i]));
    for (const s of named) {
      // Every production stack waits for qa's sign-off.
      expect(s.dependsOn).toEqual(["approve_qa"]);
      if (file === "deploy-multi-branch.yml") expect(s.condition).toBe("and(succeeded(), eq(variables['Build.SourceBranchName'], 'main'))");
    }
  });

  it.each(["deploy-single-branch.yml", "deploy-multi-branch.yml"])("%s: qa's approval runs as qa, on qa's pool, in the gated mlops-qa-approval environment, and approves every model qa promoted", (file) => {
    const stage = stagesOf(file).find((s: Yaml) => s.stage === "approve_qa");
    expect(stage.variables).toEqual([{ group: "mlops-qa" }]);
    const job = stage.jobs[0];
    expect(job).toMatchObject({ deployment: "approve", environment: "mlops-qa-approval", pool: { name: "mdp-mlops-qa" } });
    const step = job.strategy.runOnce.deploy.steps.find((x: Yaml) => x.template === "pulumi-step.yml");
    expect(step.parameters).toMatchObject({ serviceConnection: "mlops-qa", env: { STACK: "qa" } });
    expect(step.parameters.script).toMatch(/pulumi stack output --json --stack "\$\{PULUMI_ORG:\+\$PULUMI_ORG\/\}\$STACK"/);
    expect(step.parameters.script).toMatch(/npm run --silent model -- approve "\$model" "\$version" --stack qa --outputs/);
  });

  it("drift audit: nightly, one stage per environment with its variable group, plus branch-stack pruning", () => {
    const doc = load("drift-audit.yml");
    expect(doc.trigger).toBe("none");
    expect(doc.schedules[0]).toMatchObject({ always: true });
    expect(doc.schedules[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(doc.parameters[0]).toMatchObject({ name: "stacks", default: environmentStacks(repoRoot).map((s) => s.stack) });
    const perStack = doc.stages[0]["${{ each stack in parameters.stacks }}"][0];
    expect(perStack.variables).toEqual([{ group: "mlops-${{ stack }}" }]);
    const scripts = scriptsOf(perStack);
    // The preview runs through the Automation API inside the drift tool (typed engine events).
    expect(scripts).not.toMatch(/^\s*pulumi preview/m);
    expect(scripts).toContain('npm run --silent drift -- --preview --stack "${PULUMI_ORG:+$PULUMI_ORG/}$STACK" --events-out "$out/$STACK.json"');
    // The stack's read-only audit identity, not its deployer.
    expect(JSON.stringify(perStack)).toContain('"serviceConnection":"mlops-${{ stack }}-audit"');
    expect(scripts).not.toMatch(/\|\| true/);
    expect(scripts).toMatch(/npm run --silent drift -- .* --format markdown --out/);
    const prune = doc.stages.find((s: Yaml) => s.stage === "prune_branch_stacks");
    expect(scriptsOf(prune)).toContain("npx tsx tools/branch-stack/cli.ts prune --yes");
  });
});

describe("stack lists fixed at compile time agree with the stacks the repository ships", () => {
  it("drift audit lists every environment stack, the deploy pipelines every prod-<name>", () => {
    expect(adoStackListProblems(repoRoot)).toEqual([]);
  });

  it("a shipped stack missing from the lists fails, naming file, parameter and stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "ado-stacks-"));
    try {
      for (const s of ["dev", "qa", "prod"]) copyFileSync(join(repoRoot, `Pulumi.${s}.yaml`), join(dir, `Pulumi.${s}.yaml`));
      writeFileSync(join(dir, "Pulumi.prod-eu.yaml"), readFileSync(join(repoRoot, "Pulumi.prod.yaml")));
      expect(adoStackListProblems(dir)).toEqual([
        "drift-audit.yml: parameters.stacks lacks 'prod-eu' (Pulumi.prod-eu.yaml); keep it equal to `npm run stacks -- --json`",
        "deploy-single-branch.yml: parameters.productionStacks lacks 'prod-eu' (Pulumi.prod-eu.yaml); keep it equal to `npm run stacks -- --named --json`",
        "deploy-multi-branch.yml: parameters.productionStacks lacks 'prod-eu' (Pulumi.prod-eu.yaml); keep it equal to `npm run stacks -- --named --json`",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The stack a stage works on: its variable group `mlops-<stack>` (the stage's Pulumi settings);
 * stages without one (pull-request builds) work on branch stacks, which live in dev.
 */
function stackOfStage(stage: Yaml): string {
  const group = (stage.variables ?? []).map((v: Yaml) => v?.group).find((g: unknown) => typeof g === "string" && g.startsWith("mlops-"));
  return group ? group.slice("mlops-".length) : "dev";
}

describe("service connections agree with the declared CI identities (mlops:identity.azureDevOps)", () => {
  /** Every `serviceConnection` a stage passes, with the stack the stage works on. */
  function connectionsOf(file: string, parameters: Record<string, Yaml> = {}): { stage: string; stack: string; connection: string }[] {
    const out: { stage: string; stack: string; connection: string }[] = [];
    for (const stage of stagesOf(file, parameters)) {
      const stack = stackOfStage(stage);
      // Azure DevOps: a stage name holds letters, digits and '_' only, and does not start with a digit.
      expect(stage.stage).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      const walk = (n: Yaml): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === "object") {
          for (const [k, v] of Object.entries(n)) {
            if (k === "serviceConnection" && typeof v === "string") out.push({ stage: stage.stage, stack, connection: v });
            else walk(v);
          }
        }
      };
      walk(stage);
    }
    return out;
  }
  /** The connection names the spec declares for a stack (Azure DevOps configured, names defaulted). */
  function declared(stack: string): string[] {
    const files = readStackConfigFiles({ projectDir: repoRoot, stack: stack.startsWith("prod-") ? "prod" : stack });
    const ado = { organization: "contoso", project: "ml", issuer: "azureDevOps", organizationId: "0b6f0a2e-1111-4222-8333-944445555666" };
    const spec = buildEnvironmentSpec({ project: files.project, stack, config: { ...files.config, "mlops:identity": JSON.stringify({ azureDevOps: ado }) }, sources: files.sources, defaultFile: files.file });
    const c = spec.identity.azureDevOps!;
    return [c.deployer.name, c.audit.name];
  }
  const all = () => [
    ...connectionsOf("pull-request.yml"),
    ...connectionsOf("deploy-single-branch.yml", { productionStacks: ["prod-eu"] }),
    ...connectionsOf("deploy-multi-branch.yml", { productionStacks: ["prod-eu"] }),
    ...connectionsOf("drift-audit.yml", { stacks: [...environmentStacks(repoRoot).map((s) => s.stack), "prod-eu"] }),
  ];
  const mismatches = (uses: ReturnType<typeof all>) =>
    uses.filter((u) => !declared(u.stack).includes(u.connection)).map((u) => `${u.stage}: '${u.connection}' is not a connection stack '${u.stack}' declares (${declared(u.stack).join(", ")})`);

  it("every stage signs in with a connection its stack declares (deployer or audit), prod-<name> included", () => {
    const uses = all();
    expect(new Set(uses.map((u) => u.stack))).toEqual(new Set(["dev", "qa", "prod", "prod-eu"]));
    expect(mismatches(uses)).toEqual([]);
  });

  it("fails on a stage using another stack's connection", () => {
    const uses = all().map((u) => (u.stage === "drift_qa" ? { ...u, connection: "mlops-prod-audit" } : u));
    expect(mismatches(uses)).toEqual(["drift_qa: 'mlops-prod-audit' is not a connection stack 'qa' declares (mlops-qa, mlops-qa-audit)"]);
  });
});

describe("in-network pools agree with the declared runners (mlops:runners, Managed DevOps Pools)", () => {
  /** The pool the spec creates for a stack configured with a Managed DevOps Pool. */
  function declaredPool(stack: string): string {
    const files = readStackConfigFiles({ projectDir: repoRoot, stack: stack.startsWith("prod-") ? "prod" : stack });
    const runners = { kind: "managedDevOpsPool", managedDevOpsPool: { organizationUrl: "https://dev.azure.com/contoso", devCenterProjectResourceId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.DevCenter/projects/p" } };
    const spec = buildEnvironmentSpec({ project: files.project, stack, config: { ...files.config, "mlops:runners": JSON.stringify(runners) }, sources: files.sources, defaultFile: files.file });
    if (spec.runners?.kind !== "managedDevOpsPool") throw new Error(`${stack}: no Managed DevOps Pool in the spec`);
    return spec.runners.names.pool;
  }
  /** A non-dev stage's pool: the `${{ else }}` branch of `${{ if eq(<stack>, 'dev') }}`, or the pool itself. */
  const chosen = (pool: Yaml) => {
    const keys = pool && typeof pool === "object" ? Object.keys(pool) : [];
    if (keys.length === 2 && /^\$\{\{ if eq\((parameters\.)?stack, 'dev'\) \}\}$/.test(keys[0]) && keys[1] === "${{ else }}") return pool["${{ else }}"];
    return pool;
  };
  const poolsOf = (stages: Yaml[]) =>
    stages.flatMap((stage) => (stage.jobs ?? []).map((job: Yaml) => ({ stage: stage.stage as string, pool: chosen(job.pool)?.name ?? JSON.stringify(job.pool) })));

  it("qa, prod and every prod-<name> run their stages in the pool their stack declares", () => {
    const stages = [...stagesOf("deploy-multi-branch.yml", { productionStacks: ["prod-eu"] }), ...stagesOf("drift-audit.yml", { stacks: ["dev", "qa", "prod", "prod-eu"] })];
    const used = poolsOf(stages.filter((s) => stackOfStage(s) !== "dev")).map((p) => ({ ...p, stack: stackOfStage(stages.find((s) => s.stage === p.stage)) }));
    expect(new Set(used.map((u) => u.stack))).toEqual(new Set(["qa", "prod", "prod-eu"]));
    for (const { stage, stack, pool } of used) expect({ stage, pool }).toEqual({ stage, pool: declaredPool(stack) });
  });
});
