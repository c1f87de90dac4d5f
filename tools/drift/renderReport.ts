/** The drift report as JSON (the contract), plain text (terminals) and Markdown (the nightly issue/summary). */
import { DriftAnalysis, DriftReport, DriftedResource } from "./driftReport";

export type ReportFormat = "text" | "markdown" | "json";
export const REPORT_FORMATS: ReportFormat[] = ["text", "markdown", "json"];

const SOURCE_LABEL: Record<DriftReport["source"], string> = {
  "preview-refresh": "pulumi preview --refresh",
  refresh: "pulumi refresh --preview-only",
};

const OP_LABEL: Record<DriftedResource["op"], string> = {
  update: "changed in Azure",
  replace: "changed in Azure; `up` would replace it",
  create: "missing in Azure; `up` would create it",
  delete: "deleted in Azure or no longer declared",
  refresh: "changed in Azure outside the declared settings",
};

export function renderReport({ report, reasons }: DriftAnalysis, format: ReportFormat): string {
  if (format === "json") return JSON.stringify(report, null, 2) + "\n";
  const why = (d: DriftedResource) => reasons[d.urn] ?? [];
  return format === "markdown" ? renderMarkdown(report, why) : renderText(report, why);
}

function value(v: unknown, max: number): string {
  const s = JSON.stringify(v) ?? "null";
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::") || urn;
}

/** One sentence per operation Pulumi counted without naming the resource. */
function unattributedLines(report: DriftReport): string[] {
  return report.unattributed.map(
    ({ op, count }) =>
      `Pulumi counted ${count} more ${op}${count === 1 ? "" : "s"} than it names: resource${count === 1 ? "" : "s"} whose provider reports no detailed diff ` +
      `(dynamic providers such as published pipelines, promoted models, endpoint traffic) drifted; run \`pulumi refresh --preview-only --diff\` or \`pulumi preview --refresh --json\` to see which.`,
  );
}

function counts(report: DriftReport): string {
  const { high, medium, low, unchanged } = report.summary;
  const n = report.drifted.length;
  return `${n} drifted resource${n === 1 ? "" : "s"} (${high} high, ${medium} medium, ${low} low), ${unchanged} unchanged`;
}

export function renderText(report: DriftReport, reasons: (d: DriftedResource) => string[] = () => []): string {
  const lines = [`Drift report for stack ${report.stack ?? "(unknown)"} (from ${SOURCE_LABEL[report.source]})`];
  if (report.drifted.length === 0 && report.unattributed.length === 0) {
    lines.push(`No drift: ${report.summary.unchanged} resources match what the stack declares.`);
    return lines.join("\n") + "\n";
  }
  lines.push(counts(report), ...unattributedLines(report), "");
  for (const d of report.drifted) {
    const why = reasons(d);
    lines.push(`[${d.severity}] ${nameOf(d.urn)} (${d.type}): ${OP_LABEL[d.op]}${why.length ? ` — ${why.join("; ")}` : ""}`);
    lines.push(`  urn: ${d.urn}`);
    for (const p of d.properties) {
      lines.push(`  ${p.path}: declared ${value(p.before, 120)}, in Azure ${value(p.after, 120)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

function code(s: string): string {
  const escaped = s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  return escaped.includes("`") ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

const BADGE: Record<DriftedResource["severity"], string> = { high: "🔴 high", medium: "🟠 medium", low: "⚪ low" };

export function renderMarkdown(report: DriftReport, reasons: (d: DriftedResource) => string[] = () => []): string {
  const out = [`## Drift report: stack ${code(report.stack ?? "unknown")}`, ""];
  const none = report.drifted.length === 0 && report.unattributed.length === 0;
  out.push(`Source: ${code(SOURCE_LABEL[report.source])}. ${none ? "**No drift.**" : `**${counts(report)}.**`}`, "");
  for (const line of unattributedLines(report)) out.push(`> ⚠️ ${line}`, "");
  out.push("| high | medium | low | unchanged |", "| ---: | ---: | ---: | ---: |");
  const { high, medium, low, unchanged } = report.summary;
  out.push(`| ${high} | ${medium} | ${low} | ${unchanged} |`, "");
  if (report.drifted.length === 0) return out.join("\n");
  out.push("| severity | resource | type | what happened |", "| --- | --- | --- | --- |");
  for (const d of report.drifted) {
    out.push(`| ${BADGE[d.severity]} | ${code(nameOf(d.urn))} | ${code(d.type)} | ${OP_LABEL[d.op].replace(/\|/g, "\\|")} |`);
  }
  out.push("");
  for (const d of report.drifted) {
    out.push(`### ${BADGE[d.severity]}: ${code(nameOf(d.urn))}`, "");
    const why = reasons(d);
    out.push(`${code(d.type)}, ${OP_LABEL[d.op]}${why.length ? `. Why ${d.severity}: ${why.join("; ")}` : ""}.`, "");
    out.push(`URN: ${code(d.urn)}`, "");
    if (d.properties.length > 0) {
      out.push("| property | declared (before) | in Azure (after) |", "| --- | --- | --- |");
      for (const p of d.properties) out.push(`| ${code(p.path)} | ${code(value(p.before, 200))} | ${code(value(p.after, 200))} |`);
      out.push("");
    }
  }
  return out.join("\n");
}
