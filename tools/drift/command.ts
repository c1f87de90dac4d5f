/**
 * `npm run drift`: the drift report (docs/architecture.md, "Command contracts") and the stale-asset audit.
 *
 *   npm run drift -- <pulumi-output.json> [--format text|markdown|json] [--out <file>]
 *   npm run drift -- --preview --stack <stack> [--events-out <file>] [--format …] [--out <file>]
 *   npm run drift -- --stale --stack dev [--delete [--yes]] [--stacks <file>] [--outputs <file>]
 *                    [--arm-endpoint <url>] [--format text|json]
 *
 * Exit codes: 0 no drift / nothing stale (or all cleaned), 4 drift or stale assets found,
 * 2 bad input. Every argument problem is reported at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, InputProblem } from "../../shared/errors";
import { INPUT_LIMITS, jsonStructureProblems, readBoundedText } from "../../infra/inputLimits";
import { EXIT, parseCommandLine } from "../lib/cli";
import { outputFileProblem, writeFileAtomic } from "../lib/atomicWrite";
import { buildDriftReport } from "./driftReport";
import { readEngineEvents, readPulumiOutput } from "./pulumiOutput";
import { firstLine } from "../lib/pulumiStacks";
import { REPORT_FORMATS, ReportFormat, renderReport } from "./renderReport";
import { StaleDeps, runStaleAudit } from "./stale/staleCommand";
import { PUBLIC_ARM_ENDPOINT } from "../../components/shared/azure";

const USAGE = `usage:
  npm run drift -- <pulumi-output.json> [--format text|markdown|json] [--out <file>]
  npm run drift -- --preview --stack <stack> [--events-out <events.json>] [--format text|markdown|json] [--out <file>]
  npm run drift -- --stale --stack dev [--delete [--yes]] [--stacks <stack-ls.json>] [--outputs <stack-output.json>]
                   [--arm-endpoint <url>] [--format text|json]

<pulumi-output.json> is what \`pulumi preview --refresh --json\` or \`pulumi refresh --preview-only --json\` printed.
--preview runs \`pulumi preview --refresh\` of --stack through the Pulumi Automation API and reads its typed
engine events; --events-out saves them (one JSON event a line, readable again as <pulumi-output.json>).
Exit codes: 0 no drift, 4 drift (or stale assets) found, 2 bad input.`;

const OPTIONS = {
  format: { type: "string" },
  out: { type: "string" },
  stale: { type: "boolean" },
  preview: { type: "boolean" },
  "events-out": { type: "string" },
  stack: { type: "string" },
  delete: { type: "boolean" },
  yes: { type: "boolean" },
  stacks: { type: "string" },
  outputs: { type: "string" },
  "arm-endpoint": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const STALE_ONLY = ["stack", "delete", "yes", "stacks", "outputs", "arm-endpoint"] as const;

export interface DriftDeps extends StaleDeps {
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function driftCommand(argv: string[], deps: DriftDeps): Promise<number> {
  const { values, positionals } = parseCommandLine("drift", argv, OPTIONS);
  if (values.help) {
    deps.stdout(USAGE + "\n");
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ file: "command line", path, message });

  if (values.stale && values.preview) bad("--preview", "cannot be combined with --stale");
  else if (values.stale) {
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json") bad("--format", `with --stale expected text or json; found ${JSON.stringify(format)}`);
    if (positionals.length > 0) bad(positionals[0], "--stale takes no file argument");
    if (values.out !== undefined) bad("--out", "not used with --stale");
    if (!values.stack) bad("--stack", "required with --stale (the stack whose workspace holds the assets, e.g. dev)");
    if (values.yes && !values.delete) bad("--yes", "only meaningful with --delete");
    const endpoint = values["arm-endpoint"];
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) bad("--arm-endpoint", `expected an http(s) URL; found ${JSON.stringify(endpoint)}`);
    if (problems.length > 0) throw new InputError(problems);
    return runStaleAudit(
      {
        stack: values.stack!,
        delete: values.delete === true,
        yes: values.yes === true,
        stacksFile: values.stacks,
        outputsFile: values.outputs,
        armEndpoint: endpoint ?? PUBLIC_ARM_ENDPOINT,
        format: format as "text" | "json",
      },
      deps,
    );
  }

  const format = (values.format ?? "text") as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) bad("--format", `expected one of ${REPORT_FORMATS.join(", ")}; found ${JSON.stringify(values.format)}`);
  const outProblem = values.out !== undefined ? outputFileProblem(values.out) : undefined;

  if (values.preview) {
    if (outProblem) bad("--out", outProblem);
    // --stack is the stack to preview here, not only a --stale option.
    for (const flag of STALE_ONLY) if (flag !== "stack" && values[flag] !== undefined) bad(`--${flag}`, "only used with --stale");
    if (!values.stack) bad("--stack", "required with --preview (the stack to preview with --refresh, e.g. qa)");
    if (positionals.length > 0) bad(positionals[0], "--preview takes no file argument: it runs the preview");
    const eventsOut = values["events-out"];
    const eventsProblem = eventsOut !== undefined ? outputFileProblem(eventsOut) : undefined;
    if (eventsProblem) bad("--events-out", eventsProblem);
    if (eventsOut !== undefined && values.out !== undefined && sameFile(eventsOut, values.out)) bad("--events-out", "is the --out file: the report would overwrite the events");
    if (problems.length > 0) throw new InputError(problems);
    const stack = values.stack!;
    const source = `the preview of stack ${stack}`;
    const events = await previewEvents(stack, deps);
    if (eventsOut !== undefined) writeOrRefuse("--events-out", eventsOut, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    return report(buildDriftReport(readEngineEvents(source, events), source), format, values.out, deps);
  }

  if (values["events-out"] !== undefined) bad("--events-out", "only used with --preview");
  for (const flag of STALE_ONLY) if (values[flag] !== undefined) bad(`--${flag}`, "only used with --stale");
  if (positionals.length === 0) bad("<pulumi-output.json>", "missing: the file with the JSON of `pulumi preview --refresh --json` or `pulumi refresh --preview-only --json` (or run it: --preview --stack <stack>)");
  if (positionals.length > 1) bad(positionals.slice(1).join(" "), "one input file expected");
  if (outProblem) bad("--out", outProblem);
  const file = positionals[0];
  if (file !== undefined && values.out !== undefined && sameFile(file, values.out)) bad("--out", `is the input file ${file}: the report would overwrite it`);
  if (file !== undefined && problems.length === 0) deps.stderr(`drift: reading ${file}\n`);
  // The input file's own problems join the argument problems: all are reported at once.
  const analysis = file !== undefined ? collect(problems, () => buildDriftReport(readPulumiOutput(file, readInput(file)), file)) : undefined;
  if (problems.length > 0 || !analysis) throw new InputError(problems);
  return report(analysis, format, values.out, deps);
}

/**
 * `pulumi preview --refresh` through the Automation API: its engine events, with progress on stderr.
 * A preview can end non-zero on some refresh errors and still report every step: as with the JSON
 * the CLI prints, its failure is logged and the events it sent are read (a failed preview among
 * them is a problem of the input); no events at all is a failure of the audit.
 */
