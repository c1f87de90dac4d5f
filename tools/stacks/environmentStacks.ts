import * as fs from "node:fs";
import { InputError } from "../../shared/errors";
import { environmentOfStack, productionStackNameProblem } from "../../shared/naming";
import { ENVIRONMENT_NAMES, EnvironmentName, UPSTREAM_ENVIRONMENT } from "../../shared/kinds";

export interface EnvironmentStack {
  stack: string;
  environment: EnvironmentName;
  /** The stack it promotes from: qa ← dev, every production stack ← qa. */
  upstream: string | null;
}

const order = (e: EnvironmentName) => ENVIRONMENT_NAMES.indexOf(e);

/**
 * The environment stacks the repository declares: one per `Pulumi.<stack>.yaml` whose stack is dev,
 * qa, prod or `prod-<name>` (branch stacks' files are skipped). A `Pulumi.prod-*.yaml` with an
 * invalid production name is refused rather than taken for a branch stack.
 */
export function environmentStacks(projectDir: string): EnvironmentStack[] {
  const stacks: EnvironmentStack[] = [];
  const problems = [];
  for (const file of fs.readdirSync(projectDir).sort()) {
    const m = /^Pulumi\.(.+)\.yaml$/.exec(file);
    if (!m) continue;
    const stack = m[1];
    const nameProblem = productionStackNameProblem(stack);
    if (nameProblem) problems.push({ file, path: "", message: nameProblem });
    const environment = environmentOfStack(stack);
    if (environment) stacks.push({ stack, environment, upstream: UPSTREAM_ENVIRONMENT[environment] });
  }
  if (problems.length > 0) throw new InputError(problems);
  // dev, qa, prod, then the other production stacks by name: the order deployments run in.
  return stacks.sort((a, b) => order(a.environment) - order(b.environment) || Number(b.stack === "prod") - Number(a.stack === "prod") || a.stack.localeCompare(b.stack));
}
