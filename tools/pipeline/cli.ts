import { runCli } from "../lib/cli";
import { pipelineCommand } from "./run";

runCli(() => pipelineCommand(process.argv.slice(2)));
