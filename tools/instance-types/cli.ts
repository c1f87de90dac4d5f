import { runCli } from "../lib/cli";
import { main } from "./instanceTypes";

runCli(() => main(process.argv.slice(2)));
