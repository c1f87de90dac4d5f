import { runCli } from "../lib/cli";
import { main } from "./endpoint";

runCli(() => main(process.argv.slice(2)));
