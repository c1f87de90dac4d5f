/**
 * Reads the two folders of plans a pull-request build writes (`npm run plan -- <stack> --out <dir>`):
 * the pull request's (head) and the target branch's (base). A head plan that failed leaves
 * `<stack>.plan.error` (the build's log tail) instead of `<stack>.plan.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, InputProblem } from "../../shared/errors";
import { readPlanFile } from "../plan/diff";
import type { PlanDocument } from "../../shared/plan";

const PLAN_SUFFIX = ".plan.json";
const ERROR_SUFFIX = ".plan.error";

export interface PlanFolders {
  heads: PlanDocument[];
  bases: Map<string, PlanDocument>;
  /** Head stacks whose plan failed, with the build's message. */
  failures: { stack: string; message: string }[];
  /** Base plans that could not be read: shown, not fatal (the target branch may predate the format). */
  baseProblems: { stack: string; message: string }[];
}

function listFolder(dir: string, flag: string, problems: InputProblem[]): string[] {
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
    return fs.readdirSync(dir).sort();
  } catch (err) {
    problems.push({ file: "command line", path: flag, message: `${dir}: not a readable folder (${(err as NodeJS.ErrnoException).code ?? "error"})` });
    return [];
  }
}

function readPlans(dir: string, names: string[], problems: InputProblem[]): PlanDocument[] {
  const plans: PlanDocument[] = [];
  for (const name of names.filter((n) => n.endsWith(PLAN_SUFFIX))) {
    try {
      const plan = readPlanFile(path.join(dir, name), name);
      const expected = name.slice(0, -PLAN_SUFFIX.length);
      if (plan.stack !== expected) problems.push({ file: name, path: "stack", message: `expected '${expected}' (the file name), found '${plan.stack}'` });
      else plans.push(plan);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
    }
  }
  return plans;
}

/** Every problem with the head folder at once (exit 2); base problems become notes in the comment. */
export function readPlanFolders(headDir: string, baseDir: string): PlanFolders {
  const problems: InputProblem[] = [];
  const headNames = listFolder(headDir, "--head", problems);
  const baseNames = listFolder(baseDir, "--base", problems);

  const heads = readPlans(headDir, headNames, problems);
  const failures = headNames
    .filter((n) => n.endsWith(ERROR_SUFFIX))
    .map((n) => ({ stack: n.slice(0, -ERROR_SUFFIX.length), message: fs.readFileSync(path.join(headDir, n), "utf8").trim() }))
    .filter((f) => !heads.some((h) => h.stack === f.stack));
  if (!problems.length && heads.length === 0 && failures.length === 0) {
    problems.push({ file: "command line", path: "--head", message: `${headDir}: no *${PLAN_SUFFIX} or *${ERROR_SUFFIX} files` });
  }
  if (problems.length) throw new InputError(problems);

  const baseProblems: PlanFolders["baseProblems"] = [];
  const bases = new Map<string, PlanDocument>();
  for (const name of baseNames.filter((n) => n.endsWith(PLAN_SUFFIX))) {
    const stack = name.slice(0, -PLAN_SUFFIX.length);
    const found: InputProblem[] = [];
    const [plan] = readPlans(baseDir, [name], found);
    if (plan) bases.set(stack, plan);
    else baseProblems.push({ stack, message: found.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ") });
  }
  return { heads, bases, failures, baseProblems };
}
