/**
 * `npm run endpoint -- <invoke|status> --stack <stack>`: call a stack's online endpoint with a request
 * file and see who answered, or show both endpoints' deployments, pinned models and traffic split.
 */
import { readStackOutputs } from "../lib/pulumiStacks";
import { readFileSync } from "node:fs";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { InputError, InputProblem } from "../../shared/errors";
import { CliExit, EXIT, parseCommandLine } from "../lib/cli";
import { ArmJsonClient, createArmJsonClient } from "../../components/serving/armJsonClient";
import { API_VERSIONS, PUBLIC_ARM_ENDPOINT } from "../../components/shared/azure";
import { defaultScoringSender, FAILURE_TAGS, ScoringSender } from "../../components/serving/modelRolloutProvider";
import { BATCH_AUDIENCE, invokeBatch } from "./batchInvoke";
import type { ProgressStream } from "../lib/progress";

export const USAGE = `usage: npm run endpoint -- <invoke|status> --stack <stack> [--request <file.json>]
    [--batch --input <uri|inputs.json> [--deployment <name>] [--timeout <minutes>] [--poll-seconds <n>]]
    [--outputs <pulumi stack output --json file>] [--arm-endpoint <url>] [--json]

  invoke --request <file>   send the JSON request to the stack's online endpoint; print the answer,
                            the deployment that served it and the traffic split
  invoke --batch --input <uri|file>
                            start a job on the stack's batch endpoint (the promoted model is bound in
                            its deployment) on a data URI, or on a JSON file { "inputs": { ... } };
                            wait with progress on stderr (default 60 min), print the result as JSON.
                            Exit 0 completed, 1 failed/canceled, 2 bad input, 5 still running at the
                            timeout (the job is left running)
  status                    the online endpoint's deployments, served models and traffic split, and
                            the batch endpoint's default deployment and pinned model

Endpoint names come from --outputs, or from \`pulumi stack output --json --stack <stack>\`.`;

const COMMANDS = ["invoke", "status"] as const;
type Command = (typeof COMMANDS)[number];
const STACK = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
const CMD = "command line";

