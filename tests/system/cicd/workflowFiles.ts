/** Loading helpers for the CI/CD definition tests. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";

export const repoRoot = join(__dirname, "../../..");
export const workflowDir = join(repoRoot, ".github", "workflows");
export const azureDir = join(repoRoot, ".azure-pipelines");

export type Yaml = any;

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

export function loadYaml(file: string): Yaml {
  return parse(readFileSync(file, "utf8"));
}

export interface ParsedWorkflow {
  file: string;
  errors: string[];
  jobs: string[];
}

/**
 * GitHub's own workflow parser, run in a child `node`: its ESM build imports a JSON schema without an
 * import attribute, which Node 20 only accepts through the loader hook registered by --import.
 */
export function parseWithGitHubParser(files: string[]): ParsedWorkflow[] {
  const hook = pathToFileURL(join(__dirname, "register-json-hook.mjs")).href;
  const script = join(__dirname, "parse-workflows.mjs");
  const out = execFileSync(process.execPath, ["--import", hook, script, ...files], { cwd: repoRoot, encoding: "utf8" });
  return JSON.parse(out) as ParsedWorkflow[];
}

/** Every `run:` script of a workflow, joined, for "does it call X" checks. */
export function runScripts(job: Yaml): string {
  return (job.steps ?? []).map((s: Yaml) => s.run ?? "").join("\n");
}

export function usesOf(job: Yaml): string[] {
  return (job.steps ?? []).map((s: Yaml) => s.uses).filter(Boolean);
}

export function stepUsing(job: Yaml, action: string): Yaml {
  return (job.steps ?? []).find((s: Yaml) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));
}

export const packageScripts: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts;

/** `npm run <script>` names and `npx tsx <file>` paths a script text calls. */
export function commandsIn(text: string): { scripts: string[]; files: string[] } {
  const scripts = [...text.matchAll(/npm run (?:--silent )?([a-z][\w-]*)/g)].map((m) => m[1]);
  const files = [...text.matchAll(/npx tsx ([\w./-]+\.ts)/g)].map((m) => m[1]);
  return { scripts, files };
}

export function missingCommands(text: string): string[] {
  const { scripts, files } = commandsIn(text);
  return [
    ...scripts.filter((s) => !(s in packageScripts)).map((s) => `npm run ${s}`),
    ...files.filter((f) => !existsSync(join(repoRoot, f))).map((f) => `npx tsx ${f}`),
  ];
}
