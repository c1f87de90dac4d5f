/**
 * `bench/RESULTS.md`: a human summary plus the machine-readable record it is rebuilt from. Running one
 * benchmark replaces only its entry; the others keep their last figures (with their own date and machine).
 */
import * as fs from "node:fs";
import { writeFileAtomic } from "../../tools/lib/atomicWrite";
import type { MachineDetails } from "./machine";

export interface BenchEntry {
  figures: Record<string, unknown>;
  machine: MachineDetails;
}

export type BenchRecord = Record<string, BenchEntry>;

const BEGIN = "<!-- bench-results-json";
const END = "bench-results-json -->";

export function readRecord(file: string): BenchRecord {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start < 0 && end < 0) return {};
  // A damaged record must stop the run: rewriting it would silently drop every other bench's figures.
  const damaged = () => new Error(`${file}: the results block between ${BEGIN} and ${END} is damaged; fix or delete the file, then rerun`);
  if (start < 0 || end < 0) throw damaged();
  try {
    return JSON.parse(text.slice(start + BEGIN.length, end)) as BenchRecord;
  } catch {
    throw damaged();
  }
}

function figureText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function renderResults(record: BenchRecord): string {
  const names = Object.keys(record).sort();
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (`npm run bench -- <name>` for one); do not edit by hand. Each benchmark",
    "keeps the figures of its last run, with the machine and date of that run.",
    "",
    "| bench | figures | date | machine |",
    "| --- | --- | --- | --- |",
  ];
  for (const name of names) {
    const { figures, machine } = record[name];
    const summary = Object.entries(figures)
      .filter(([, v]) => typeof v !== "object" || Array.isArray(v))
      .map(([k, v]) => `${k} ${figureText(v)}`)
      .join(" · ");
    lines.push(`| \`${name}\` | ${summary.replace(/\|/g, "\\|")} | ${machine.date.slice(0, 10)} | ${machine.cores} × ${machine.cpu}, node ${machine.node} |`);
  }
  const withGoals = names.filter((n) => typeof record[n].figures.goal === "string");
  if (withGoals.length) {
    lines.push("", "## Goals", "", "| bench | goal | met |", "| --- | --- | --- |");
    for (const name of withGoals) {
      const { goal, met } = record[name].figures;
      lines.push(`| \`${name}\` | ${String(goal).replace(/\|/g, "\\|")} | ${met === true ? "yes" : met === false ? "**no**" : "not measured"} |`);
    }
  }
  for (const name of names) {
    const { figures, machine } = record[name];
    lines.push("", `## ${name}`, "", "| figure | value |", "| --- | --- |");
    for (const [k, v] of Object.entries(figures)) lines.push(`| ${k} | \`${figureText(v)}\` |`);
    lines.push(
      "",
      `Measured ${machine.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
        `Node.js ${machine.node}, ${machine.platform}.`,
    );
  }
  lines.push("", "## Machine-readable details", "", BEGIN, JSON.stringify(record, null, 2), END, "");
  return lines.join("\n");
}

/** Written beside the target and renamed, so an interrupted run never leaves half a file. */
export function writeResults(file: string, record: BenchRecord): void {
  writeFileAtomic(file, renderResults(record));
}