export interface EndpointCliDeps {
  credential?: TokenCredential;
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
  stackOutputs?: (stack: string) => Promise<string>;
  scoring?: ScoringSender;
  stdout?: (text: string) => void;
  /** Batch waits: clock, sleep and where progress and notes go (stderr). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  progressStream?: ProgressStream;
  stderr?: (text: string) => void;
}

export interface StackEndpoints {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  onlineEndpointName?: string;
  batchEndpointName?: string;
}

interface Parsed {
  command: Command;
  stack: string;
  request?: string;
  outputsFile?: string;
  armEndpoint: string;
  json: boolean;
  batch: boolean;
  input?: string;
  deployment?: string;
  timeoutMinutes: number;
  pollSeconds: number;
}

/** Accepted ranges (Node timers hold at most 2^31−1 ms). */
const WAIT_LIMITS = { timeout: { min: 1, max: 24 * 60, fallback: 60, unit: "minutes" }, poll: { min: 1, max: 600, fallback: 15, unit: "seconds" } } as const;

function parse(argv: string[]): { parsed: Parsed; problems: InputProblem[] } {
  const { values, positionals } = parseCommandLine("endpoint", argv, {
    stack: { type: "string" },
    request: { type: "string" },
    outputs: { type: "string" },
    "arm-endpoint": { type: "string" },
    json: { type: "boolean" },
    batch: { type: "boolean" },
    input: { type: "string" },
    deployment: { type: "string" },
    timeout: { type: "string" },
    "poll-seconds": { type: "string" },
    help: { type: "boolean" },
  });
  if (values.help) throw new CliExit(EXIT.ok, USAGE);
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ file: CMD, path, message });
  const [command, ...rest] = positionals;
  if (!command) bad("<command>", `missing: expected one of ${COMMANDS.join(", ")}`);
  else if (!(COMMANDS as readonly string[]).includes(command)) bad("<command>", `unknown command '${command}': expected one of ${COMMANDS.join(", ")}`);
  if (rest.length) bad("<arguments>", `unexpected extra arguments: ${rest.join(" ")}`);
  if (!values.stack) bad("--stack", "missing: the stack whose endpoints to use (e.g. qa)");
  else if (!STACK.test(values.stack)) bad("--stack", `'${values.stack}' is not a stack name`);
  const batch = values.batch ?? false;
  if (command === "invoke" && !batch && !values.request) bad("--request", "missing: 'invoke' needs a JSON request file (e.g. pipelines/steps/bad_pixels/sample-request.json), or --batch --input <uri|file>");
  if (command === "invoke" && batch && !values.input) bad("--input", "missing: 'invoke --batch' needs a data URI or a JSON inputs file");
  if (batch && values.request) bad("--request", "a batch endpoint takes --input, not a request body");
  if (!batch) for (const flag of ["input", "deployment", "timeout", "poll-seconds"] as const) if (values[flag] !== undefined) bad(`--${flag}`, "only with 'invoke --batch'");
  if (command === "status" && values.request) bad("--request", "'status' sends no request");
  if (command === "status" && batch) bad("--batch", "'status' shows both endpoints already");
  if (values.deployment !== undefined && !/^[a-zA-Z][a-zA-Z0-9-]{2,31}$/.test(values.deployment)) bad("--deployment", `'${values.deployment}' is not a deployment name (3–32 letters, digits, '-', letter first)`);
  const ranged = (flag: string, value: string | undefined, r: { min: number; max: number; fallback: number; unit: string }) => {
    if (value === undefined) return r.fallback;
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < r.min || n > r.max) bad(flag, `must be a number of ${r.unit} from ${r.min} to ${r.max} (found '${value}')`);
    return n;
  };
  const timeoutMinutes = ranged("--timeout", values.timeout, WAIT_LIMITS.timeout);
  const pollSeconds = ranged("--poll-seconds", values["poll-seconds"], WAIT_LIMITS.poll);
  const armEndpoint = values["arm-endpoint"] ?? PUBLIC_ARM_ENDPOINT;
  if (!/^https:\/\/[^/\s]+\/?$/.test(armEndpoint)) bad("--arm-endpoint", `'${armEndpoint}' is not an https endpoint URL such as ${PUBLIC_ARM_ENDPOINT}`);
  return {
    parsed: { command: command as Command, stack: values.stack ?? "", request: values.request, outputsFile: values.outputs, armEndpoint: armEndpoint.replace(/\/+$/, ""), json: values.json ?? false, batch, input: values.input, deployment: values.deployment, timeoutMinutes, pollSeconds },
    problems,
  };
}

/** Endpoint coordinates from `pulumi stack output --json` text; every problem at once. */
export function endpointsFromOutputs(text: string, file: string): StackEndpoints {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError([{ file, path: "", message: `not valid JSON (${(err as Error).message}); expected the output of \`pulumi stack output --json\`` }]);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new InputError([{ file, path: "", message: "expected a JSON object of stack outputs" }]);
  const o = data as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"]) {
    if (typeof o[key] !== "string" || !o[key]) problems.push({ file, path: key, message: o[key] === undefined ? "missing: the stack must export it" : `expected a non-empty string, found ${JSON.stringify(o[key])}` });
  }
  if (o.onlineEndpointName === undefined && o.batchEndpointName === undefined) problems.push({ file, path: "onlineEndpointName", message: "missing: the stack has no serving endpoints (serving is off)" });
  if (problems.length) throw new InputError(problems);
  return {
    subscriptionId: o.subscriptionId as string,
    resourceGroupName: o.resourceGroupName as string,
    workspaceName: o.workspaceName as string,
    ...(typeof o.onlineEndpointName === "string" ? { onlineEndpointName: o.onlineEndpointName } : {}),
    ...(typeof o.batchEndpointName === "string" ? { batchEndpointName: o.batchEndpointName } : {}),
  };
}

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError([{ file, path: "", message: `cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}

/** `pulumi stack output --json` of `stack`, read through the Pulumi Automation API (tools/lib/pulumiStacks.ts). */
async function runPulumiStackOutput(stack: string): Promise<string> {
  try {
    return JSON.stringify(await readStackOutputs(stack));
  } catch (err) {
    throw new CliExit(EXIT.failure, `${(err as Error).message}: save \`pulumi stack output --json\` to a file and pass it with --outputs`);
  }
}

