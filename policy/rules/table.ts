import { allRules, allWaivers } from "./index";
import type { Rule, WaiverRule } from "./types";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The README's rule table: one row per rule, its anchors and its level in each environment. */
export function renderRulesTable(rules: readonly Rule[] = allRules): string {
  const head = ["| rule | checks | anchors | dev | qa | prod |", "| --- | --- | --- | --- | --- | --- |"];
  const rows = rules.map(
    (r) =>
      `| \`${r.name}\` | ${cell(r.description)} | ${cell(r.anchors.join(", ") || "custom")} | ${r.levels.dev} | ${r.levels.qa} | ${r.levels.prod} |`,
  );
  return [...head, ...rows].join("\n") + "\n";
}

/** The recorded waivers as a Markdown list: which rule, and why. */
export function renderWaiversList(waivers: readonly WaiverRule[] = allWaivers): string {
  return (
    waivers
      .map((w) => {
        const conditions = w.conditions.map((c) => `  - only while ${cell(c.description)}`);
        return [`- \`${w.policy}\` (review by ${w.reviewBy}): ${cell(w.reason)}.`, ...conditions].join("\n");
      })
      .join("\n") + "\n"
  );
}
