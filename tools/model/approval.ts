/**
 * `npm run model -- approve|revoke|list <name> [<version>] --stack <stack>`: the seed process's
 * approve and rollback steps without the portal. Approval is a tag on the model version in that
 * stack's workspace; the next `pulumi up` of the downstream stack promotes the newest approved one.
 */
import { readStackOutputs } from "../lib/pulumiStacks";
import { readFileSync } from "node:fs";
import type { AzureMachineLearningWorkspaces, ModelVersion } from "@azure/arm-machinelearning";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { InputError, InputProblem } from "../../shared/errors";
import { CliExit, EXIT, parseCommandLine } from "../lib/cli";
import { mlWorkspacesClient } from "../../components/shared/azure";
import { findLatestApproved } from "../../components/modelPromotion/resolve";
import { DEFAULTS, LINEAGE, ORIGIN_APPROVAL } from "../../components/modelPromotion/types";
import type { ApprovalTag } from "../../components/modelPromotion/types";
import type { WorkspaceRef } from "../../shared/workspace";

export const USAGE = `usage: npm run model -- <approve|revoke|list> <model> [<version>] --stack <stack>
    [--outputs <pulumi stack output --json file>] [--tag <key>=<value>] [--arm-endpoint <url>] [--json]
    [--force --reason <text>]

  approve <model> <version>   set the approval tag on that version in the stack's workspace; refused
                              when the training pipeline's evaluation is missing or failed, or its
                              metric is worse than the approved version's, unless --force --reason
                              (both recorded as tags on the version); on a promoted copy (qa) also
                              record the approval, with the copy's content hash, on the origin
                              version (dev), where production stacks read it
  revoke  <model> <version>   remove both (rollback: the previous approved version is promoted next)
  list    <model>             every version with its tags, newest first

Workspace coordinates come from --outputs, or from \`pulumi stack output --json --stack <stack>\`.`;

const COMMANDS = ["approve", "revoke", "list"] as const;
type Command = (typeof COMMANDS)[number];
const MODEL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
const STACK = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
const OUTPUT_KEYS = ["subscriptionId", "resourceGroupName", "workspaceName"] as const;

export interface ModelCliDeps {
  /** Default `DefaultAzureCredential`. */
  credential?: TokenCredential;
  /** Extra pipeline policies for the ML client (tests trust a local certificate with one). */
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
  /** Default: run `pulumi stack output --json --stack <stack>`. */
  stackOutputs?: (stack: string) => Promise<string>;
  stdout?: (text: string) => void;
}

interface Parsed {
  command: Command;
  model: string;
  version?: string;
  stack: string;
  outputsFile?: string;
  tag: ApprovalTag;
  armEndpoint: string;
  json: boolean;
  force?: { reason: string };
}

const CMD = "command line";

