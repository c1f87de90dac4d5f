/**
 * Every shell script the CI definitions run, as the shell will see it: GitHub `run:` steps (with the
 * shell GitHub picks for them) and Azure DevOps `script:` / `inlineScript:` steps, including the
 * scripts passed into the pulumi-step template. Two checkers read them: a small pure-JS one that
 * always runs (errexit+pipefail, SC2155, template expressions inside the shell) and shellcheck
 * wherever it is installed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { azureDir, workflowDir, Yaml, yamlFiles } from "./workflowFiles";

export interface ShellScript {
  /** `file:job:step` or `file:path`. */
  where: string;
  platform: "github" | "azure";
  /** The script text as written. */
  text: string;
  /** Lines the runner runs before the text (GitHub's `bash -eo pipefail`, the template's preamble). */
  preamble: string;
}

/** What GitHub runs for `shell: bash` (and what its own docs call the bash template). */
export const GITHUB_BASH = "set -eo pipefail";
/** The pulumi-step template's own script runs `${{ parameters.script }}` after its preamble. */
const TEMPLATE_SCRIPT = "${{ parameters.script }}";

export function githubScripts(): ShellScript[] {
  const out: ShellScript[] = [];
  for (const file of yamlFiles(workflowDir)) {
    const doc = parse(readFileSync(join(workflowDir, file), "utf8"));
    for (const [jobId, job] of Object.entries<Yaml>(doc.jobs ?? {})) {
      (job.steps ?? []).forEach((step: Yaml, i: number) => {
        if (typeof step.run !== "string") return;
        const shell = step.shell ?? job.defaults?.run?.shell ?? doc.defaults?.run?.shell;
        out.push({
          where: `${file}:${jobId}:${step.name ?? `step ${i + 1}`}`,
          platform: "github",
          text: step.run,
          // Without an explicit `shell: bash`, GitHub runs `bash -e {0}`: no pipefail.
          preamble: shell === "bash" ? GITHUB_BASH : shell === undefined ? "set -e" : `# shell: ${shell}`,
        });
      });
    }
  }
  return out;
}

export function azureScripts(): ShellScript[] {
  const out: ShellScript[] = [];
  for (const file of yamlFiles(azureDir)) {
    const doc = parse(readFileSync(join(azureDir, file), "utf8"));
    const walk = (node: Yaml, path: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries<Yaml>(node)) {
          if ((k === "script" || k === "inlineScript") && typeof v === "string") {
            // A script handed to pulumi-step.yml runs inside its inline script, after its preamble.
            const intoTemplate = k === "script" && /parameters$/.test(path) && String(node.serviceConnection ?? "") !== "";
            out.push({ where: `${file}:${path}.${k}`, platform: "azure", text: v, preamble: intoTemplate ? "set -euo pipefail" : "" });
          } else walk(v, `${path}.${k}`);
        }
      }
    };
    walk(doc, file.replace(/\.ya?ml$/, ""));
  }
  return out;
}

export function allScripts(): ShellScript[] {
  return [...githubScripts(), ...azureScripts()];
}

/** The script with its preamble, the template's placeholder stubbed: what shellcheck should read. */
export function effectiveScript(s: ShellScript): string {
  const body = s.text.split("\n").map((l) => (l.trim() === TEMPLATE_SCRIPT ? ": # the caller's script (checked on its own)" : l)).join("\n");
  return `#!/usr/bin/env bash\n${s.preamble}\n${body}`;
}

const ERREXIT_PIPEFAIL = /^\s*set -(?:eu?o|ueo|euo) pipefail\b/m;

/** The rules that always run, shellcheck or not. */
export function scriptProblems(s: ShellScript): string[] {
  const problems: string[] = [];
  const text = s.text.split("\n").filter((l) => l.trim() !== TEMPLATE_SCRIPT).join("\n");
  const firstCommand = text.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("#")) ?? "";
  const strict = s.preamble === GITHUB_BASH || s.preamble === "set -euo pipefail" || ERREXIT_PIPEFAIL.test(firstCommand);
  if (!strict) problems.push(`${s.where}: runs without errexit and pipefail (GitHub: shell: bash; Azure DevOps: start with 'set -euo pipefail')`);
  for (const m of text.matchAll(/^\s*(?:export|local|declare|readonly)\s+\w+=["']?\$\(/gm)) {
    problems.push(`${s.where}: '${m[0].trim()}' masks the command's exit code (SC2155): assign, then export`);
  }
  if (/\$\{\{/.test(text)) problems.push(`${s.where}: expands a template expression inside the shell: pass it through env: and read the variable`);
  if (s.platform === "azure" && /\$\([A-Za-z_]+(?:\.[A-Za-z_]+)+\)/.test(text)) {
    problems.push(`${s.where}: expands an Azure DevOps macro $(A.B) inside the shell: read its environment variable (A_B) instead`);
  }
  return problems;
}

export function shellcheckAvailable(): boolean {
  return spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
}

/** shellcheck's findings (all severities) for one script, as `where: SCnnnn message` lines. */
export function shellcheck(s: ShellScript): string[] {
  // SC2016: single-quoted `node -e '…${x}…'` programs are JavaScript, not shell expansions.
  const r = spawnSync("shellcheck", ["-s", "bash", "-f", "json", "-e", "SC2016", "-"], { input: effectiveScript(s), encoding: "utf8" });
  if (r.error) throw r.error;
  const findings = JSON.parse(r.stdout || "[]") as { line: number; code: number; message: string; level: string }[];
  return findings.map((f) => `${s.where} (line ${f.line - 2}): SC${f.code} ${f.level}: ${f.message}`);
}