class Arm {
  constructor(private readonly client: ArmJsonClient, private readonly origin: string) {}
  async call(method: "GET" | "POST", id: string): Promise<any> {
    const res = await this.client.send(method, `${this.origin}${id}?api-version=${API_VERSIONS.machineLearningEndpoints}`);
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new CliExit(EXIT.failure, `${method} ${id}: HTTP ${res.status}${res.body?.error?.message ? `: ${res.body.error.message}` : ""}`);
    return res.body;
  }
}

const wsId = (e: StackEndpoints) => `/subscriptions/${e.subscriptionId}/resourceGroups/${e.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${e.workspaceName}`;
const modelOf = (d: any) => {
  const m = /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(String(d?.properties?.model ?? ""));
  return m ? `${m[1]}:${m[2]}` : d?.tags?.["model-name"] ? `${d.tags["model-name"]}:${d.tags["model-version"]}` : "-";
};
const split = (traffic: Record<string, number>) =>
  Object.entries(traffic)
    .sort(([, a], [, b]) => b - a)
    .map(([d, v]) => `${d} ${v}%`)
    .join(", ") || "nothing routed";

async function onlineStatus(arm: Arm, e: StackEndpoints) {
  const id = `${wsId(e)}/onlineEndpoints/${e.onlineEndpointName}`;
  const endpoint = await arm.call("GET", id);
  if (!endpoint) throw new CliExit(EXIT.failure, `online endpoint '${e.onlineEndpointName}' does not exist in workspace '${e.workspaceName}' (has the stack been deployed?)`);
  const deployments = (await arm.call("GET", `${id}/deployments`))?.value ?? [];
  const traffic = (endpoint.properties?.traffic ?? {}) as Record<string, number>;
  return {
    id,
    name: e.onlineEndpointName!,
    authMode: String(endpoint.properties?.authMode ?? ""),
    scoringUri: String(endpoint.properties?.scoringUri ?? ""),
    traffic,
    rolloutStopped: endpoint.tags?.rollout === "stop",
    // Written by the rollout when it fails and rolls back (modelRolloutProvider.ts FAILURE_TAGS).
    lastRolloutFailure: endpoint.tags?.[FAILURE_TAGS.summary] ? { summary: String(endpoint.tags[FAILURE_TAGS.summary]), steps: String(endpoint.tags[FAILURE_TAGS.steps] ?? "") } : null,
    deployments: deployments.map((d: any) => ({ name: d.name, model: modelOf(d), state: d.properties?.provisioningState ?? "-", traffic: traffic[d.name] ?? 0 })),
  };
}

async function batchStatus(arm: Arm, e: StackEndpoints) {
  const id = `${wsId(e)}/batchEndpoints/${e.batchEndpointName}`;
  const endpoint = await arm.call("GET", id);
  if (!endpoint) return undefined;
  const deployments = (await arm.call("GET", `${id}/deployments`))?.value ?? [];
  return {
    name: e.batchEndpointName!,
    defaultDeployment: endpoint.properties?.defaults?.deploymentName ?? deployments[0]?.name ?? null,
    deployments: deployments.map((d: any) => ({ name: d.name, model: modelOf(d), state: d.properties?.provisioningState ?? "-" })),
  };
}