function parse(argv: string[]): { parsed: Parsed; problems: InputProblem[] } {
  const { values, positionals } = parseCommandLine("model", argv, {
    stack: { type: "string" },
    outputs: { type: "string" },
    tag: { type: "string" },
    "arm-endpoint": { type: "string" },
    json: { type: "boolean" },
    force: { type: "boolean" },
    reason: { type: "string" },
    help: { type: "boolean" },
  });
  if (values.help) throw new CliExit(EXIT.ok, USAGE);
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ file: CMD, path, message });
  const [command, model, version, ...rest] = positionals;
  if (!command) bad("<command>", `missing: expected one of ${COMMANDS.join(", ")}`);
  else if (!(COMMANDS as readonly string[]).includes(command)) bad("<command>", `unknown command '${command}': expected one of ${COMMANDS.join(", ")}`);
  if (!model) bad("<model>", "missing: the model name");
  else if (!MODEL_NAME.test(model)) bad("<model>", `'${model}' is not a model name (letters, digits, _ and -, starting with a letter or digit, at most 255)`);
  const needsVersion = command === "approve" || command === "revoke";
  if (needsVersion && !version) bad("<version>", `missing: '${command}' needs the model version`);
  else if (version !== undefined && command === "list") bad("<version>", `unexpected '${version}': 'list' takes only the model name`);
  else if (version !== undefined && !VERSION.test(version)) bad("<version>", `'${version}' is not a model version`);
  if (rest.length) bad("<arguments>", `unexpected extra arguments: ${rest.join(" ")}`);
  if (!values.stack) bad("--stack", "missing: the stack whose workspace holds the model (e.g. dev)");
  else if (!STACK.test(values.stack)) bad("--stack", `'${values.stack}' is not a stack name (letters, digits, -, _, ., optionally org/project/stack)`);
  let tag: ApprovalTag = { ...DEFAULTS.approvalTag };
  if (values.tag !== undefined) {
    const m = /^([^=\s]+)=(.+)$/.exec(values.tag);
    if (!m) bad("--tag", `'${values.tag}' is not <key>=<value>`);
    // The service's `tags` filter is a comma-separated list of key=value pairs: a ',' or '=' in the
    // value would make the approval query ask for something else, and the approval never resolve.
    else if (/[,=]/.test(m[2]) || m[2].trim() !== m[2]) bad("--tag", `value '${m[2]}' may not contain ',' or '=' or surrounding spaces (the tags filter could not find it)`);
    else tag = { key: m[1], value: m[2] };
  }
  const armEndpoint = values["arm-endpoint"] ?? DEFAULTS.armEndpoint;
  if (!/^https:\/\/[^/\s]+\/?$/.test(armEndpoint)) bad("--arm-endpoint", `'${armEndpoint}' is not an https endpoint URL such as ${DEFAULTS.armEndpoint}`);
  if (values.force && command !== "approve") bad("--force", "only 'approve' can be forced");
  if (values.force && !values.reason?.trim()) bad("--reason", "missing: --force needs --reason <text>, recorded on the version");
  if (values.reason !== undefined && !values.force) bad("--reason", "only with --force");
  if (values.reason && values.reason.length > 250) bad("--reason", `at most 250 characters (found ${values.reason.length})`);
  const parsed: Parsed = {
    ...(values.force && values.reason?.trim() ? { force: { reason: values.reason.trim() } } : {}),
    command: command as Command,
    model,
    version,
    stack: values.stack!,
    outputsFile: values.outputs,
    tag,
    armEndpoint: armEndpoint.replace(/\/+$/, ""),
    json: values.json ?? false,
  };
  return { parsed, problems };
}

/** Reads the workspace coordinates from `pulumi stack output --json` text; every problem at once. */
export function workspaceFromOutputs(text: string, file: string): WorkspaceRef & { environment?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError([{ file, path: "", message: `not valid JSON (${(err as Error).message}); expected the output of \`pulumi stack output --json\`` }]);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError([{ file, path: "", message: "expected a JSON object of stack outputs" }]);
  }
  const outputs = data as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const key of OUTPUT_KEYS) {
    const v = outputs[key];
    if (typeof v !== "string" || v.length === 0 || v === "[secret]") {
      problems.push({ file, path: key, message: v === undefined ? "missing: the stack must export it" : `expected a non-empty string, found ${JSON.stringify(v)}` });
    }
  }
  if (problems.length) throw new InputError(problems);
  return {
    subscriptionId: outputs.subscriptionId as string,
    resourceGroupName: outputs.resourceGroupName as string,
    workspaceName: outputs.workspaceName as string,
    ...(typeof outputs.environment === "string" ? { environment: outputs.environment } : {}),
  };
}

/** The origin workspace named by a promoted copy's lineage (an ARM workspace id), if any. */
export function originOf(version: ModelVersion): WorkspaceRef | undefined {
  const id = version.properties.tags?.[LINEAGE.sourceWorkspace] ?? version.properties.properties?.[LINEAGE.sourceWorkspace];
  const m = id ? /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)$/i.exec(id) : null;
  return m ? { subscriptionId: m[1], resourceGroupName: m[2], workspaceName: m[3] } : undefined;
}

/**
 * Records (or removes) a downstream stage's approval on the origin version: what production stacks
 * read instead of calling that stage's private workspace. Idempotent; returns whether it wrote.
 */
async function recordOnOrigin(
  ml: AzureMachineLearningWorkspaces,
  origin: WorkspaceRef,
  copy: ModelVersion,
  stage: string,
  p: Parsed,
  approve: boolean,
): Promise<boolean> {
  const version = copy.properties.tags?.[LINEAGE.sourceVersion] ?? p.version!;
  const hash = copy.properties.tags?.[LINEAGE.contentHash] ?? copy.properties.properties?.[LINEAGE.contentHash];
  if (approve && !hash) {
    throw new CliExit(EXIT.failure, `${p.model}:${p.version} in stack '${p.stack}' has no ${LINEAGE.contentHash} lineage: only a promoted copy can be approved for production`);
  }
  let current: ModelVersion;
  try {
    current = await ml.modelVersions.get(origin.resourceGroupName, origin.workspaceName, p.model, version);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new CliExit(EXIT.failure, `the origin ${describe(origin)} has no version '${version}' of model '${p.model}' (named by the copy's lineage)`);
    }
    throw err;
  }
  const tags = { ...(current.properties.tags ?? {}) } as Record<string, string>;
  const keys = [ORIGIN_APPROVAL.key(stage), ORIGIN_APPROVAL.contentHash(stage), ORIGIN_APPROVAL.at(stage)];
  if (approve) {
    if (tags[keys[0]] === p.tag.value && tags[keys[1]] === hash) return false;
    Object.assign(tags, { [keys[0]]: p.tag.value, [keys[1]]: hash!, [keys[2]]: new Date().toISOString() });
  } else {
    if (keys.every((k) => !(k in tags))) return false;
    for (const k of keys) delete tags[k];
  }
  await ml.modelVersions.createOrUpdate(origin.resourceGroupName, origin.workspaceName, p.model, version, { properties: { ...current.properties, tags } });
  return true;
}

