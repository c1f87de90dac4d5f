import * as path from "node:path";

/** The launcher `npm run <tool>` uses (package.json): Node with the project's compiled-TypeScript hook. */
export const LAUNCHER = path.resolve(__dirname, "../../tools/launch/register.js");

/** Loads the SDK's compiler and arborist on first use in the commands tests spawn (lazySdkModules.js). */
const LAZY_SDK_MODULES = path.resolve(__dirname, "lazySdkModules.js");

/** Node arguments that run a TypeScript entry point exactly as `npm run <tool>` does: the launcher only. */
export function npmRunArgs(script: string, args: string[] = []): string[] {
  return ["-r", LAUNCHER, script, ...args];
}

/**
 * Node arguments that run a TypeScript entry point (`tools/<tool>/cli.ts`, a fixture) as `npm run` does,
 * with the SDK's serializer dependencies loaded on first use.
 */
export function launchArgs(script: string, args: string[] = []): string[] {
  return ["-r", LAZY_SDK_MODULES, ...npmRunArgs(script, args)];
}
