import * as fs from "node:fs";
import * as path from "node:path";
import { renderConfigReference } from "./configReference";

/** Generated README sections, each between `<!-- <name>:start -->` and `<!-- <name>:end -->`. */
export function generatedSections(): Record<string, string> {
  // Loaded lazily so the config reference works even while the policy module is being changed.
  const { renderRulesTable } = require("../../policy/evaluate") as { renderRulesTable: () => string };
  const ciCd = fs.readFileSync(path.resolve(__dirname, "../../docs/ci-cd.md"), "utf8").trim();
  const promotion = fs.readFileSync(path.resolve(__dirname, "../../docs/promotion.md"), "utf8").trim();
  return { "ci-cd": ciCd, promotion, "config-reference": renderConfigReference(), "policy-rules": renderRulesTable() };
}

export function applySections(readme: string, sections: Record<string, string>): { text: string; missing: string[] } {
  let text = readme;
  const missing: string[] = [];
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(text)) missing.push(name);
    else text = text.replace(re, (_m, start: string, end: string) => `${start}\n${body}\n${end}`);
  }
  return { text, missing };
}
