/**
 * Regenerates the rule table and waiver list in policy/README.md from the rules themselves:
 * `npx tsx policy/readme.ts` (a test fails when the README is stale).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRulesTable, renderWaiversList } from "./rules/table";

export const README = path.join(__dirname, "README.md");

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}${text.slice(to)}`;
}

export function renderReadme(text: string): string {
  return replaceSection(replaceSection(text, "rules", renderRulesTable()), "waivers", renderWaiversList());
}

if (require.main === module) {
  fs.writeFileSync(README, renderReadme(fs.readFileSync(README, "utf8")));
}
