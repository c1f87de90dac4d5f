import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { InputError, InputProblem } from "../../shared/errors";
import { ArmRest, RequestSender } from "../../components/shared/armRest";
import { mlWorkspacesClient, PUBLIC_ARM_ENDPOINT } from "../../components/shared/azure";
import { pipelineJobProperties, portalLink, PublishedPipelineRef, workspaceOf } from "../../pipelines/publisher/jobs";
import { CliExit, EXIT, parseCommandLine } from "../lib/cli";
import { ProgressStream } from "../lib/progress";
import { startStepBoard } from "../lib/stepProgress";
import { readStackOutputs } from "../lib/pulumiStacks";
import { createRunHistorySender, historyEndpointOf, RunHistory, StepRun } from "../../pipelines/publisher/runHistory";
import { pipelineDefinitions } from "../../pipelines/definitions";
import { projectRoot } from "../../pipelines/spec/validate";
import { changedCommand } from "./changed";
import { scaffoldCommand } from "./scaffold";
import { workspaceId, type WorkspaceRef } from "../../shared/workspace";

/**
 * `npm run pipeline -- run <pipeline> --stack <stack> [--dataset toy] [--wait] [--timeout <minutes>]`
 *
 * Submits a pipeline job of a published pipeline (found in the stack's `publishedPipelines` output),
 * prints the run's studio link and, with --wait, follows the run to a terminal state. This is what a
 * pull-request build calls after publishing to its branch stack.
 */

export const USAGE = `usage: npm run pipeline -- run <pipeline> --stack <stack> [--dataset <datastore>] [--wait]
         [--timeout <minutes>] [--param <name>=<value> ...] [--outputs <stack-outputs.json>]
         [--arm-endpoint <url>] [--poll-seconds <n>]

  --dataset       datastore to read every dataset from instead of its default (e.g. toy)
  --wait          follow the run until it completes, fails or times out
  --timeout       minutes to wait (default 120); a run still going then is canceled
  --param         override a hyperparameter, e.g. --param epochs=5 (repeatable)
  --outputs       JSON of \`pulumi stack output --json\` (default: ask the Pulumi CLI)
  --arm-endpoint  Azure Resource Manager endpoint (default ${PUBLIC_ARM_ENDPOINT})

exit codes: 0 submitted (or completed with --wait), 1 failed or canceled, 2 bad arguments or outputs,
            5 timed out (the run is canceled)`;

/** Exit codes of `run`; a timeout gets its own so CI can tell a slow run from a broken one. */
export const RUN_EXIT = { completed: EXIT.ok, failed: EXIT.failure, badInput: EXIT.badInput, timedOut: 5 } as const;

const TERMINAL = new Set(["Completed", "Failed", "Canceled", "NotResponding"]);

export interface RunDeps {
  /** An Azure SDK client (anything with a request pipeline) for the ARM endpoint. */
  sender(endpoint: string, subscriptionId: string): RequestSender;
  /**
   * A sender for the Azure ML run history data plane (the workspace's regional API host), where
   * --wait reads each step's status. Without it --wait shows the pipeline job's status only.
   */
  historySender?(endpoint: string): RequestSender;
  /** The stack's outputs as `pulumi stack output --json` prints them (Pulumi Automation API). */
  stackOutputs(stack: string): unknown | Promise<unknown>;
  sleep(ms: number): Promise<void>;
  now(): number;
  out(line: string): void;
  err(line: string): void;
  /** Where --wait reports status and elapsed time (stderr). */
  progressStream: ProgressStream;
  /** Suffix that makes job names unique. */
  uniqueSuffix(): string;
}

