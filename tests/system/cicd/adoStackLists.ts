import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environmentStacks } from "../../../tools/stacks/environmentStacks";
import { azureDir, Yaml } from "./workflowFiles";

/**
 * Azure DevOps fixes stages when a pipeline compiles, so the stacks it fans out over are static
 * parameter defaults; they must equal what the repository declares (`npm run stacks`): every
 * environment stack for the drift audit, every `prod-<name>` for the deploy pipelines.
 * Returns one message per missing or unknown stack (empty when the lists agree).
 */
export function adoStackListProblems(projectDir: string, pipelinesDir = azureDir): string[] {
  const stacks = environmentStacks(projectDir);
  const expected: [file: string, parameter: string, stacks: string[], command: string][] = [
    ["drift-audit.yml", "stacks", stacks.map((s) => s.stack), "npm run stacks -- --json"],
    ...["deploy-single-branch.yml", "deploy-multi-branch.yml"].map(
      (f) => [f, "productionStacks", stacks.filter((s) => s.environment === "prod" && s.stack !== "prod").map((s) => s.stack), "npm run stacks -- --named --json"] as [string, string, string[], string],
    ),
  ];
  const problems: string[] = [];
  for (const [file, parameter, want, command] of expected) {
    const doc: Yaml = parse(readFileSync(join(pipelinesDir, file), "utf8"));
    const declared = doc?.parameters?.find((p: Yaml) => p?.name === parameter);
    if (!declared) {
      problems.push(`${file}: parameters.${parameter} is missing`);
      continue;
    }
    const listed: string[] = Array.isArray(declared.default) ? declared.default.map(String) : [];
    for (const s of want) if (!listed.includes(s)) problems.push(`${file}: parameters.${parameter} lacks '${s}' (Pulumi.${s}.yaml); keep it equal to \`${command}\``);
    for (const s of listed) if (!want.includes(s)) problems.push(`${file}: parameters.${parameter} lists '${s}', which is not a stack of \`${command}\``);
  }
  return problems;
}
