/**
 * The pull-request comment: one summary row per stack, then, for each stack the pull request
 * affects, the plan tool's own Markdown (changes with property paths, policy, Mermaid diagram)
 * rendered against the target branch's plan of the same stack.
 */
import { diffPlans, isEmptyDiff } from "../plan/diff";
import { renderPlanMarkdown } from "../plan/render/markdown";
import type { PlanDiff, PlanDocument } from "../../shared/plan";
import type { PlanFolders } from "./collect";

/** Hidden first line: the workflow finds and updates its own comment by it. */
export const COMMENT_MARKER = "<!-- mlops:plan-comment -->";

/** GitHub rejects comment bodies over 65,536 characters; keep a margin for the marker and notes. */
export const MAX_COMMENT_CHARS = 60_000;

export interface StackComparison {
  head: PlanDocument;
  /** The target branch's plan of the same stack; null when it has none (a new branch stack). */
  base: PlanDocument | null;
  diff: PlanDiff;
}

const ENVIRONMENT_ORDER = ["dev", "qa", "prod"];

function order(plan: PlanDocument): [number, number, string] {
  const env = ENVIRONMENT_ORDER.indexOf(plan.stack);
  return [plan.kind === "branch" ? 0 : 1, env === -1 ? ENVIRONMENT_ORDER.length : env, plan.stack];
}

function byStackOrder(a: PlanDocument, b: PlanDocument): number {
  const [x, y] = [order(a), order(b)];
  return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
}

/** A stack with no plan on the target branch is compared with nothing: every resource is added. */
function emptyLike(plan: PlanDocument): PlanDocument {
  return { ...plan, resources: [], outputs: {}, violations: [], waivers: [] };
}

export function compareStacks(heads: PlanDocument[], bases: Map<string, PlanDocument>): StackComparison[] {
  return [...heads].sort(byStackOrder).map((head) => {
    const base = bases.get(head.stack) ?? null;
    return { head, base, diff: diffPlans(base ?? emptyLike(head), head) };
  });
}

function mandatoryCount(plan: PlanDocument): number {
  return plan.violations.filter((v) => v.level === "mandatory").length;
}

export function isAffected(c: StackComparison): boolean {
  return c.base === null || !isEmptyDiff(c.diff) || mandatoryCount(c.head) > 0;
}

function code(text: string): string {
  return "`" + text.replace(/`/g, "'") + "`";
}

function policyCell(plan: PlanDocument): string {
  const mandatory = mandatoryCount(plan);
  const advisory = plan.violations.length - mandatory;
  if (!plan.violations.length) return "ok";
  return [mandatory ? `**${mandatory} mandatory**` : "", advisory ? `${advisory} advisory` : ""].filter(Boolean).join(", ");
}

function summaryTable(stacks: StackComparison[]): string[] {
  // The same counts as each stack's section below: resources, and stack outputs on their own.
  const rows = ["| stack | kind | added | removed | changed | unchanged | outputs changed | policy |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"];
  for (const { head, base, diff } of stacks) {
    const kind = head.kind === "branch" ? `branch ${code(head.branch ?? "?")}` : "environment";
    const note = base === null ? " _(new)_" : "";
    rows.push(
      `| ${code(head.stack)}${note} | ${kind} | ${diff.added.length} | ${diff.removed.length} | ${diff.changed.length} | ${diff.unchanged} | ${diff.outputs.length} | ${policyCell(head)} |`,
    );
  }
  return rows;
}

/** The plan tool's Markdown nested one heading level down, optionally cut before a section. */
function stackMarkdown(c: StackComparison, cutBefore: string | null): string {
  let md = renderPlanMarkdown(c.head, c.diff, { againstLabel: c.base ? "target branch" : "nothing (no plan on the target branch)" });
  if (cutBefore) {
    const at = md.indexOf(`\n${cutBefore}\n`);
    if (at !== -1) md = md.slice(0, at) + "\n\n_(shortened to fit a comment: the full plan is in the build's artifacts)_\n";
  }
  let inFence = false;
  return md
    .split("\n")
    .map((line) => {
      if (line.startsWith("```")) inFence = !inFence;
      return !inFence && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join("\n");
}

/** Detail levels, richest first; the first that fits the size limit is used. */
const DETAIL_LEVELS: (string | null | "none")[] = [null, "### Resources by type", "### Diagram", "none"];

export interface CommentOptions {
  title?: string;
  maxChars?: number;
}

export function renderPullRequestComment(folders: PlanFolders, opts: CommentOptions = {}): string {
  const stacks = compareStacks(folders.heads, folders.bases);
  const affected = stacks.filter(isAffected);
  const max = opts.maxChars ?? MAX_COMMENT_CHARS;

  const head: string[] = [COMMENT_MARKER, `## ${opts.title ?? "Offline plan of this pull request"}`, ""];
  head.push(
    `${stacks.length} stack${stacks.length === 1 ? "" : "s"} planned without cloud credentials and compared with the target branch's plans; ` +
      `${affected.length} affected.`,
    "",
    ...summaryTable(stacks),
  );
  if (folders.failures.length) {
    head.push("", "### Plans that failed", "");
    for (const f of folders.failures) head.push(`**${code(f.stack)}**`, "", "```text", f.message.replace(/```/g, "'''"), "```", "");
  }
  if (folders.baseProblems.length) {
    head.push("", "Target branch plans that could not be read (compared with nothing instead):", "");
    for (const p of folders.baseProblems) head.push(`- ${code(p.stack)}: ${p.message.replace(/\n/g, " ")}`);
  }
  const unaffected = stacks.filter((c) => !isAffected(c)).map((c) => code(c.head.stack));
  if (unaffected.length) head.push("", `No changes in ${unaffected.join(", ")}.`);

  let body = "";
  for (const level of DETAIL_LEVELS) {
    const sections =
      level === "none"
        ? ["", "_Per-stack details are too large for a comment: see the plans in the build's artifacts._"]
        : affected.flatMap((c) => ["", `<details open><summary><b>${c.head.stack}</b>: changes, policy and diagram</summary>`, "", stackMarkdown(c, level), "</details>"]);
    body = [...head, ...sections].join("\n") + "\n";
    if (body.length <= max) return body;
  }
  return body.length <= max ? body : body.slice(0, max - 40) + "\n\n… (truncated)\n";
}
