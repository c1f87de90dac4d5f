import { runCli } from "../lib/cli";
import { main } from "./approval";

runCli(() => main(process.argv.slice(2)));
