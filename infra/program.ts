import * as pulumi from "@pulumi/pulumi";
import { buildEnvironmentSpec, EnvironmentSpec } from "./config";
import { InputError, formatProblems } from "./errors";
import { composeEnvironment } from "./stack/environment";
import { composeBranch } from "./stack/branch";

/**
 * Reads the stack's config once, turns it into the environment spec, and declares the stack. Bad
 * config stops the program before any resource is registered, with every problem listed.
 */
export function loadSpec(): EnvironmentSpec {
  try {
    return buildEnvironmentSpec({
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
      config: pulumi.runtime.allConfig(),
      env: process.env,
      cwd: process.cwd(),
    });
  } catch (err) {
    // RunError prints its message without a stack trace.
    if (err instanceof InputError) throw new pulumi.RunError(formatProblems(err.problems));
    throw err;
  }
}

export function declareStack(spec: EnvironmentSpec): Record<string, pulumi.Input<unknown>> {
  return spec.kind === "branch" ? composeBranch(spec) : composeEnvironment(spec);
}
