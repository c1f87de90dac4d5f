import * as fs from "node:fs";
import { README, renderReadme } from "../../policy/readme";
import { allRules } from "../../policy/rules";

test("policy/README.md lists every rule as the rules define them (regenerate: npx tsx policy/readme.ts)", () => {
  const text = fs.readFileSync(README, "utf8");
  expect(renderReadme(text)).toBe(text);
  for (const r of allRules) expect(text).toContain(`| \`${r.name}\` |`);
});

test("a README without the generated section is reported, not silently rewritten", () => {
  expect(() => renderReadme("# Policy pack\n")).toThrow(/no <!-- rules:start -->/);
});
