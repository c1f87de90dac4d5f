/**
 * Cross-checks the shipped GitHub workflows against the CI identities the stack configs declare:
 * every job that asks GitHub for an OIDC token presents a subject (its environment, or the
 * pull_request / branch claim when it names none), and that subject must be a federated credential
 * of the stack the job works on. Expressions (`${{ inputs.stack }}`, `audit-${{ matrix.stack }}`)
 * are evaluated with GitHub's own expression engine, once per way the job can run: each trigger
 * branch, each matrix entry, each caller of a reusable workflow.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { ciCredentials } from "../../../infra/stack/identity";
import { environmentStacks } from "../../../tools/stacks/environmentStacks";
import { loadYaml, repoRoot, workflowDir, Yaml } from "./workflowFiles";

/** Environment stacks: dev, qa, prod and any number of `prod-<name>`. */
export const ENVIRONMENT_STACK = /^(dev|qa|prod|prod-[a-z0-9][a-z0-9-]*)$/;
/** The branch scheduled and manually dispatched runs use (the repository's default branch). */
export const DEFAULT_BRANCH = "main";

export interface StackCredentials {
  stack: string;
  repository?: string;
  deployer: string[];
  audit: string[];
}

export function shippedStacks(): string[] {
  return readdirSync(repoRoot)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s && ENVIRONMENT_STACK.test(s))
    .sort();
}

export function credentialsOf(stack: string): StackCredentials {
  const files = readStackConfigFiles({ projectDir: repoRoot, stack });
  const spec = buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
  const c = ciCredentials(spec);
  return {
    stack,
    ...(spec.identity.github ? { repository: spec.identity.github.repository } : {}),
    deployer: c.deployer.map((s) => s.subject),
    audit: c.audit.map((s) => s.subject),
  };
}

export interface JobRun {
  /** `file:job` (`file:caller→job` through a reusable workflow). */
  where: string;
  event: string;
  github: Record<string, unknown>;
  inputs: Record<string, unknown>;
  matrix: Record<string, unknown>;
  /** The calling job's matrix entry, in which its `with:` (the run's inputs) is evaluated. */
  callerMatrix: Record<string, unknown>;
  job: Yaml;
  permissions: Yaml;
}

/** A matrix axis computed at run time: `${{ fromJSON(...) }}` rather than a list. */
const DYNAMIC_AXIS = /^\$\{\{\s*fromJSON\((.+)\)\s*\}\}$/;
/** The output of list-stacks.yml, the production stacks besides prod (`npm run stacks -- --named --json`). */
const NAMED_PRODUCTION_STACKS = /^needs\.([\w-]+)\.outputs\.named$/;

/** What list-stacks.yml hands its callers: the `prod-<name>` stacks the repository declares. */
export function namedProductionStacks(): string[] {
  return environmentStacks(repoRoot)
    .filter((s) => s.environment === "prod" && s.stack !== "prod")
    .map((s) => s.stack);
}

/** Whether the value of `matrix.<key>` decides who the job signs in as or which stack it works on. */
function axisDecidesIdentity(job: Yaml, key: string): boolean {
  if (key === "stack") return true;
  const decisive = JSON.stringify([job.environment ?? null, job.env?.TARGET ?? null, job.with ?? null]);
  return new RegExp(`\\bmatrix\\.${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(decisive);
}

/**
 * The values a dynamic axis can take offline. The production fan-out (`fromJSON` of list-stacks.yml's
 * `named` output) is every `prod-<name>` stack the repository declares; any other dynamic axis must
 * not decide the job's identity, and stands for one symbolic value (its expression).
 */
function dynamicAxisValues(doc: Yaml, job: Yaml, key: string, values: string, where: string): unknown[] {
  const source = DYNAMIC_AXIS.exec(values.trim())?.[1].trim();
  const needed = source ? NAMED_PRODUCTION_STACKS.exec(source)?.[1] : undefined;
  const needs: string[] = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
  if (needed && needs.includes(needed) && doc.jobs?.[needed]?.uses === "./.github/workflows/list-stacks.yml") {
    return namedProductionStacks();
  }
  if (axisDecidesIdentity(job, key)) {
    throw new Error(`${where}: matrix axis '${key}' is '${values}', which decides the job's identity and cannot be expanded offline; list its entries`);
  }
  return [values];
}

