/** Entry point of `npm run drift` (see command.ts for usage). */
import { runCli } from "../lib/cli";
import { driftCommand } from "./command";
import { defaultStaleDeps } from "./stale/staleCommand";

runCli(() =>
  driftCommand(process.argv.slice(2), {
    ...defaultStaleDeps(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }),
);
