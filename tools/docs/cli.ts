import * as fs from "node:fs";
import * as path from "node:path";
import { CliExit, EXIT, parseCommandLine, runCli } from "../lib/cli";
import { applySections, generatedSections } from "./readmeSections";

/** `npm run docs` rewrites the README's generated sections; `-- --check` fails when they are stale. */
async function main(): Promise<number> {
  const { values } = parseCommandLine("docs", process.argv.slice(2), { check: { type: "boolean", default: false } }, false);
  const file = path.resolve(__dirname, "../../README.md");
  const current = fs.readFileSync(file, "utf8");
  const { text, missing } = applySections(current, generatedSections());
  if (missing.length > 0) throw new CliExit(EXIT.failure, `README.md has no markers for: ${missing.join(", ")}`);
  if (values.check) {
    if (text !== current) throw new CliExit(EXIT.failure, "README.md generated sections are stale: run `npm run docs`");
    return EXIT.ok;
  }
  fs.writeFileSync(file, text);
  process.stdout.write("README.md generated sections updated\n");
  return EXIT.ok;
}

runCli(main);
