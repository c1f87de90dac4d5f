/**
 * Regenerates the rule table and waiver list in policy/README.md from the rules themselves:
 * `npx tsx policy/readme.ts` (a test fails when the README is stale). The built-in definitions
 * table is computed from the qa and prod plans, so regenerating it runs both plans.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import type { PlanDocument } from "../shared/plan";
import { renderBuiltinsTable } from "./builtins";
import { renderRulesTable, renderWaiversList } from "./rules/table";

export const README = path.join(__dirname, "README.md");

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(text: string, name: string, body: string): string {
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

/** The built-in definitions table needs the qa and prod plans (computed by the offline plan tool). */
function planOf(stack: string): PlanDocument {
  const tsx = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
  const out = execFileSync(tsx, [path.join(__dirname, "..", "tools", "plan", "cli.ts"), stack, "--json"], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString()) as PlanDocument;
}

if (require.main === module) {
  let text = renderReadme(fs.readFileSync(README, "utf8"));
  text = replaceSection(text, "builtins", renderBuiltinsTable({ qa: planOf("qa"), prod: planOf("prod") }));
  fs.writeFileSync(README, text);
}
