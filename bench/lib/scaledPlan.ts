/**
 * Child process of the `plan-scaling` bench: `npm run plan -- dev --config <file> --json` with the
 * project's pipeline definitions grown first, so a plan can declare `factor` times dev's pipelines (and
 * so their steps). Generated pipelines are copies of the shipped ones under new names; the config file
 * (written by the bench) publishes them and declares the extra clusters.
 *
 *   node -r ./tools/launch/register.js bench/lib/scaledPlan.ts <factor> <config-file>
 */
import "../../tools/plan/startup";
import { pipelineDefinitions } from "../../pipelines/definitions";
import type { PipelineDefinition } from "../../pipelines/spec/types";
import { runCli } from "../../tools/lib/cli";
import { main } from "../../tools/plan/cli";

/** Names of the pipelines a plan at `factor` publishes: the shipped ones, then numbered copies. */
export function scaledPipelineNames(shipped: string[], factor: number): string[] {
  const copies = Array.from({ length: factor - 1 }, (_, i) => shipped.map((n) => `${n}${String(i + 2).padStart(2, "0")}`)).flat();
  return [...shipped, ...copies];
}

/** Adds the numbered copies to the definitions the program and config validation read. */
export function addCopies(definitions: Record<string, PipelineDefinition>, names: string[]): void {
  for (const name of names) {
    if (definitions[name]) continue;
    const original = definitions[name.replace(/\d+$/, "")];
    definitions[name] = { ...original, name, base: `${original.base}${name.match(/\d+$/)![0]}` };
  }
}

if (require.main === module) {
  const [factorArg, configFile] = process.argv.slice(2);
  const factor = Number(factorArg);
  addCopies(pipelineDefinitions, scaledPipelineNames(Object.keys(pipelineDefinitions), factor));
  runCli(() => main(["dev", "--config", configFile, "--json"]));
}
