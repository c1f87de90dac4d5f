/** Shared by the plan suites: run the plan CLI (real or fixture) as a child process, and build plans by hand. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { shareable, shared } from "../../support/commandCache";
import { launchArgs, npmRunArgs } from "../../support/launch";

export const REPO = path.resolve(__dirname, "../../..");
export const FIXTURE_CLI = path.join(__dirname, "fixtures/cli.ts");
export const REAL_CLI = path.join(REPO, "tools", "plan", "cli.ts");
export const FIXTURE_PROJECT = path.join(__dirname, "fixtures/project");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `<cli> …args` through the project's launcher with the repository as working directory, as `npm run plan`
 * runs it (`launch: "npm run"`: exactly so, without the suites' lazy SDK imports, launch.ts). The real
 * CLI's source-only plans are shared across suites (`commandCache.ts`).
 */
export function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv = {}, launch: "suite" | "npm run" = "suite"): Promise<CliRun> {
  if (launch === "npm run") return spawnCli(npmRunArgs(cli, args), env);
  if (cli === REAL_CLI && Object.keys(env).length === 0 && shareable("plan", args)) {
    return shared("plan", args, async () => {
      const r = await spawnCli(launchArgs(cli, args), env);
      return { ...r, code: r.code ?? 1 };
    });
  }
  return spawnCli(launchArgs(cli, args), env);
}

function spawnCli(nodeArgs: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function resource(partial: Partial<PlanResource> & Pick<PlanResource, "type" | "name">, stack = "dev"): PlanResource {
  return {
    urn: partial.urn ?? `urn:pulumi:${stack}::mlops::${partial.type}::${partial.name}`,
    parent: null,
    custom: true,
    protect: false,
    dependsOn: [],
    inputs: {},
    ...partial,
  };
}

export function plan(resources: PlanResource[], extra: Partial<PlanDocument> = {}): PlanDocument {
  return {
    schemaVersion: 1,
    project: "mlops",
    stack: "dev",
    kind: "environment",
    environment: "dev",
    branch: null,
    resources,
    outputs: {},
    violations: [],
    waivers: [],
    ...extra,
  };
}

/** Every string anywhere in a JSON value. */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => (out.push(k), allStrings(v, out)));
  return out;
}
