/**
 * `npx tsx tools/pr-comment/cli.ts --base <dir> --head <dir> [--out comment.md] [--title <text>]`
 *
 * Renders the pull-request comment from the plans a build wrote for the pull request (head) and for
 * its target branch (base). Exit 0 when rendered (failed plans are reported inside the comment);
 * 2 on bad arguments or an unreadable head plan, with nothing written.
 */
import { InputError, InputProblem } from "../../shared/errors";
import { outputFileProblem, writeFileAtomic } from "../lib/atomicWrite";
import { EXIT, parseCommandLine, runCli } from "../lib/cli";
import { readPlanFolders } from "./collect";
import { renderPullRequestComment } from "./render";

const USAGE = "usage: npx tsx tools/pr-comment/cli.ts --base <dir of base plans> --head <dir of head plans> [--out comment.md] [--title <text>]";

export async function main(argv: string[], stdout: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseCommandLine("pr-comment", argv, {
    base: { type: "string" },
    head: { type: "string" },
    out: { type: "string" },
    title: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    stdout(USAGE + "\n");
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const arg = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  if (!values.base) arg("--base", `required (${USAGE})`);
  if (!values.head) arg("--head", `required (${USAGE})`);
  if (positionals.length) arg("arguments", `unexpected: ${positionals.join(" ")}`);
  const outProblem = values.out !== undefined ? outputFileProblem(values.out, { createDir: true }) : undefined;
  if (outProblem) arg("--out", outProblem);
  let folders: ReturnType<typeof readPlanFolders> | undefined;
  if (values.base && values.head) {
    try {
      folders = readPlanFolders(values.head, values.base);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length || !folders) throw new InputError(problems);

  const comment = renderPullRequestComment(folders, { title: values.title });
  if (values.out === undefined) {
    stdout(comment);
    return EXIT.ok;
  }
  // A reader never sees half a comment.
  writeFileAtomic(values.out, comment, { createDir: true });
  return EXIT.ok;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
