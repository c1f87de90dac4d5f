/**
 * Child process of the `plan` bench: plans one stack in-process, then prints (as JSON) the SDK module
 * files that plan loaded, in load order. Loading exactly these is the floor a plan cannot go below.
 *
 *   tsx bench/lib/discoverModules.ts <stack> [--config <file>]
 */
import { runPlan } from "../../tools/plan/run";
import { sdkModuleFiles } from "./sdkModules";

async function main(): Promise<void> {
  const [stack, flag, configFile] = process.argv.slice(2);
  await runPlan({ stack, configFile: flag === "--config" ? configFile : undefined, policy: null });
  process.stdout.write(JSON.stringify(sdkModuleFiles(Object.keys(require.cache))) + "\n");
}

main().catch((err) => {
  process.stderr.write(`discoverModules: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
