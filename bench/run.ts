/**
 * `npm run bench [-- <name>]`: runs every benchmark in `bench/benchmarks/` (or the one named), prints
 * one JSON line per benchmark on stdout (`{"bench":"<name>", …figures}`), and rewrites
 * `bench/RESULTS.md`. A benchmark is a module exporting `default async function run()` that returns
 * its figures. Exit codes: 0 all ran; 1 a benchmark failed; 2 unknown benchmark name or bad arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CliExit, EXIT, parseCommandLine, runCli } from "../tools/lib/cli";
import { InputError } from "../shared/errors";
import { machineDetails } from "./lib/machine";
import { readRecord, writeResults } from "./lib/results";
import { withStdoutToStderr } from "../tools/lib/stdout";
import { formatElapsed } from "../tools/lib/progress";

export const BENCH_DIR = path.join(__dirname, "benchmarks");
export const RESULTS_FILE = path.join(__dirname, "RESULTS.md");

type Benchmark = () => Promise<Record<string, unknown>>;

export function listBenchmarks(dir = BENCH_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseCommandLine("bench", argv, {});
  const available = listBenchmarks();
  const unknown = positionals.filter((n) => !available.includes(n));
  if (unknown.length) {
    throw new InputError(
      unknown.map((n) => ({ file: "command line", path: "bench", message: `unknown benchmark '${n}' (available: ${available.join(", ")})` })),
    );
  }
  const selected = positionals.length ? positionals : available;
  // Child processes must not compile TypeScript while measured: an edited file would otherwise load
  // the compiler into the first one (tens of MiB more, model-copy-scale's memory goal) and slow it.
  const { compileProject } = require("../tools/launch/build") as { compileProject: () => number };
  compileProject();

  let failed = 0;
  for (const [i, name] of selected.entries()) {
    // What runs, on stderr: stdout carries only the JSON lines.
    const started = Date.now();
    process.stderr.write(`bench: ${name} (${i + 1}/${selected.length})…\n`);
    const mod = (await import(path.join(BENCH_DIR, `${name}.ts`))) as { default?: Benchmark | { default?: Benchmark } };
    const run = typeof mod.default === "function" ? mod.default : mod.default?.default;
    if (typeof run !== "function") {
      process.stderr.write(`bench ${name}: bench/benchmarks/${name}.ts does not export a default run() function\n`);
      failed++;
      continue;
    }
    try {
      const figures = await withStdoutToStderr(run);
      process.stdout.write(JSON.stringify({ bench: name, ...figures }) + "\n");
      process.stderr.write(`bench: ${name} done in ${formatElapsed(Date.now() - started)}\n`);
      // Re-read each time: another benchmark's entry must survive whatever happens to this run.
      const record = readRecord(RESULTS_FILE);
      record[name] = { figures, machine: machineDetails() };
      writeResults(RESULTS_FILE, record);
    } catch (err) {
      process.stderr.write(`bench ${name} failed: ${(err as Error).message}\n`);
      failed++;
    }
  }
  if (failed) throw new CliExit(EXIT.failure, `${failed} benchmark(s) failed`);
  return EXIT.ok;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
