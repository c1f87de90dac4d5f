/**
 * The plan as Markdown: what `--out` writes and what a pull-request comment shows (with the diff
 * against the base branch's plan when one is given).
 */
import { keySettings } from "../settings";
import type { PlanDiff, PlanDocument, PropertyChange, Violation } from "../../../shared/plan";
import { renderMermaid } from "./mermaid";
import { countByType, PLACEHOLDER_NOTE, plural, shortUrn, summaryLine, valueText } from "./tree";

export interface MarkdownOptions {
  /** Label of the plan compared against, e.g. the `--against` file name. */
  againstLabel?: string;
  /** false when no policy pack was available. */
  policyEvaluated?: boolean;
}

/** Table cells: pipes would end the cell, newlines the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
  const ticks = text.includes("`") ? "``" : "`";
  const pad = ticks.length > 1 ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

export function renderPlanMarkdown(plan: PlanDocument, diff?: PlanDiff, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`## Plan: ${code(plan.project)} / ${code(plan.stack)}`);
  out.push("");
  const what = plan.kind === "branch" ? `branch stack of **${plan.environment}**, branch ${code(plan.branch ?? "?")}` : `environment **${plan.environment}**`;
  out.push(`${what} · ${summaryLine(plan)}`);
  out.push("");
  out.push(`> ${PLACEHOLDER_NOTE}`);

  if (diff) out.push("", ...diffSection(diff, opts.againstLabel));
  out.push("", ...policySection(plan, opts.policyEvaluated ?? true));

  // Against another plan, the diagram marks what is added, changed and removed.
  const marks = diff ? { added: new Set(diff.added.map((r) => r.urn)), changed: new Set(diff.changed.map((r) => r.urn)), removed: diff.removed } : undefined;
  out.push("", "### Diagram", "", "```mermaid", renderMermaid(plan, marks), "```");

  out.push("", "### Resources by type", "", "| type | count |", "| --- | ---: |");
  for (const [type, n] of countByType(plan)) out.push(`| ${code(type)} | ${n} |`);

  // Folded: a stack has tens to hundreds of resources, and a pull-request comment should lead with changes.
  out.push("", `<details><summary>All ${plural(plan.resources.length, "resource")}</summary>`, "");
  out.push("| resource | type | settings |", "| --- | --- | --- |");
  const depth = depthOf(plan);
  for (const r of plan.resources) {
    const indent = "&nbsp;&nbsp;".repeat(depth.get(r.urn) ?? 0);
    const flags = [r.protect ? "protected" : "", r.read ? "read" : ""].filter(Boolean).join(", ");
    const settings = keySettings(r).map((s) => `${s.label}=${s.value}`).join(", ");
    out.push(`| ${indent}${cell(r.name)}${flags ? ` _(${flags})_` : ""} | ${code(r.type)} | ${cell(settings)} |`);
  }
  out.push("", "</details>");

  const outputs = Object.entries(plan.outputs);
  if (outputs.length) {
    out.push("", "### Outputs", "", "| output | value |", "| --- | --- |");
    for (const [k, v] of outputs) out.push(`| ${code(k)} | ${cell(valueText(v))} |`);
  }
  return out.join("\n") + "\n";
}

function depthOf(plan: PlanDocument): Map<string, number> {
  const parent = new Map(plan.resources.map((r) => [r.urn, r.parent]));
  const depth = new Map<string, number>();
  for (const r of plan.resources) {
    let d = 0;
    for (let p = r.parent; p && parent.has(p) && d < 50; p = parent.get(p) ?? null) d++;
    depth.set(r.urn, d);
  }
  return depth;
}

/** More advisory findings than this are folded, so mandatory ones stay in view. */
const FOLD_ADVISORY_ABOVE = 5;

function policySection(plan: PlanDocument, evaluated: boolean): string[] {
  if (!evaluated) return ["### Policy", "", "Not evaluated: `policy/evaluate.ts` is not available."];
  const names = new Map(plan.resources.map((r) => [r.urn, shortUrn(r.urn, r.type)]));
  const where = (urn: string) => cell(names.get(urn) ?? urn);
  const mandatory = plan.violations.filter((v) => v.level === "mandatory");
  const advisory = plan.violations.filter((v) => v.level !== "mandatory");
  const head = ["| level | policy | resource | message |", "| --- | --- | --- | --- |"];
  const row = (v: Violation) =>
    `| ${v.level === "mandatory" ? "**mandatory**" : "advisory"} | ${code(v.policy)} | ${where(v.urn)} | ${cell(v.message)} |`;

  const lines = ["### Policy", ""];
  if (!plan.violations.length) lines.push("No violations.");
  else {
    lines.push(`${mandatory.length} mandatory, ${advisory.length} advisory.`);
    const fold = advisory.length > FOLD_ADVISORY_ABOVE;
    const inline = fold ? mandatory : [...mandatory, ...advisory];
    if (inline.length) lines.push("", ...head, ...inline.map(row));
    if (fold) {
      lines.push("", `<details><summary>${plural(advisory.length, "advisory finding")}</summary>`, "", ...head, ...advisory.map(row), "", "</details>");
    }
  }
  if (plan.waivers.length) {
    lines.push("", "| waived policy | resource | reason |", "| --- | --- | --- |");
    for (const w of plan.waivers) lines.push(`| ${code(w.policy)} | ${where(w.urn)} | ${cell(w.reason)} |`);
  }
  return lines;
}

function diffSection(diff: PlanDiff, againstLabel?: string): string[] {
  const against = againstLabel ? `${code(againstLabel)} (stack ${code(diff.base.stack)})` : `stack ${code(diff.base.stack)}`;
  const lines = [
    "### Changes",
    "",
    `Against ${against}: **${diff.added.length}** added, **${diff.removed.length}** removed, ` +
      `**${diff.changed.length}** changed, ${diff.unchanged} unchanged` +
      (diff.outputs.length ? `; **${diff.outputs.length}** stack output change${diff.outputs.length === 1 ? "" : "s"}.` : "."),
  ];
  if (!diff.added.length && !diff.removed.length && !diff.changed.length && !diff.outputs.length) return lines;
  lines.push("", "| | resource | property | before | after |", "| --- | --- | --- | --- | --- |");
  for (const r of diff.added) lines.push(`| + | ${cell(shortUrn(r.urn, r.type))} | | | |`);
  for (const r of diff.removed) lines.push(`| − | ${cell(shortUrn(r.urn, r.type))} | | | |`);
  for (const r of diff.changed) {
    r.changes.forEach((c, i) => lines.push(changeRow(i === 0 ? `~`: "", i === 0 ? shortUrn(r.urn, r.type) : "", c)));
  }
  diff.outputs.forEach((c, i) => lines.push(changeRow(i === 0 ? "~" : "", i === 0 ? "stack outputs" : "", c)));
  return lines;
}

function changeRow(mark: string, resource: string, c: PropertyChange): string {
  const show = (v: PropertyChange["before"]) => (v === undefined ? "_(absent)_" : code(valueText(v, 80)));
  return `| ${mark} | ${cell(resource)} | ${code(c.path)} | ${cell(show(c.before))} | ${cell(show(c.after))} |`;
}
