/**
 * `npm run endpoint -- invoke --batch --input <uri|file.json>`: start a batch scoring job on the
 * stack's batch endpoint and wait for it with progress.
 *
 * Azure's contract ("Create jobs and input data for batch endpoints", REST tabs; "Deploy models with
 * REST for batch scoring"): POST `{ properties: { InputData: { <name>: { JobInputType, Uri | Value } } } }`
 * to the endpoint's `properties.scoringUri` with a Microsoft Entra token for `https://ml.azure.com`
 * (batch endpoints take Entra tokens only), `azureml-model-deployment: <name>` to pick a deployment
 * other than the default; the answer is the job, whose status is then read from ARM
 * (`…/workspaces/{ws}/jobs/{name}`) until it ends. Inputs are checked here first against the inputs
 * the deployment's pipeline component declares, so a typo is exit 2 naming the key, not a failed job.
 */
import { existsSync, readFileSync } from "node:fs";
import { InputError, InputProblem } from "../../shared/errors";
import { CliExit, EXIT } from "../lib/cli";
import { ProgressStream, startProgress } from "../lib/progress";
import type { ArmJsonClient } from "../../components/serving/armJsonClient";

export const BATCH_EXIT = { completed: EXIT.ok, failed: EXIT.failure, badInput: EXIT.badInput, timedOut: 5 } as const;
export const BATCH_AUDIENCE = "https://ml.azure.com";
const TERMINAL = new Set(["Completed", "Failed", "Canceled", "NotResponding"]);
const LITERAL_TYPES = new Set(["string", "integer", "number", "boolean"]);
/** A data location: an Azure ML URI, a storage URL or an ARM id of a data asset or datastore path. */
const URI = /^(azureml:|https:\/\/|\/subscriptions\/)/i;

export interface DeclaredInput {
  type: string;
  default?: unknown;
  optional?: boolean;
}

export type InvocationInput = { JobInputType: "UriFolder" | "UriFile"; Uri: string } | { JobInputType: "Literal"; Value: string | number | boolean };

/**
 * The `InputData` of an invocation from `--input`: a URI binds the component's only data input; a
 * JSON file `{ "inputs": { "<name>": "<uri>" | { "type": "uri_folder|uri_file", "path": "<uri>" } | <literal> } }`
 * binds any of them. Every problem at once, each naming the file and key path.
 */
