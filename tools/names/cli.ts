import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { InputError, InputProblem } from "../../shared/errors";
import { branchProblem, checkName, isEnvironmentStack, tenantNames } from "../../shared/naming";

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
import { pipelineDefinitions } from "../../pipelines/definitions";
import { CliExit, EXIT, parseCommandLine, runCli } from "../lib/cli";
import { invalidNames, namesForBranch } from "./branchNames";

const USAGE = "usage: npm run names -- --branch <git-branch> [--stack <stack>] [--subscription <id>] [--json]";

async function main(): Promise<number> {
  const { values } = parseCommandLine("names", process.argv.slice(2), {
    branch: { type: "string" },
    stack: { type: "string" },
    subscription: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  }, false);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const arg = (path: string, message: string) => problems.push({ file: "command line", path, message });
  if (!values.branch?.trim()) arg("--branch", `is required (${USAGE})`);
  else if (branchProblem(values.branch)) arg("--branch", branchProblem(values.branch)!);
  const stackProblem = values.stack !== undefined ? checkName("stack", values.stack) : null;
  if (stackProblem) arg("--stack", `invalid ${stackProblem}`);
  if (values.subscription !== undefined && !GUID.test(values.subscription)) arg("--subscription", `must be a subscription id (a GUID), found '${values.subscription}'`);
  if (problems.length > 0) throw new InputError(problems);

  // A branch stack uses dev's settings (it copies dev's config); an environment stack its own.
  const projectDir = path.resolve(__dirname, "../..");
  const target = values.stack && isEnvironmentStack(values.stack) ? values.stack : "dev";
  const files = readStackConfigFiles({ projectDir, stack: target });
  const spec = buildEnvironmentSpec({ project: files.project, stack: target, config: files.config, sources: files.sources, defaultFile: files.file });
  const result = namesForBranch(values.branch!, values.stack, spec, pipelineDefinitions);
  const invalid = invalidNames(result);
  if (invalid.length > 0) throw new CliExit(EXIT.failure, `internal naming error:\n${invalid.join("\n")}`);

  // Entra names are unique per tenant: salted with the subscription (config, flag, or shown as unknown).
  const subscriptionId = values.subscription ?? spec.subscriptionId;
  const tenant = subscriptionId ? tenantNames({ project: spec.project, stack: spec.stack, prefix: spec.prefix, subscriptionId }) : null;

  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ branch: result.branch, slug: result.slug, stack: result.stack, names: result.names.map(({ kind, value }) => ({ kind, value })), tenantNames: tenant ? { stack: spec.stack, subscriptionId, ...tenant } : null }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`branch ${result.branch}\nslug   ${result.slug}\nstack  ${result.stack}\n\n`);
    const width = Math.max(...result.names.map((n) => n.kind.length));
    for (const n of result.names) process.stdout.write(`${n.kind.padEnd(width)}  ${n.value}${n.for ? `   (${n.for})` : ""}\n`);
    process.stdout.write(`\nEntra ID / tenant-wide names of stack ${spec.stack}${subscriptionId ? ` in subscription ${subscriptionId}` : ""}:\n`);
    if (!tenant) {
      process.stdout.write(`  salted with the subscription: pass --subscription <id> or set ${spec.project}:subscriptionId to see them\n`);
    } else {
      for (const [kind, value] of Object.entries(tenant)) process.stdout.write(`  ${kind.padEnd(20)}  ${value}\n`);
    }
  }
  return EXIT.ok;
}

runCli(main);