/** `pulumi stack output --json` of `stack`, read through the Pulumi Automation API (tools/lib/pulumiStacks.ts). */
async function runPulumiStackOutput(stack: string): Promise<string> {
  try {
    return JSON.stringify(await readStackOutputs(stack));
  } catch (err) {
    throw new CliExit(EXIT.failure, `${(err as Error).message}: save \`pulumi stack output --json\` to a file and pass it with --outputs`);
  }
}

function mlClient(ws: WorkspaceRef, parsed: Parsed, deps: ModelCliDeps): AzureMachineLearningWorkspaces {
  return mlWorkspacesClient(ws.subscriptionId, parsed.armEndpoint, { credential: deps.credential, armPolicies: deps.additionalPolicies });
}

const describe = (ws: WorkspaceRef) => `workspace '${ws.workspaceName}' (resource group '${ws.resourceGroupName}')`;

async function getVersion(ml: AzureMachineLearningWorkspaces, ws: WorkspaceRef, p: Parsed): Promise<ModelVersion> {
  try {
    return await ml.modelVersions.get(ws.resourceGroupName, ws.workspaceName, p.model, p.version!);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new InputError([{ file: CMD, path: "<version>", message: `model '${p.model}' has no version '${p.version}' in ${describe(ws)} of stack '${p.stack}'` }]);
    }
    throw err;
  }
}

async function setApproval(ml: AzureMachineLearningWorkspaces, ws: WorkspaceRef, p: Parsed, approve: boolean): Promise<{ changed: boolean }> {
  const current = await getVersion(ml, ws, p);
  const tags = { ...(current.properties.tags ?? {}) } as Record<string, string>;
  const approved = tags[p.tag.key] === p.tag.value;
  if (approve === approved) return { changed: false };
  if (approve) {
    const objection = await evaluationObjection(ml, ws, p, tags);
    if (objection && !p.force) {
      throw new InputError([{ file: CMD, path: "<version>", message: `${p.model}:${p.version} is not approved: ${objection}. Pass --force --reason "<why>" to approve anyway (both are recorded on the version)` }]);
    }
    if (p.force) Object.assign(tags, { approval_forced: "true", approval_reason: p.force.reason });
    tags[p.tag.key] = p.tag.value;
  } else delete tags[p.tag.key];
  // Asset versions are immutable except tags, description and the archive flag: resend the rest as read.
  await ml.modelVersions.createOrUpdate(ws.resourceGroupName, ws.workspaceName, p.model, p.version!, { properties: { ...current.properties, tags } });
  return { changed: true };
}

/** Tag the training pipeline's evaluation step records on each registered version (pipelines/steps/evaluate_model). */
export const EVALUATION_TAG = "evaluation";
const PRIMARY_METRIC = "metric_f1";

/**
 * Why a version may not be approved, or undefined: its evaluation is missing or failed, or its
 * primary metric is below that of the version approved now (which may have changed since the
 * evaluation ran).
 */
async function evaluationObjection(ml: AzureMachineLearningWorkspaces, ws: WorkspaceRef, p: Parsed, tags: Record<string, string>): Promise<string | undefined> {
  const evaluation = tags[EVALUATION_TAG];
  if (evaluation === undefined) return "it has no evaluation (the training pipeline's evaluate_model step tags one)";
  if (evaluation !== "passed" && evaluation !== "first") return `its evaluation ${evaluation}${tags.evaluation_detail ? ` (${tags.evaluation_detail})` : ""}`;
  const current = await findLatestApproved(ml, ws, p.model, p.tag);
  const mine = Number(tags[PRIMARY_METRIC]);
  const theirs = Number(current?.properties.tags?.[PRIMARY_METRIC]);
  if (current && current.name !== p.version && Number.isFinite(mine) && Number.isFinite(theirs) && mine < theirs) {
    return `its f1 ${tags[PRIMARY_METRIC]} is below the approved version ${current.name}'s ${current.properties.tags?.[PRIMARY_METRIC]}`;
  }
  return undefined;
}