export function invocationInputs(arg: string, declared: Record<string, DeclaredInput>): Record<string, InvocationInput> {
  const dataInputs = Object.entries(declared).filter(([, d]) => !LITERAL_TYPES.has(d.type));
  if (URI.test(arg)) {
    if (dataInputs.length !== 1) {
      throw new InputError([{ file: "command line", path: "--input", message: `the deployment takes ${dataInputs.length} data inputs (${dataInputs.map(([k]) => k).join(", ")}): pass a JSON inputs file that names them` }]);
    }
    const [name, d] = dataInputs[0];
    return { [name]: { JobInputType: d.type === "uri_file" ? "UriFile" : "UriFolder", Uri: arg } };
  }
  if (!existsSync(arg)) {
    throw new InputError([{ file: "command line", path: "--input", message: `'${arg}' is neither a data URI (azureml://…, https://…, /subscriptions/…) nor a file` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(arg, "utf8"));
  } catch (err) {
    throw new InputError([{ file: arg, path: "", message: `not valid JSON (${(err as Error).message})` }]);
  }
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ file: arg, path, message });
  const inputs = (data as any)?.inputs;
  if (!data || typeof data !== "object" || Array.isArray(data)) bad("", 'expected a JSON object { "inputs": { ... } }');
  else {
    for (const k of Object.keys(data)) if (k !== "inputs") bad(k, "unknown key: expected only 'inputs'");
    if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) bad("inputs", "missing: an object of the deployment's inputs by name");
  }
  const out: Record<string, InvocationInput> = {};
  if (inputs && typeof inputs === "object" && !Array.isArray(inputs)) {
    for (const [name, value] of Object.entries<any>(inputs)) {
      const at = `inputs.${name}`;
      const d = declared[name];
      if (!d) {
        bad(at, `not an input of the deployment (inputs: ${Object.keys(declared).join(", ")})`);
        continue;
      }
      if (LITERAL_TYPES.has(d.type)) {
        const ok =
          (d.type === "integer" && Number.isInteger(value)) ||
          (d.type === "number" && typeof value === "number" && Number.isFinite(value)) ||
          (d.type === "boolean" && typeof value === "boolean") ||
          (d.type === "string" && typeof value === "string");
        if (!ok) bad(at, `expected ${d.type === "integer" ? "an integer" : `a ${d.type}`}, found ${JSON.stringify(value)}`);
        else out[name] = { JobInputType: "Literal", Value: value };
        continue;
      }
      const uri = typeof value === "string" ? value : value && typeof value === "object" ? value.path : undefined;
      const type = value && typeof value === "object" ? value.type ?? d.type : d.type;
      if (typeof uri !== "string" || !URI.test(uri)) bad(typeof value === "object" && value ? `${at}.path` : at, `expected a data URI (azureml://…, https://…, /subscriptions/…), found ${JSON.stringify(uri ?? value)}`);
      else if (type !== "uri_folder" && type !== "uri_file") bad(`${at}.type`, `expected uri_folder or uri_file, found ${JSON.stringify(type)}`);
      else out[name] = { JobInputType: type === "uri_file" ? "UriFile" : "UriFolder", Uri: uri };
    }
    for (const [name, d] of Object.entries(declared)) {
      if (!(name in inputs) && d.default === undefined && d.optional !== true) bad(`inputs.${name}`, `missing: the deployment needs it (${d.type}, no default)`);
    }
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

export interface BatchTarget {
  /** ARM id of the workspace. */
  workspaceId: string;
  endpointName: string;
  deploymentName?: string;
}

export interface BatchInvokeDeps {
  arm: ArmJsonClient;
  /** Client whose token is for `https://ml.azure.com` (the scoring URI's audience). */
  dataPlane: ArmJsonClient;
  armEndpoint: string;
  apiVersion: string;
  sleep(ms: number): Promise<void>;
  now(): number;
  progressStream: ProgressStream;
  err(line: string): void;
}

export interface BatchInvokeResult {
  endpoint: string;
  deployment: string;
  model: string | null;
  job: string;
  status: string;
  inputs: Record<string, InvocationInput>;
}

/** Starts the job and waits for its end (or the bounded wait); returns the exit code and the result. */
export async function invokeBatch(
  target: BatchTarget,
  inputArg: string,
  wait: { timeoutMinutes: number; pollSeconds: number },
  deps: BatchInvokeDeps,
): Promise<{ code: number; result: BatchInvokeResult }> {
  const get = async (id: string, what: string) => {
    const res = await deps.arm.send("GET", `${deps.armEndpoint}${id}?api-version=${deps.apiVersion}`);
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new CliExit(EXIT.failure, `read ${what}: HTTP ${res.status}${res.body?.error?.message ? `: ${res.body.error.message}` : ""}`);
    return res.body;
  };
  const endpointId = `${target.workspaceId}/batchEndpoints/${target.endpointName}`;
  const endpoint = await get(endpointId, `batch endpoint '${target.endpointName}'`);
  if (!endpoint) throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' does not exist (has the stack been deployed?)`);
  const deploymentName = target.deploymentName ?? endpoint.properties?.defaults?.deploymentName;
  if (!deploymentName) throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' has no default deployment (is a model promoted to this stack?)`);
  const deployment = await get(`${endpointId}/deployments/${deploymentName}`, `deployment '${deploymentName}'`);
  if (!deployment) throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' has no deployment '${deploymentName}'`);
  const componentId = String(deployment.properties?.deploymentConfiguration?.componentId?.assetId ?? "").replace(/^azureml:/i, "");
  if (!componentId) throw new CliExit(EXIT.failure, `deployment '${deploymentName}' runs no pipeline component`);
  const component = await get(componentId, `the deployment's component`);
  if (!component) throw new CliExit(EXIT.failure, `the deployment's component ${componentId} does not exist`);
  const inputs = invocationInputs(inputArg, component.properties?.componentSpec?.inputs ?? {});
  const model = deployment.tags?.["model-name"] ? `${deployment.tags["model-name"]}:${deployment.tags["model-version"]}` : null;

  const scoringUri = String(endpoint.properties?.scoringUri ?? "");
  if (!scoringUri) throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' reports no scoring URI yet`);
  const started = await deps.dataPlane.send("POST", scoringUri, { properties: { InputData: inputs } }, target.deploymentName ? { "azureml-model-deployment": target.deploymentName } : undefined);
  if (started.status >= 300) {
    throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' refused the job: HTTP ${started.status}${started.body?.error?.message ? `: ${started.body.error.message}` : ""}`);
  }
  const job = String(started.body?.name ?? "");
  if (!job) throw new CliExit(EXIT.failure, `batch endpoint '${target.endpointName}' answered without a job name`);
  const jobId = `${target.workspaceId}/jobs/${job}`;
  const result: BatchInvokeResult = { endpoint: target.endpointName, deployment: deploymentName, model, job, status: String(started.body?.properties?.status ?? "Unknown"), inputs };

  // Status and elapsed time on stderr: one rewritten line on a terminal, plain lines in CI logs.
  const progress = startProgress({ label: `batch job ${job}`, stream: deps.progressStream, now: deps.now });
  const deadline = deps.now() + wait.timeoutMinutes * 60_000;
  progress.update(result.status);
  while (!TERMINAL.has(result.status)) {
    if (deps.now() >= deadline) {
      progress.done(`still ${result.status} after ${wait.timeoutMinutes} min`);
      deps.err(`stopped waiting after ${wait.timeoutMinutes} min; the job goes on: npm run endpoint -- status, or the job ${job} in the studio`);
      return { code: BATCH_EXIT.timedOut, result };
    }
    // Never sleep past the deadline.
    await deps.sleep(Math.max(0, Math.min(wait.pollSeconds * 1000, deadline - deps.now())));
    if (deps.now() >= deadline) continue;
    const current = await get(jobId, `job ${job}`);
    result.status = String(current?.properties?.status ?? "Unknown");
    if (!TERMINAL.has(result.status)) progress.update(result.status);
  }
  progress.done(result.status);
  return { code: result.status === "Completed" ? BATCH_EXIT.completed : BATCH_EXIT.failed, result };
}
