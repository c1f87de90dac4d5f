/**
 * `npm run plan -- <stack> [--branch <git-branch>] [--config <file>] [--out <dir>] [--json] [--against <plan.json>]`
 *
 * Plans a stack offline (docs/architecture.md, "Command contracts"). Exit codes: 0 planned; 2 bad arguments or config (every
 * problem listed, nothing registered, nothing written); 3 a mandatory policy is violated (the plan
 * and its files are still produced, so a pull request can show the findings).
 */
import "./startup";
import * as path from "node:path";
import { InputError, InputProblem } from "../../shared/errors";
import { branchProblem, checkName } from "../../shared/naming";
import { outputDirProblem, writeFilesAtomic } from "../lib/atomicWrite";
import { CliExit, EXIT, parseCommandLine, runCli } from "../lib/cli";
import { diffPlans, readPlanFile } from "./diff";
import { renderPlanMarkdown } from "./render/markdown";
import { renderPlanText } from "./render/text";
import { prepareStack, PreparedStack } from "./prepare";
import type { PlanStackOptions } from "./run";
import type { PlanDiff, PlanDocument } from "../../shared/plan";
import { withStdoutToStderr } from "../lib/stdout";

const USAGE =
  "usage: npm run plan -- <stack> [--branch <git-branch>] [--config <file>] [--out <dir>] [--json] [--against <plan.json>]";

/** What tests swap: the project folder, the program, the policy and stack-reference keys. */
export type PlanCliOptions = Pick<PlanStackOptions, "projectDir" | "program" | "policy" | "stackReferenceKeys"> & {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
};

export async function main(argv: string[], options: PlanCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const { values, positionals } = parseCommandLine("plan", argv, {
    branch: { type: "string" },
    config: { type: "string" },
    out: { type: "string" },
    json: { type: "boolean" },
    against: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    stdout(USAGE + "\n");
    return EXIT.ok;
  }

  // Collect every problem (arguments, --against file, config) before failing.
  const problems: InputProblem[] = [];
  const arg = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  const stack = positionals[0];
  if (positionals.length === 0) arg("stack", `missing <stack> (${USAGE})`);
  if (positionals.length > 1) arg("stack", `expected one stack, found ${positionals.length}: ${positionals.join(" ")}`);
  // An organization/project prefix is not a stack name here: the plan is of this project's stacks.
  const stackProblem = stack !== undefined ? checkName("stack", stack) : undefined;
  const stackOk = stack !== undefined && !stackProblem;
  if (stackProblem) arg("stack", `invalid ${stackProblem}`);
  if (values.branch !== undefined && values.branch.trim() === "") arg("--branch", "must not be empty");
  else if (values.branch !== undefined && branchProblem(values.branch)) arg("--branch", branchProblem(values.branch)!);
  const outDir = values.out !== undefined ? path.resolve(values.out) : undefined;
  const outProblem = values.out !== undefined ? outputDirProblem(values.out) : undefined;
  if (outProblem) arg("--out", outProblem);

  let base: PlanDocument | undefined;
  if (values.against !== undefined) base = collect(problems, () => readPlanFile(path.resolve(values.against!), values.against!));

  let prepared: PreparedStack | undefined;
  if (stackOk && positionals.length === 1) {
    prepared = collect(problems, () =>
      prepareStack({
        stack,
        branch: values.branch,
        configFile: values.config !== undefined ? path.resolve(values.config) : undefined,
        projectDir: options.projectDir,
      }),
    );
  }
  if (problems.length || !prepared) throw new InputError(problems);
  if (prepared.configFallback) {
    stderr(`note: no Pulumi.${stack}.yaml; planning branch stack '${stack}' with ${prepared.configFallback}, which \`npm run branch-stack -- create\` copies\n`);
  }

  // Loaded only now: bad input is reported without paying for the Pulumi SDK.
  const { runPlan } = await import("./run");
  const { plan, policyEvaluated } = await withStdoutToStderr(() =>
    runPlan(
      { stack, projectDir: options.projectDir, program: options.program, policy: options.policy, stackReferenceKeys: options.stackReferenceKeys },
      prepared,
    ),
  );
  const diff: PlanDiff | undefined = base ? diffPlans(base, plan) : undefined;
  const againstLabel = values.against;

  const json = JSON.stringify(plan, null, 2) + "\n";
  if (outDir !== undefined) {
    // Both files land complete or not at all.
    writeFilesAtomic(
      outDir,
      {
        [`${stack}.plan.json`]: json,
        [`${stack}.plan.md`]: renderPlanMarkdown(plan, diff, { againstLabel, policyEvaluated }),
      },
      { createDir: true },
    );
  }
  if (values.json) stdout(json);
  else stdout(renderPlanText(plan, { diff, againstLabel, policyEvaluated }));
  if (!policyEvaluated) stderr("warning: policy/evaluate.ts is not available; no policy was evaluated\n");

  const mandatory = plan.violations.filter((v) => v.level === "mandatory");
  if (mandatory.length) {
    throw new CliExit(EXIT.policy, `${mandatory.length} mandatory policy violation(s): ${[...new Set(mandatory.map((v) => v.policy))].join(", ")}`);
  }
  return EXIT.ok;
}

function collect<T>(problems: InputProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof InputError) {
      problems.push(...err.problems);
      return undefined;
    }
    throw err;
  }
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