export async function listVersions(ml: AzureMachineLearningWorkspaces, ws: WorkspaceRef, model: string): Promise<ModelVersion[]> {
  const all: ModelVersion[] = [];
  for await (const v of ml.modelVersions.list(ws.resourceGroupName, ws.workspaceName, model, { listViewType: "All", orderBy: "createdtime desc" })) all.push(v);
  return all;
}

export async function main(argv: string[], deps: ModelCliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const { parsed: p, problems } = parse(argv);
  // An --outputs file is checked along with the arguments, so every problem shows at once.
  let ws: (WorkspaceRef & { environment?: string }) | undefined;
  if (p.outputsFile) {
    try {
      ws = workspaceFromOutputs(readOutputsFile(p.outputsFile), p.outputsFile);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new InputError(problems);
  ws ??= workspaceFromOutputs(await (deps.stackOutputs ?? runPulumiStackOutput)(p.stack), `pulumi stack output --stack ${p.stack}`);
  const ml = mlClient(ws, p, deps);
  const tagText = `${p.tag.key}=${p.tag.value}`;

  if (p.command === "list") {
    const versions = await listVersions(ml, ws, p.model);
    const newest = await findLatestApproved(ml, ws, p.model, p.tag);
    if (p.json) {
      out(JSON.stringify({
        stack: p.stack,
        workspace: ws,
        model: p.model,
        approvalTag: p.tag,
        newestApproved: newest?.name ?? null,
        versions: versions.map((v) => ({
          version: v.name,
          createdAt: v.systemData?.createdAt?.toISOString() ?? null,
          approved: v.properties.tags?.[p.tag.key] === p.tag.value,
          archived: v.properties.isArchived === true,
          tags: v.properties.tags ?? {},
        })),
      }, null, 2) + "\n");
      return EXIT.ok;
    }
    if (versions.length === 0) {
      out(`model '${p.model}' has no versions in ${describe(ws)} of stack '${p.stack}'\n`);
      return EXIT.ok;
    }
    out(`model '${p.model}' in ${describe(ws)} of stack '${p.stack}' (approval tag ${tagText}):\n`);
    for (const v of versions) {
      const flags = [v.properties.tags?.[p.tag.key] === p.tag.value ? "approved" : "", v.properties.isArchived ? "archived" : "", v.name === newest?.name ? "promoted next" : ""].filter(Boolean);
      const tags = Object.entries(v.properties.tags ?? {}).map(([k, val]) => `${k}=${val}`).join(", ");
      out(`  ${v.name}\t${v.systemData?.createdAt?.toISOString() ?? "-"}\t${flags.join(", ") || "-"}\t${tags}\n`);
    }
    return EXIT.ok;
  }

  const approve = p.command === "approve";
  // A promoted copy (qa) is approved in its own workspace and on the origin version it came from.
  const copy = await getVersion(ml, ws, p);
  const origin = originOf(copy);
  const stage = ws.environment ?? p.stack.split("/").pop()!;
  const recorded = origin ? await recordOnOrigin(mlClient(origin, p, deps), origin, copy, stage, p, approve) : false;
  const { changed: tagged } = await setApproval(ml, ws, p, approve);
  const changed = tagged || recorded;
  const newest = await findLatestApproved(ml, ws, p.model, p.tag);
  const verb = approve ? (changed ? "approved" : "already approved") : changed ? "revoked approval of" : "was not approved:";
  const next = newest?.name ? `newest approved version is now ${newest.name}` : "no version is approved now: the downstream stack will fail to resolve one until you approve or pin a version";
  if (p.json) {
    out(JSON.stringify({ stack: p.stack, model: p.model, version: p.version, approvalTag: p.tag, changed, approved: approve, newestApproved: newest?.name ?? null, ...(origin ? { recordedOnOrigin: { workspace: origin, stage } } : {}) }) + "\n");
  } else {
    const where = origin ? ` (recorded as ${ORIGIN_APPROVAL.key(stage)} on the origin ${describe(origin)})` : "";
    out(`${verb} ${p.model}:${p.version} (${tagText}) in ${describe(ws)} of stack '${p.stack}'${where}; ${next}\n`);
  }
  return EXIT.ok;
}

function readOutputsFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError([{ file, path: "", message: `cannot read --outputs file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}
