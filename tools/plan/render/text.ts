/** The plan as terminal text: tree, counts by type, outputs, policy findings, and the optional diff. */
import type { PlanDiff, PlanDocument } from "../../../shared/plan";
import { changeText, countByType, PLACEHOLDER_NOTE, shortUrn, summaryLine, treeLines, valueText } from "./tree";

export interface TextOptions {
  diff?: PlanDiff;
  /** Label of the plan compared against (the `--against` file). */
  againstLabel?: string;
  /** false when no policy pack was available. */
  policyEvaluated?: boolean;
}

export function renderPlanText(plan: PlanDocument, opts: TextOptions = {}): string {
  const out: string[] = [];
  const what = plan.kind === "branch" ? `branch stack of ${plan.environment}, branch ${plan.branch ?? "?"}` : `environment ${plan.environment}`;
  out.push(`Plan for stack ${plan.stack} (project ${plan.project}, ${what})`);
  out.push(summaryLine(plan));
  out.push(PLACEHOLDER_NOTE);
  out.push("");
  out.push(...treeLines(plan));
  out.push("");
  out.push("Resources by type:");
  const counts = countByType(plan);
  const width = Math.max(...counts.map(([, n]) => String(n).length), 1);
  for (const [type, n] of counts) out.push(`  ${String(n).padStart(width)}  ${type}`);

  const outputs = Object.entries(plan.outputs);
  if (outputs.length) {
    out.push("");
    out.push("Outputs:");
    for (const [k, v] of outputs) out.push(`  ${k} = ${valueText(v)}`);
  }

  out.push("");
  out.push(...policyLines(plan, opts.policyEvaluated ?? true));
  if (opts.diff) {
    out.push("");
    out.push(...diffLines(opts.diff, opts.againstLabel));
  }
  return out.join("\n") + "\n";
}

export function policyLines(plan: PlanDocument, evaluated: boolean): string[] {
  if (!evaluated) return ["Policy: not evaluated (policy/evaluate.ts is not available)"];
  const mandatory = plan.violations.filter((v) => v.level === "mandatory");
  const advisory = plan.violations.filter((v) => v.level === "advisory");
  const names = new Map(plan.resources.map((r) => [r.urn, shortUrn(r.urn, r.type)]));
  const lines = [
    `Policy: ${mandatory.length} mandatory, ${advisory.length} advisory violation(s), ${plan.waivers.length} waiver(s)`,
  ];
  for (const v of [...mandatory, ...advisory]) {
    lines.push(`  ${v.level === "mandatory" ? "✖ mandatory" : "! advisory "}  ${v.policy}  ${names.get(v.urn) ?? v.urn}: ${v.message}`);
  }
  for (const w of plan.waivers) lines.push(`  ~ waived     ${w.policy}  ${names.get(w.urn) ?? w.urn}: ${w.reason}`);
  return lines;
}

export function diffLines(diff: PlanDiff, againstLabel?: string): string[] {
  const against = againstLabel ? `${againstLabel} (stack ${diff.base.stack})` : `stack ${diff.base.stack}`;
  const lines = [
    `Changes against ${against}: ${diff.added.length} added, ${diff.removed.length} removed, ` +
      `${diff.changed.length} changed, ${diff.unchanged} unchanged`,
  ];
  for (const r of diff.added) lines.push(`  + ${shortUrn(r.urn, r.type)}`);
  for (const r of diff.removed) lines.push(`  - ${shortUrn(r.urn, r.type)}`);
  for (const r of diff.changed) {
    lines.push(`  ~ ${shortUrn(r.urn, r.type)}`);
    for (const c of r.changes) lines.push(`      ${changeText(c)}`);
  }
  if (diff.outputs.length) {
    lines.push("  outputs:");
    for (const c of diff.outputs) lines.push(`      ${changeText(c)}`);
  }
  return lines;
}