function matrixEntries(doc: Yaml, job: Yaml, where: string): Record<string, unknown>[] {
  const m = job.strategy?.matrix;
  if (!m) return [{}];
  if (typeof m === "string") throw new Error(`${where}: matrix '${m}' cannot be expanded offline; list its entries`);
  const axes = Object.entries<unknown>(m).filter(([k]) => k !== "include" && k !== "exclude");
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, axis] of axes) {
    const values = typeof axis === "string" && DYNAMIC_AXIS.test(axis.trim()) ? dynamicAxisValues(doc, job, key, axis, where) : axis;
    if (!Array.isArray(values)) throw new Error(`${where}: matrix axis '${key}' is not a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  if (m.exclude !== undefined || (m.include !== undefined && !Array.isArray(m.include))) {
    throw new Error(`${where}: matrix include/exclude must be literal lists to be expanded offline`);
  }
  const include: Record<string, unknown>[] = m.include ?? [];
  if (axes.length === 0) return include.length > 0 ? include : [{}];
  return [...combos, ...include];
}

function githubContexts(on: Yaml): { event: string; github: Record<string, unknown> }[] {
  const out: { event: string; github: Record<string, unknown> }[] = [];
  const events = typeof on === "string" ? { [on]: {} } : Array.isArray(on) ? Object.fromEntries(on.map((e: string) => [e, {}])) : on;
  for (const [event, cfg] of Object.entries<Yaml>(events ?? {})) {
    if (event === "push") {
      for (const b of cfg?.branches ?? [DEFAULT_BRANCH]) out.push({ event, github: { event_name: event, ref: `refs/heads/${b}`, ref_name: b } });
    } else if (event === "pull_request") {
      for (const b of cfg?.branches ?? [DEFAULT_BRANCH]) {
        out.push({ event, github: { event_name: event, base_ref: b, head_ref: "feature/x", ref: "refs/pull/1/merge", ref_name: "1/merge" } });
      }
    } else if (event !== "workflow_call") {
      out.push({ event, github: { event_name: event, ref: `refs/heads/${DEFAULT_BRANCH}`, ref_name: DEFAULT_BRANCH } });
    }
  }
  return out;
}

/** Every way each job of the shipped workflows can run, reusable workflows expanded at their callers. */
export function jobRuns(files: string[]): JobRun[] {
  const runs: JobRun[] = [];
  for (const file of files) {
    const doc = loadYaml(join(workflowDir, file));
    for (const { event, github } of githubContexts(doc.on)) {
      for (const [id, job] of Object.entries<Yaml>(doc.jobs ?? {})) {
        if (typeof job.uses === "string" && job.uses.startsWith("./.github/workflows/")) {
          const called = loadYaml(join(repoRoot, job.uses));
          for (const callerMatrix of matrixEntries(doc, job, `${file}:${id}`)) {
            for (const [cid, cjob] of Object.entries<Yaml>(called.jobs ?? {})) {
              for (const matrix of matrixEntries(called, cjob, `${file}:${id}→${cid}`)) {
                runs.push({ where: `${file}:${id}→${cid}`, event, github, inputs: job.with ?? {}, matrix, callerMatrix, job: cjob, permissions: cjob.permissions ?? called.permissions ?? job.permissions ?? doc.permissions });
              }
            }
          }
          continue;
        }
        for (const matrix of matrixEntries(doc, job, `${file}:${id}`)) {
          runs.push({ where: `${file}:${id}`, event, github, inputs: {}, matrix, callerMatrix: {}, job, permissions: job.permissions ?? doc.permissions });
        }
      }
    }
  }
  return runs;
}

/** Evaluates templates with GitHub's expression engine in a child Node (the package is ESM only). */
export function evaluateTemplates(requests: { template: string; context: Record<string, unknown> }[]): string[] {
  if (requests.length === 0) return [];
  const out = execFileSync(process.execPath, [join(__dirname, "evaluate-templates.mjs")], { cwd: repoRoot, input: JSON.stringify(requests), encoding: "utf8" });
  return (JSON.parse(out) as { value?: string; error?: string }[]).map((r, i) => {
    if (r.error !== undefined) throw new Error(`cannot evaluate ${JSON.stringify(requests[i].template)}: ${r.error}`);
    return r.value!;
  });
}

/** Whether a job asks for an OIDC token to sign in to Azure. */
export function signsInToAzure(run: JobRun): boolean {
  const idToken = run.permissions === "write-all" || run.permissions?.["id-token"] === "write";
  const usesLogin = (run.job.steps ?? []).some((s: Yaml) => typeof s.uses === "string" && s.uses.startsWith("azure/login@"));
  const armOidc = String(run.job.env?.ARM_USE_OIDC ?? "") === "true";
  return idToken && (usesLogin || armOidc);
}

export interface PresentedSubject {
  where: string;
  /** Claim after `repo:<owner>/<repo>:`. */
  claim: string;
  /** The stack the job works on: `inputs.stack`, `matrix.stack`, `env.TARGET`, else dev (branch stacks live in dev). */
  stack: string;
  /** The job's `runs-on`, evaluated with repository variables unset (their defaults). */
  runner: string;
}

/** The subject each signing-in job run presents, and the stack it works on. */
export function presentedSubjects(runs: JobRun[]): PresentedSubject[] {
  const signing = runs.filter(signsInToAzure);
  // A reusable workflow's inputs are its caller's `with:`, evaluated where the caller runs (its matrix entry).
  const inputRequests = signing.flatMap((r) =>
    Object.entries(r.inputs).map(([, v]) => ({ template: String(v), context: { github: r.github, matrix: r.callerMatrix, vars: {} } })),
  );
  const inputValues = evaluateTemplates(inputRequests.filter((q) => q.template.includes("${{")));
  let next = 0;
  const inputsOf = signing.map((r) =>
    Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, typeof v === "string" && v.includes("${{") ? inputValues[next++] : v])),
  );
  const requests: { template: string; context: Record<string, unknown> }[] = [];
  signing.forEach((r, i) => {
    const inputs = inputsOf[i];
    const context = { github: r.github, inputs, matrix: r.matrix, vars: {} };
    const env = r.job.environment;
    requests.push({ template: typeof env === "object" && env ? String(env.name ?? "") : String(env ?? ""), context });
    const stackTemplate = inputs.stack ?? r.matrix.stack ?? r.job.env?.TARGET ?? "dev";
    requests.push({ template: String(stackTemplate), context });
    const runsOn = r.job["runs-on"];
    requests.push({ template: Array.isArray(runsOn) ? runsOn.join(",") : typeof runsOn === "object" && runsOn ? String(runsOn.group ?? runsOn.labels ?? "") : String(runsOn ?? ""), context });
  });
  const values = evaluateTemplates(requests);
  // A matrix value may itself be an expression (`runner: ${{ vars.X || 'label' }}`): GitHub evaluates it too.
  const nested = values.map((v, i) => (i % 3 === 2 && v.includes("${{") ? i : -1)).filter((i) => i >= 0);
  const again = evaluateTemplates(nested.map((i) => ({ template: values[i], context: requests[i].context })));
  nested.forEach((i, k) => (values[i] = again[k]));
  return signing.map((r, i) => {
    const environment = values[3 * i];
    const stack = values[3 * i + 1];
    const runner = values[3 * i + 2];
    let claim: string;
    if (environment) claim = `environment:${environment}`;
    else if (r.event === "pull_request") claim = "pull_request";
    else claim = `ref:${String(r.github.ref)}`;
    return { where: r.where, claim, stack, runner };
  });
}

/** GitHub's own runner images: outside every private network. */
const HOSTED_RUNNER = /^(ubuntu|windows|macos)-[\w.-]+$/;

/**
 * Jobs that sign in to a stack whose config declares in-network runners (`mlops:runners`: its data
 * planes are private) but run on a GitHub-hosted image, which cannot reach them. `inNetwork` lists
 * those stacks; a job may name its runner through a repository variable, whose default is checked.
 */
export function hostedRunnersForPrivateStacks(subjects: PresentedSubject[], inNetwork: string[]): string[] {
  return [
    ...new Set(
      subjects
        .filter((s) => inNetwork.includes(s.stack) && s.runner.split(",").some((label) => HOSTED_RUNNER.test(label.trim())))
        .map((s) => `${s.where}: works on stack '${s.stack}', which declares in-network runners (mlops:runners), but runs on '${s.runner}'`),
    ),
  ];
}

/** Stacks whose config declares CI runners inside their network. */
export function stacksWithRunners(): string[] {
  return shippedStacks().filter((stack) => {
    const files = readStackConfigFiles({ projectDir: repoRoot, stack });
    return buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file }).runners !== null;
  });
}

/** Jobs whose subject is not a federated credential of the stack they work on, as messages. */
export function unmatched(subjects: PresentedSubject[], credentials: StackCredentials[]): string[] {
  const problems: string[] = [];
  for (const s of subjects) {
    const owner = credentials.find((c) => c.stack === s.stack);
    if (!owner) {
      problems.push(`${s.where}: works on stack '${s.stack}', which has no Pulumi.${s.stack}.yaml`);
      continue;
    }
    const subject = `repo:${owner.repository}:${s.claim}`;
    const known = [...owner.deployer, ...owner.audit];
    if (!owner.repository || !known.includes(subject)) {
      problems.push(`${s.where}: presents '${subject}', but stack '${s.stack}' declares only ${known.length ? known.map((k) => `'${k}'`).join(", ") : "no federated credentials"} (Entra would answer AADSTS70021)`);
    }
  }
  return [...new Set(problems)];
}
