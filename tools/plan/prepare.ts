/**
 * The part of a plan that needs no Pulumi runtime: reading and validating the stack's config. Kept apart
 * so bad input is reported before the SDK is even loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildEnvironmentSpec, EnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { isEnvironmentStack } from "../../shared/naming";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface PrepareOptions {
  stack: string;
  /** Git branch of a branch stack; reaches the program as config `<project>:branch`. */
  branch?: string;
  /** Used instead of `Pulumi.<stack>.yaml`. */
  configFile?: string;
  /** Folder holding `Pulumi.yaml` and the stack files (default: the repository root). */
  projectDir?: string;
}

/** A stack's config, merged and validated: everything the run needs before it touches the runtime. */
export interface PreparedStack {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  spec: EnvironmentSpec;
  /** Set when a branch stack without its own config file was planned with dev's. */
  configFallback?: string;
}

/** What `npm run branch-stack -- create` copies a new branch stack's config from. */
const BRANCH_CONFIG_SOURCE = "dev";

/** Reads and validates the stack's config; throws `InputError` listing every problem. */
export function prepareStack(opts: PrepareOptions): PreparedStack {
  const projectDir = path.resolve(opts.projectDir ?? REPO_ROOT);
  // A branch stack planned before it exists (a pull request's preview) has no config file yet; it
  // will be created as a copy of dev's, so that is what the plan reads.
  let configFile = opts.configFile;
  let configFallback: string | undefined;
  if (!configFile && !isEnvironmentStack(opts.stack) && !fs.existsSync(path.join(projectDir, `Pulumi.${opts.stack}.yaml`))) {
    configFallback = `Pulumi.${BRANCH_CONFIG_SOURCE}.yaml`;
    configFile = path.join(projectDir, configFallback);
  }
  const files = readStackConfigFiles({ projectDir, stack: opts.stack, configFile });
  const config = { ...files.config };
  const sources = { ...files.sources };
  if (opts.branch !== undefined) {
    config[`${files.project}:branch`] = opts.branch;
    sources[`${files.project}:branch`] = "command line (--branch)";
  }
  // A plan is offline: the program it runs makes no Azure look-ups.
  const spec = buildEnvironmentSpec({ project: files.project, stack: opts.stack, config, sources, defaultFile: files.file, env: process.env, cwd: projectDir, offline: true });
  return { project: files.project, stack: opts.stack, config, secretKeys: files.secretKeys, spec, configFallback };
}

