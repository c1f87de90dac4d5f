/**
 * `npm run stacks -- [--production] [--named] [--json]`
 *
 * Lists the environment stacks (dev, qa, prod, every prod-<name>) with what each promotes from.
 * `--production` keeps the production stacks; `--named` keeps the `prod-<name>` ones (what the deploy
 * workflows fan out over, one gated job each). With `--json`, stdout is a JSON array of stack names.
 * Exit codes: 0 listed; 2 bad arguments or an invalid `Pulumi.prod-*.yaml` name.
 */
import * as path from "node:path";
import { EXIT, parseCommandLine, runCli } from "../lib/cli";
import { environmentStacks } from "./environmentStacks";

export async function main(argv: string[], projectDir = path.resolve(__dirname, "../.."), stdout = (t: string) => void process.stdout.write(t)): Promise<number> {
  const { values } = parseCommandLine(
    "stacks",
    argv,
    { production: { type: "boolean" }, named: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    false,
  );
  if (values.help) {
    stdout("usage: npm run stacks -- [--production] [--named] [--json]\n");
    return EXIT.ok;
  }
  let stacks = environmentStacks(projectDir);
  if (values.production || values.named) stacks = stacks.filter((s) => s.environment === "prod");
  if (values.named) stacks = stacks.filter((s) => s.stack !== "prod");
  if (values.json) stdout(`${JSON.stringify(stacks.map((s) => s.stack))}\n`);
  else for (const s of stacks) stdout(`${s.stack.padEnd(16)} ${s.environment.padEnd(5)} ${s.upstream ? `promotes from ${s.upstream}` : "first environment"}\n`);
  return EXIT.ok;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