async function previewEvents(stack: string, deps: DriftDeps): Promise<object[]> {
  deps.stderr(`drift: pulumi preview --refresh of stack ${stack} (Pulumi Automation API)\n`);
  const events: object[] = [];
  // Engine events carry a unique, increasing `sequence`. The SDK tails an event-log file for CLIs
  // up to 3.205 and can read it twice (seen under load): an event seen again counts once.
  const seen = new Set<number>();
  let resources = 0;
  try {
    const pulumi = await deps.pulumi();
    await pulumi.previewRefresh(stack, (event) => {
      if (typeof event.sequence === "number") {
        if (seen.has(event.sequence)) return;
        seen.add(event.sequence);
      }
      events.push(event);
      if (event.resourcePreEvent && ++resources % 50 === 0) deps.stderr(`drift: ${resources} resources previewed\n`);
    });
  } catch (err) {
    const failure = `pulumi preview --refresh of stack ${stack} failed: ${firstLine(err)}`;
    if (events.length === 0) throw new Error(failure, { cause: err });
    deps.stderr(`drift: ${failure}; reading the ${events.length} events it sent\n`);
  }
  deps.stderr(`drift: ${events.length} engine events, ${resources} resources\n`);
  return events;
}

function writeOrRefuse(flag: string, file: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "its directory does not exist" : (err as Error).message;
    throw new InputError([{ file: "command line", path: flag, message: `cannot write ${file}: ${why}` }]);
  }
}

function report(analysis: ReturnType<typeof buildDriftReport>, format: ReportFormat, out: string | undefined, deps: DriftDeps): number {
  const { report } = analysis;
  deps.stderr(`drift: compared ${report.summary.high + report.summary.medium + report.summary.low + report.summary.unchanged} resources, rendering ${format}\n`);
  const rendered = renderReport(analysis, format);
  if (out !== undefined) {
    writeOrRefuse("--out", out, rendered);
    const { high, medium, low, unchanged } = report.summary;
    deps.stderr(`drift: ${high} high, ${medium} medium, ${low} low, ${unchanged} unchanged; report written to ${out}\n`);
  } else deps.stdout(rendered);
  return report.drifted.length > 0 || report.unattributed.length > 0 ? EXIT.drift : EXIT.ok;
}

function collect<T>(problems: InputProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/** The input, within the size limit, with no duplicate keys and no nesting the walkers cannot take. */
function readInput(file: string): string {
  const { text, problem } = readBoundedText(file, file, INPUT_LIMITS.jsonBytes);
  if (problem) throw new InputError([problem]);
  const structure = jsonStructureProblems(text!, file);
  if (structure.length > 0) throw new InputError(structure);
  return text!;
}

/** Whether two paths name one file (through symlinks and `./` spellings), for files that may not exist yet. */
function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      try {
        return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  return real(a) === real(b);
}
