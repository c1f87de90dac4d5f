import * as fs from "node:fs";
import { InputError } from "../../shared/errors";
import { environmentOfStack, productionStackNameProblem } from "../../shared/naming";
import type { EnvironmentName } from "../../infra/config";

export interface EnvironmentStack {
  stack: string;
  environment: EnvironmentName;
  /** The stack it promotes from: qa ← dev, every production stack ← qa. */
  upstream: string | null;
}

const UPSTREAM: Record<EnvironmentName, string | null> = { dev: null, qa: "dev", prod: "qa" };
const ORDER: Record<EnvironmentName, number> = { dev: 0, qa: 1, prod: 2 };

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
    if (environment) stacks.push({ stack, environment, upstream: UPSTREAM[environment] });
  }
  if (problems.length > 0) throw new InputError(problems);
  // dev, qa, prod, then the other production stacks by name: the order deployments run in.
  return stacks.sort((a, b) => ORDER[a.environment] - ORDER[b.environment] || Number(b.stack === "prod") - Number(a.stack === "prod") || a.stack.localeCompare(b.stack));
}