export const defaultDeps: RunDeps = {
  sender: (endpoint, subscriptionId) => mlWorkspacesClient(subscriptionId, endpoint),
  historySender: () => createRunHistorySender(),
  async stackOutputs(stack) {
    try {
      return await readStackOutputs(stack);
    } catch (e) {
      throw new CliExit(EXIT.failure, `${(e as Error).message}; pass --outputs <file> with the JSON of \`pulumi stack output --json\``);
    }
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progressStream: process.stderr,
  uniqueSuffix: () => randomBytes(3).toString("hex"),
};

interface RunOptions {
  pipeline: string;
  stack: string;
  datastore?: string;
  wait: boolean;
  timeoutMinutes: number;
  pollSeconds: number;
  params: Record<string, string>;
  outputsFile?: string;
  armEndpoint: string;
}

export async function pipelineCommand(argv: string[], deps: RunDeps = defaultDeps): Promise<number> {
  // Other subcommands have options of their own (tools/pipeline/scaffold.ts).
  if (argv[0] === "scaffold") return scaffoldCommand(argv, projectRoot, pipelineDefinitions, deps.out);
  if (argv[0] === "changed") return changedCommand(argv, projectRoot, pipelineDefinitions, deps.out);
  const { values, positionals } = parseCommandLine("pipeline", argv, {
    stack: { type: "string" },
    dataset: { type: "string" },
    wait: { type: "boolean", default: false },
    timeout: { type: "string" },
    param: { type: "string", multiple: true },
    outputs: { type: "string" },
    "arm-endpoint": { type: "string" },
    "poll-seconds": { type: "string" },
    help: { type: "boolean", default: false },
  });
  if (values.help) {
    deps.out(USAGE);
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const bad = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  const [command, pipeline, ...extra] = positionals;
  if (command !== "run") bad(command ?? "<command>", `expected the command 'run', 'scaffold' or 'changed'\n${USAGE}`);
  if (!pipeline) bad("<pipeline>", "is required: the definition name, e.g. training");
  else if (!/^[a-z][a-z0-9_-]{0,31}$/.test(pipeline)) bad("<pipeline>", `'${pipeline}' is not a pipeline definition name`);
  for (const e of extra) bad(e, "unexpected argument");
  if (!values.stack) bad("--stack", "is required");
  else if (!/^[a-zA-Z0-9_.-]+$/.test(values.stack)) bad("--stack", `invalid stack name '${values.stack}'`);
  if (values.dataset !== undefined && !/^[a-z][a-z0-9_]{0,29}$/.test(values.dataset)) bad("--dataset", `'${values.dataset}' is not a datastore name`);
  const timeoutMinutes = rangedNumber(values.timeout, 120, "--timeout", LIMITS.timeoutMinutes, bad);
  const pollSeconds = rangedNumber(values["poll-seconds"], 15, "--poll-seconds", LIMITS.pollSeconds, bad);
  // A Map, then own properties: `constructor` or `__proto__` as a name is a name, never the prototype's.
  const paramMap = new Map<string, string>();
  for (const p of values.param ?? []) {
    const eq = p.indexOf("=");
    const name = p.slice(0, eq);
    if (eq <= 0) bad("--param", `expected <name>=<value> (found '${p}')`);
    else if (paramMap.has(name)) bad(`--param ${name}`, "given more than once");
    else paramMap.set(name, p.slice(eq + 1));
  }
  const params: Record<string, string> = Object.fromEntries(paramMap);
  const armEndpoint = values["arm-endpoint"] ?? PUBLIC_ARM_ENDPOINT;
  if (!/^https:\/\/[^/]+/.test(armEndpoint)) bad("--arm-endpoint", `must be an https URL (found '${armEndpoint}')`);
  if (problems.length > 0) throw new InputError(problems);

  return runPipeline(
    {
      pipeline: pipeline!,
      stack: values.stack!,
      datastore: values.dataset,
      wait: values.wait!,
      timeoutMinutes,
      pollSeconds,
      params,
      outputsFile: values.outputs,
      armEndpoint,
    },
    deps,
  );
}

async function runPipeline(opts: RunOptions, deps: RunDeps): Promise<number> {
  const source = opts.outputsFile ?? `outputs of stack ${opts.stack}`;
  const outputs = opts.outputsFile ? readOutputsFile(opts.outputsFile) : await deps.stackOutputs(opts.stack);
  const ref = publishedRef(outputs, opts.pipeline, source);
  const hyperparameters = checkParams(ref, opts.params);
  const ws = workspaceOf(ref.pipelineComponentId)!;
  const arm = new ArmRest(deps.sender(opts.armEndpoint, ws.subscriptionId), opts.armEndpoint);

  const models: Record<string, string> = {};
  for (const [input, m] of Object.entries(ref.inputs.models)) {
    const page = await arm.get<{ value: { id: string; name: string }[] }>(`${workspaceId(ws)}/models/${m.modelName}/versions`, {
      $orderBy: "createdtime desc",
      $top: "1",
    });
    const latest = page?.value?.[0];
    if (!latest) throw new CliExit(RUN_EXIT.failed, `model '${m.modelName}' has no registered version yet (input '${input}'): run the training pipeline first`);
    models[input] = latest.id;
    deps.out(`model ${input}: ${m.modelName} version ${latest.name}`);
  }

  const jobName = `${ref.experimentName}_${timestamp(deps.now())}_${deps.uniqueSuffix()}`.toLowerCase();
  const jobPath = `${workspaceId(ws)}/jobs/${jobName}`;
  const properties = pipelineJobProperties(ref, {
    datastore: opts.datastore,
    models,
    hyperparameters,
    displayName: `${ref.pipelineName}${opts.datastore ? ` on ${opts.datastore}` : ""}`,
    tags: { stack: opts.stack, dataset: opts.datastore ?? "default", "submitted-by": "npm run pipeline" },
  });
  const created = await arm.put<{ properties?: { status?: string; services?: { Studio?: { endpoint?: string } } } }>(jobPath, { properties });
  const link = created?.properties?.services?.Studio?.endpoint ?? portalLink(ws, jobName);
  deps.out(`submitted ${jobName} (pipeline ${ref.pipelineName}, experiment ${ref.experimentName})`);
  deps.out(`portal: ${link}`);
  if (!opts.wait) return RUN_EXIT.completed;

  const deadline = deps.now() + opts.timeoutMinutes * 60_000;
  const stepsOf = await stepReader(arm, ws, ref.experimentName, jobName, deps);
  // Status, steps and elapsed times go to stderr: a redrawn block on a terminal, plain lines in CI logs.
  const board = startStepBoard({ label: `run ${jobName}`, stream: deps.progressStream, now: deps.now });
  let steps: StepRun[] = [];
  let last = created?.properties?.status ?? "";
  if (last) board.update(last, steps);
  while (!TERMINAL.has(last)) {
    if (deps.now() >= deadline) {
      board.done(`timed out (${last || "not started"})`, steps);
      deps.err(`timed out after ${opts.timeoutMinutes} min with the run ${last || "not started"}; canceling ${jobName}`);
      await arm.post(`${jobPath}/cancel`).catch((e: Error) => deps.err(`cancel failed: ${e.message}`));
      deps.err(`portal: ${link}`);
      return RUN_EXIT.timedOut;
    }
    // Never sleep past the deadline: the timeout is checked when it falls, not a full poll later.
    await deps.sleep(Math.max(0, Math.min(opts.pollSeconds * 1000, deadline - deps.now())));
    if (deps.now() >= deadline) continue;
    const job = await arm.get<{ properties?: { status?: string } }>(jobPath);
    last = job?.properties?.status ?? "Unknown";
    steps = await stepsOf(steps);
    if (!TERMINAL.has(last)) board.update(last, steps);
  }
  board.done(last, steps);
  if (last === "Completed") {
    deps.out(`run ${jobName} completed`);
    return RUN_EXIT.completed;
  }
  const failed = steps.filter((s) => s.status === "Failed" || s.status === "Canceled" || s.status === "NotResponding");
  for (const s of failed) deps.err(`step ${s.name} ${s.status}${s.error ? `: ${s.error}` : ""}`);
  const which = failed.length ? ` (${failed.map((s) => `step ${s.name} ${s.status}`).join(", ")})` : "";
  deps.err(`run ${jobName} ended ${last}${which}: ${link}`);
  return RUN_EXIT.failed;
}

/**
 * How --wait reads the steps: the workspace's run history host (ARM GET of the workspace, its
 * `discoveryUrl`), then the job's child runs on each poll. Step status is extra information: when it
 * cannot be read the wait goes on with the job's own status, saying once why the steps are missing.
 */
async function stepReader(arm: ArmRest, ws: WorkspaceRef, experimentName: string, runId: string, deps: RunDeps) {
  const none = async (kept: StepRun[]) => kept;
  if (!deps.historySender) return none;
  const unavailable = (why: string) => deps.err(`step status unavailable (${why}); following the pipeline job only`);
  let endpoint: string | undefined;
  try {
    endpoint = historyEndpointOf(await arm.get(workspaceId(ws)));
  } catch (e) {
    unavailable((e as Error).message);
    return none;
  }
  if (!endpoint) {
    unavailable("the workspace has no discoveryUrl");
    return none;
  }
  const history = new RunHistory(deps.historySender(endpoint), endpoint);
  let broken = false;
  return async (kept: StepRun[]) => {
    if (broken) return kept;
    try {
      return await history.steps(ws, experimentName, runId);
    } catch (e) {
      broken = true;
      unavailable((e as Error).message);
      return kept;
    }
  };
}

/**
 * Accepted ranges. Node's timers hold at most 2^31−1 ms (about 24.8 days) and fire after 1 ms
 * beyond that, so an unchecked `--poll-seconds 2147484` became a busy loop.
 */
export const LIMITS = {
  timeoutMinutes: { min: 1, max: 24 * 60, unit: "minutes" },
  pollSeconds: { min: 1, max: 600, unit: "seconds" },
} as const;

function rangedNumber(
  value: string | undefined,
  fallback: number,
  flag: string,
  range: { min: number; max: number; unit: string },
  bad: (p: string, m: string) => void,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < range.min || n > range.max) {
    bad(flag, `must be a number of ${range.unit} from ${range.min} to ${range.max} (found '${value}')`);
    return fallback;
  }
  return n;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError([{ file, path: "", message: `is not valid JSON: ${(e as Error).message}` }]);
  }
}

function readOutputsFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError([{ file, path: "", message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return parseJson(text, file);
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The published pipeline from stack outputs, every missing or malformed key reported at once. */
export function publishedRef(outputs: unknown, pipeline: string, file: string): PublishedPipelineRef {
  if (!isObject(outputs)) throw new InputError([{ file, path: "", message: "must be a JSON object of stack outputs" }]);
  const all = outputs.publishedPipelines;
  if (!isObject(all)) {
    throw new InputError([{ file, path: "publishedPipelines", message: "is missing: the stack publishes no pipelines" }]);
  }
  const ref = all[pipeline];
  if (!isObject(ref)) {
    const known = Object.keys(all);
    throw new InputError([
      { file, path: `publishedPipelines.${pipeline}`, message: `is missing; the stack publishes: ${known.join(", ") || "nothing"}` },
    ]);
  }
  const at = `publishedPipelines.${pipeline}`;
  const problems: InputProblem[] = [];
  for (const key of ["definition", "pipelineName", "experimentName", "pipelineComponentId"]) {
    if (typeof ref[key] !== "string" || !ref[key]) problems.push({ file, path: `${at}.${key}`, message: "must be a non-empty string" });
  }
  if (typeof ref.pipelineComponentId === "string" && !workspaceOf(ref.pipelineComponentId)) {
    problems.push({ file, path: `${at}.pipelineComponentId`, message: `is not an Azure ML component ARM id (found '${ref.pipelineComponentId}')` });
  }
  if (!isObject(ref.inputs) || !isObject(ref.inputs.datasets) || !isObject(ref.inputs.hyperparameters) || !isObject(ref.inputs.models)) {
    problems.push({ file, path: `${at}.inputs`, message: "must hold datasets, hyperparameters and models" });
  }
  if (!isObject(ref.outputs)) problems.push({ file, path: `${at}.outputs`, message: "must be an object" });
  if (problems.length > 0) throw new InputError(problems);
  return ref as PublishedPipelineRef;
}

function checkParams(ref: PublishedPipelineRef, params: Record<string, string>): Record<string, string> {
  const problems: InputProblem[] = [];
  for (const [name, value] of Object.entries(params)) {
    const h = Object.hasOwn(ref.inputs.hyperparameters, name) ? ref.inputs.hyperparameters[name] : undefined;
    if (!h) {
      const known = Object.keys(ref.inputs.hyperparameters);
      problems.push({ file: "command line", path: `--param ${name}`, message: `unknown hyperparameter; ${ref.definition} has: ${known.join(", ") || "none"}` });
      continue;
    }
    const ok =
      h.type === "integer" ? /^-?\d+$/.test(value) : h.type === "number" ? Number.isFinite(Number(value)) && value.trim() !== "" : h.type === "boolean" ? /^(true|false)$/.test(value) : true;
    if (!ok) problems.push({ file: "command line", path: `--param ${name}`, message: `must be ${h.type === "integer" ? "an" : "a"} ${h.type} (found '${value}')` });
  }
  if (problems.length > 0) throw new InputError(problems);
  return params;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
