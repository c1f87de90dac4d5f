/**
 * The batch endpoint's invocation surface, as the local server speaks it (kept apart from the ARM
 * store so it merges on its own). Each rule names the document it follows:
 *
 * - Invoking is a POST to the endpoint's scoring URI (`properties.scoringUri`, a data-plane host,
 *   not ARM) with a Microsoft Entra token for `https://ml.azure.com` and the body
 *   `{ properties: { InputData: { <name>: { JobInputType, Uri | Value } } } }`; the header
 *   `azureml-model-deployment` picks a deployment, else the endpoint's default runs ("Create jobs and
 *   input data for batch endpoints", REST tabs). A token for another audience is refused (401).
 * - Input kinds: `UriFolder`, `UriFile` (data, with `Uri`) and `Literal` (with `Value`); literal
 *   inputs are for pipeline-component deployments only, and a model deployment takes exactly one
 *   data input (same page, "Understand inputs and outputs"). A pipeline-component deployment takes
 *   the inputs its component declares: an undeclared input, a literal for a data input (or the
 *   reverse) and a missing input without a default are refused, every problem at once.
 * - The answer is the batch job (`{ id, name, properties: { status } }`); its status is read from
 *   ARM as any job, `GET …/workspaces/{ws}/jobs/{name}` ("Deploy models with REST for batch scoring":
 *   invoke, then poll the job until `Completed`).
 */
import { randomUUID } from "node:crypto";

export const BATCH_INVOKE_AUDIENCE = "https://ml.azure.com";

/** Where the local server serves a batch endpoint's scoring URI (Azure: `https://<name>.<region>.inference.ml.azure.com/jobs`). */
export const batchScoringUri = (serverUrl: string, endpointPath: string) => `${serverUrl}/inference${endpointPath}/jobs`;

const INVOKE = /^\/inference(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/batchEndpoints\/([^/]+)\/jobs$/i;

export const isBatchInvocation = (path: string) => INVOKE.test(path);

export class BatchRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const DATA_KINDS: Record<string, string> = { UriFolder: "uri_folder", UriFile: "uri_file" };
const LITERAL_TYPES = new Set(["string", "integer", "number", "boolean"]);

export interface BatchInvocationContext {
  path: string;
  method: string;
  deploymentHeader: string | undefined;
  body: any;
  /** A stored resource by ARM path (case-insensitive), undefined when absent. */
  lookup(path: string): any;
  /** Stores the new job (as a PUT would, without the contract check). */
  storeJob(path: string, job: any): void;
  jobStatusOnCreate: string;
}

/** Handles one invocation: refuses what Azure refuses, else creates and returns the batch job. */
export function invokeBatchEndpoint(ctx: BatchInvocationContext): { status: number; body: unknown } {
  if (ctx.method !== "POST") throw new BatchRefusal(405, "MethodNotAllowed", `${ctx.method} is not supported on a batch endpoint's scoring URI; POST a job.`);
  const [, ws, endpointName] = INVOKE.exec(ctx.path)!;
  const endpointPath = `${ws}/batchEndpoints/${endpointName}`;
  const endpoint = ctx.lookup(endpointPath);
  if (!endpoint) throw new BatchRefusal(404, "UserError", `Batch endpoint '${endpointName}' could not be found.`);
  const deploymentName = ctx.deploymentHeader ?? endpoint.properties?.defaults?.deploymentName;
  if (!deploymentName) throw new BatchRefusal(400, "UserError", `Batch endpoint '${endpointName}' has no default deployment; name one in the azureml-model-deployment header.`);
  const deployment = ctx.lookup(`${endpointPath}/deployments/${deploymentName}`);
  if (!deployment) throw new BatchRefusal(404, "UserError", `Deployment '${deploymentName}' could not be found under batch endpoint '${endpointName}'.`);

  const inputData = ctx.body?.properties?.InputData;
  if (!inputData || typeof inputData !== "object" || Array.isArray(inputData)) {
    throw new BatchRefusal(400, "UserError", "properties.InputData is required: an object of named inputs.");
  }
  const problems: string[] = [];
  const given: Record<string, "data" | "literal"> = {};
  for (const [name, input] of Object.entries<any>(inputData)) {
    const at = `properties.InputData.${name}`;
    const kind = input?.JobInputType;
    if (kind === "Literal") {
      if (input.Value === undefined) problems.push(`${at}.Value is required for a Literal input`);
      given[name] = "literal";
    } else if (typeof kind === "string" && DATA_KINDS[kind]) {
      if (typeof input.Uri !== "string" || !input.Uri) problems.push(`${at}.Uri is required for a ${kind} input`);
      given[name] = "data";
    } else problems.push(`${at}.JobInputType must be one of UriFolder, UriFile, Literal (found ${JSON.stringify(kind)})`);
  }

  const config = deployment.properties?.deploymentConfiguration;
  if (config?.deploymentConfigurationType === "PipelineComponent") {
    const componentId = String(config.componentId?.assetId ?? "").replace(/^azureml:/i, "");
    const component = ctx.lookup(componentId);
    if (!component) throw new BatchRefusal(400, "UserError", `The deployment's component '${componentId}' could not be found.`);
    const declared: Record<string, any> = component.properties?.componentSpec?.inputs ?? {};
    for (const [name, kind] of Object.entries(given)) {
      const d = declared[name];
      if (!d) {
        problems.push(`properties.InputData.${name} is not an input of the deployment's pipeline component (inputs: ${Object.keys(declared).join(", ") || "none"})`);
        continue;
      }
      const literal = LITERAL_TYPES.has(String(d.type));
      if (literal && kind !== "literal") problems.push(`properties.InputData.${name} is a ${d.type} input: pass it as JobInputType Literal`);
      if (!literal && kind !== "data") problems.push(`properties.InputData.${name} is a ${d.type} input: pass it as UriFolder or UriFile`);
    }
    for (const [name, d] of Object.entries(declared)) {
      if (!(name in given) && d?.default === undefined && d?.optional !== true) problems.push(`properties.InputData.${name} is required by the deployment's pipeline component (no default)`);
    }
  } else {
    const names = Object.keys(given);
    if (names.some((n) => given[n] === "literal")) problems.push("literal inputs are supported by pipeline component deployments only; a model deployment takes one data input");
    if (names.length !== 1) problems.push(`a model deployment takes exactly one data input (found ${names.length})`);
  }
  if (problems.length) throw new BatchRefusal(400, "UserError", problems.join("; "));

  const name = `batchjob-${randomUUID()}`;
  const id = `${ws}/jobs/${name}`;
  const job = {
    id,
    name,
    type: "Microsoft.MachineLearningServices/workspaces/jobs",
    properties: {
      jobType: "Pipeline",
      status: ctx.jobStatusOnCreate,
      displayName: name,
      experimentName: endpointName,
      inputs: inputData,
      properties: { "azureml.batchrun": "true", "azureml.deploymentname": deploymentName, "azureml.endpointname": endpointName },
      tags: deployment.tags ?? {},
    },
  };
  ctx.storeJob(id, job);
  return { status: 200, body: job };
}