export async function main(argv: string[], deps: EndpointCliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const { parsed: p, problems } = parse(argv);
  let endpoints: StackEndpoints | undefined;
  let request: unknown;
  if (p.outputsFile) {
    try {
      endpoints = endpointsFromOutputs(readFile(p.outputsFile, "--outputs file"), p.outputsFile);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (p.request && !p.batch) {
    try {
      request = JSON.parse(readFile(p.request, "the request file"));
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems);
      else problems.push({ file: p.request, path: "", message: `not valid JSON (${(err as Error).message})` });
    }
  }
  if (problems.length) throw new InputError(problems);
  endpoints ??= endpointsFromOutputs(await (deps.stackOutputs ?? runPulumiStackOutput)(p.stack), `pulumi stack output --stack ${p.stack}`);
  const arm = new Arm(createArmJsonClient(p.armEndpoint, { credential: deps.credential, additionalPolicies: deps.additionalPolicies }), p.armEndpoint);

  if (p.command === "status") {
    const online = endpoints.onlineEndpointName ? await onlineStatus(arm, endpoints) : undefined;
    const batch = endpoints.batchEndpointName ? await batchStatus(arm, endpoints) : undefined;
    if (p.json) {
      out(JSON.stringify({ stack: p.stack, online: online ?? null, batch: batch ?? null }, null, 2) + "\n");
      return EXIT.ok;
    }
    if (online) {
      out(`online endpoint ${online.name} (${online.authMode}) ${online.scoringUri}\n  traffic: ${split(online.traffic)}${online.rolloutStopped ? "  [rollout stopped by tag rollout=stop]" : ""}\n`);
      for (const d of online.deployments) out(`  ${d.name}\tmodel ${d.model}\t${d.state}\t${d.traffic}%\n`);
      if (online.lastRolloutFailure) out(`  last failed rollout: ${online.lastRolloutFailure.summary}\n    steps: ${online.lastRolloutFailure.steps}\n`);
    }
    if (batch) {
      out(`batch endpoint ${batch.name}: default deployment ${batch.defaultDeployment ?? "none"}\n`);
      for (const d of batch.deployments) out(`  ${d.name}\tmodel ${d.model}\t${d.state}\n`);
    }
    return EXIT.ok;
  }

  if (p.batch) {
    if (!endpoints.batchEndpointName) throw new CliExit(EXIT.failure, `stack '${p.stack}' has no batch endpoint`);
    const clientOptions = { credential: deps.credential, additionalPolicies: deps.additionalPolicies };
    const { code, result } = await invokeBatch(
      { workspaceId: wsId(endpoints), endpointName: endpoints.batchEndpointName, ...(p.deployment ? { deploymentName: p.deployment } : {}) },
      p.input!,
      { timeoutMinutes: p.timeoutMinutes, pollSeconds: p.pollSeconds },
      {
        arm: createArmJsonClient(p.armEndpoint, clientOptions),
        // The scoring URI is the data plane: its token is for https://ml.azure.com, not ARM.
        dataPlane: createArmJsonClient(BATCH_AUDIENCE, clientOptions),
        armEndpoint: p.armEndpoint,
        apiVersion: API_VERSIONS.machineLearningEndpoints,
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        now: deps.now ?? Date.now,
        progressStream: deps.progressStream ?? process.stderr,
        err: (line) => (deps.stderr ?? ((t: string) => void process.stderr.write(t)))(`${line}\n`),
      },
    );
    out(JSON.stringify({ stack: p.stack, ...result }, null, 2) + "\n");
    return code;
  }

  if (!endpoints.onlineEndpointName) throw new CliExit(EXIT.failure, `stack '${p.stack}' has no online endpoint`);
  const online = await onlineStatus(arm, endpoints);
  if (!online.scoringUri) throw new CliExit(EXIT.failure, `online endpoint '${online.name}' reports no scoring URI yet`);
  const key = /^key$/i.test(online.authMode);
  const credential = await arm.call("POST", `${online.id}/${key ? "listKeys" : "token"}`);
  const token = key ? credential?.primaryKey : credential?.accessToken;
  const res = await (deps.scoring ?? defaultScoringSender)(online.scoringUri, { authorization: `Bearer ${token}`, "content-type": "application/json" }, JSON.stringify(request));
  const servedBy = res.headers["azureml-model-deployment"] ?? null;
  let answer: unknown = res.body;
  try {
    answer = JSON.parse(res.body);
  } catch {
    // not JSON: print as received
  }
  if (p.json) out(JSON.stringify({ stack: p.stack, endpoint: online.name, status: res.status, servedBy, traffic: online.traffic, answer }, null, 2) + "\n");
  else {
    out(`${online.name}: HTTP ${res.status}, served by ${servedBy ?? "(not reported)"}; traffic: ${split(online.traffic)}\n`);
    out(`${typeof answer === "string" ? answer : JSON.stringify(answer, null, 2)}\n`);
  }
  return res.status === 200 ? EXIT.ok : EXIT.failure;
}
