import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildEnvironmentSpec, EnvironmentSpec } from "./config";
import { InputError, formatProblems } from "../shared/errors";
import { composeEnvironment } from "./stack/environment";
import { composeBranch } from "./stack/branch";
import { keepSecretConfigSecret, markSecrets } from "./secretConfig";

/**
 * Which config keys hold secrets: the runtime knows (`isConfigSecret`, exported by
 * @pulumi/pulumi/runtime/config but marked internal, so absent from its typings); it reads the same
 * PULUMI_CONFIG_SECRET_KEYS the CLI and `setAllConfig` set.
 */
function isConfigSecret(key: string): boolean {
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  if (typeof runtimeConfig.isConfigSecret !== "function") throw new Error("@pulumi/pulumi no longer exports runtime isConfigSecret: secret config could leak in clear");
  return runtimeConfig.isConfigSecret(key);
}

let prepared: { spec: EnvironmentSpec; config: Record<string, string>; cwd: string } | undefined;

/**
 * The offline plan validates the config and builds the spec before it starts the program (to report
 * bad input without loading the SDK); it hands that spec over so the program does not build it again.
 * Used only when the program sees the same stack, config and working directory.
 */
export function providePreparedSpec(spec: EnvironmentSpec, config: Record<string, string>, cwd: string): void {
  prepared = { spec, config: { ...config }, cwd: path.resolve(cwd) };
}

function preparedFor(project: string, stack: string, config: Record<string, string>): EnvironmentSpec | undefined {
  if (!prepared || prepared.spec.project !== project || prepared.spec.stack !== stack || prepared.cwd !== path.resolve(process.cwd())) return undefined;
  const keys = Object.keys(config);
  if (keys.length !== Object.keys(prepared.config).length || keys.some((k) => prepared!.config[k] !== config[k])) return undefined;
  return prepared.spec;
}

/**
 * Reads the stack's config once, turns it into the environment spec, and declares the stack. Bad
 * config stops the program before any resource is registered, with every problem listed.
 */
export function loadSpec(options: { offline: boolean }): EnvironmentSpec {
  const config = pulumi.runtime.allConfig();
  // Secrets first: a spec reused from the plan's preparation must not skip the marking.
  secretValues = keepSecretConfigSecret(config, isConfigSecret);
  const reused = preparedFor(pulumi.getProject(), pulumi.getStack(), config);
  if (reused && reused.offline === options.offline) return reused;
  try {
    return buildEnvironmentSpec({
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
      config,
      env: process.env,
      cwd: process.cwd(),
      offline: options.offline,
    });
  } catch (err) {
    // RunError prints its message without a stack trace.
    if (err instanceof InputError) throw new pulumi.RunError(formatProblems(err.problems));
    throw err;
  }
}

/** Secret config values found by `loadSpec`: stack outputs carrying one are exported as secrets. */
let secretValues: string[] = [];

export function declareStack(spec: EnvironmentSpec): Record<string, pulumi.Input<unknown>> {
  const outputs = spec.kind === "branch" ? composeBranch(spec) : composeEnvironment(spec);
  return markSecrets(outputs, secretValues) as Record<string, pulumi.Input<unknown>>;
}
