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
import { buildEnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { ciCredentials } from "../../infra/stack/identity";
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
  job: Yaml;
  permissions: Yaml;
}

function matrixEntries(job: Yaml, where: string): Record<string, unknown>[] {
  const m = job.strategy?.matrix;
  if (!m) return [{}];
  if (typeof m === "string") throw new Error(`${where}: matrix '${m}' cannot be expanded offline; list its entries`);
  const axes = Object.entries<unknown>(m).filter(([k]) => k !== "include" && k !== "exclude");
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of axes) {
    if (!Array.isArray(values)) throw new Error(`${where}: matrix axis '${key}' is not a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
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
          for (const [cid, cjob] of Object.entries<Yaml>(called.jobs ?? {})) {
            for (const matrix of matrixEntries(cjob, `${file}:${id}→${cid}`)) {
              runs.push({ where: `${file}:${id}→${cid}`, event, github, inputs: job.with ?? {}, matrix, job: cjob, permissions: cjob.permissions ?? called.permissions ?? job.permissions ?? doc.permissions });
            }
          }
          continue;
        }
        for (const matrix of matrixEntries(job, `${file}:${id}`)) {
          runs.push({ where: `${file}:${id}`, event, github, inputs: {}, matrix, job, permissions: job.permissions ?? doc.permissions });
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
}

/** The subject each signing-in job run presents, and the stack it works on. */
export function presentedSubjects(runs: JobRun[]): PresentedSubject[] {
  const signing = runs.filter(signsInToAzure);
  const requests: { template: string; context: Record<string, unknown> }[] = [];
  for (const r of signing) {
    const context = { github: r.github, inputs: r.inputs, matrix: r.matrix, vars: {} };
    const env = r.job.environment;
    requests.push({ template: typeof env === "object" && env ? String(env.name ?? "") : String(env ?? ""), context });
    const stackTemplate = r.inputs.stack ?? r.matrix.stack ?? r.job.env?.TARGET ?? "dev";
    requests.push({ template: String(stackTemplate), context });
  }
  const values = evaluateTemplates(requests);
  return signing.map((r, i) => {
    const environment = values[2 * i];
    const stack = values[2 * i + 1];
    let claim: string;
    if (environment) claim = `environment:${environment}`;
    else if (r.event === "pull_request") claim = "pull_request";
    else claim = `ref:${String(r.github.ref)}`;
    return { where: r.where, claim, stack };
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
