import { readFileSync } from "node:fs";
import { join } from "node:path";
import { azureDir, repoRoot, workflowDir, yamlFiles } from "./workflowFiles";

/** Secrets GitHub provides itself: nobody sets them. */
const PROVIDED_SECRETS = new Set(["GITHUB_TOKEN"]);

const withoutComments = (yaml: string) => yaml.split("\n").filter((l) => !l.trim().startsWith("#")).join("\n");

/** What the shipped CI reads that a team must set: GitHub secrets and variables, Azure DevOps group variables. */
export function settingsTheCiReads(): { githubSecrets: string[]; githubVariables: string[]; adoVariables: string[] } {
  const names = (dir: string, re: RegExp) =>
    [...new Set(yamlFiles(dir).flatMap((f) => [...withoutComments(readFileSync(join(dir, f), "utf8")).matchAll(re)].map((m) => m[1])))].sort();
  return {
    githubSecrets: names(workflowDir, /\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g).filter((s) => !PROVIDED_SECRETS.has(s)),
    githubVariables: names(workflowDir, /\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g),
    // Variable-group values come in as `$(NAME)` macros (upper case; predefined ones are Dotted.Names).
    adoVariables: names(azureDir, /\$\(([A-Z][A-Z0-9_]*)\)/g),
  };
}

/**
 * Where the deploy walkthrough (docs/ci-cd.md, generated into the README) names what a team sets:
 * each GitHub secret in the **Secrets.** paragraph, each variable as one row of the **Variables**
 * table, each Azure DevOps group variable in the **Variable groups** step. Returns what is missing
 * or named more than once.
 */
export function walkthroughProblems(doc: string, reads = settingsTheCiReads()): string[] {
  const problems: string[] = [];
  const secrets = /\*\*Secrets\.\*\*([\s\S]*?)\n\n/.exec(doc)?.[1] ?? "";
  const table = /\*\*Variables\*\*[\s\S]*?\n\n(\|[\s\S]*?)\n\n/.exec(doc)?.[1] ?? "";
  const rows = table.split("\n").slice(2).map((r) => r.split("|")[1] ?? "");
  const groups = /\*\*Variable groups\*\*([\s\S]*?)\n\d+\. /.exec(doc)?.[1] ?? "";
  for (const s of reads.githubSecrets) if (!secrets.includes(`\`${s}\``)) problems.push(`GitHub secret ${s} is not named in the **Secrets.** paragraph`);
  for (const v of reads.githubVariables) {
    const n = rows.filter((r) => r.includes(`\`${v}\``)).length;
    if (n !== 1) problems.push(`GitHub variable ${v} is in ${n} rows of the **Variables** table (expected 1)`);
  }
  for (const v of reads.adoVariables) if (!groups.includes(`\`${v}\``)) problems.push(`Azure DevOps variable ${v} is not named in the **Variable groups** step`);
  return problems;
}

export const walkthroughDoc = (): string => readFileSync(join(repoRoot, "docs", "ci-cd.md"), "utf8");
