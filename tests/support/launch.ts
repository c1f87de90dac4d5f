import * as path from "node:path";

/** The launcher `npm run <tool>` uses (package.json): Node with the project's compiled-TypeScript hook. */
export const LAUNCHER = path.resolve(__dirname, "../../tools/launch/register.js");

/** Node arguments that run a TypeScript entry point (`tools/<tool>/cli.ts`, a fixture) as `npm run` does. */
export function launchArgs(script: string, args: string[] = []): string[] {
  return ["-r", LAUNCHER, script, ...args];
}
