import type * as pulumi from "@pulumi/pulumi";
import { ArmJsonClient, ArmClientFactory, ArmResponse, defaultArmClientFactory } from "./armJsonClient";
import { API_VERSIONS, PUBLIC_ARM_ENDPOINT, waitForArmOperation } from "../shared/azure";
import { isNamedError, namedError } from "../shared/namedError";

/**
 * Safe rollout of a model version on an online endpoint ("Perform safe rollout of new deployments
 * for real-time inference"): every served version gets its own deployment beside the live one; the
 * new deployment must answer a smoke request through the endpoint's scoring URI (routed to it with the
 * `azureml-model-deployment` header, the documented way to test a deployment before it takes traffic)
 * before each traffic step; any failure sends all traffic back to the previous deployment and deletes
 * the new one; at 100 % the previous deployment is deleted. Rolling back (an approval revoked upstream)
 * names the older version again and goes the same way.
 *
 * The deployment is created here, not by an `OnlineDeployment` resource, because its name follows the
 * model version, which is known only while the program runs, and because the old deployment must
 * outlive the traffic shift. `history` keeps every step (bounded) so a team can see what happened.
 */

export interface RolloutDeployment {
  /** Deployment name: changes with the model version and the scoring code/environment. */
  name: string;
  /** ARM id of the model version. */
  modelId: string;
  codeId: string;
  scoringScript: string;
  environmentId: string;
  instanceType: string;
  instanceCount: number;
  location: string;
  tags: Record<string, string>;
}

export interface ModelRolloutInputs {
  /** ARM id of the online endpoint. */
  endpointId: string;
  deployment: RolloutDeployment;
  /** Traffic percentages for the new deployment, ascending, ending at 100 (e.g. [10, 50, 100]). */
  steps: number[];
  /** JSON body of the smoke request sent through the scoring path before each step. */
  smokeRequest: unknown;
  /** Seconds to hold each intermediate step, re-checking the new deployment and the stop tag. */
  holdSeconds: number;
  /** Changes when the endpoint itself is written (a PUT may reset traffic): traffic is re-applied. */
  endpointRevision: string;
  armEndpoint: string;
}

export interface TrafficEvent {
  at: string;
  /** What happened: `smoke-passed`, `smoke-failed`, `traffic`, `stopped`, `rolled-back`, `deleted`. */
  event: string;
  deployment: string;
  traffic: Record<string, number>;
  detail?: string;
}

export interface ModelRolloutOutputs extends ModelRolloutInputs {
  /** The deployment holding all traffic after the last operation. */
  live: string;
  /** Traffic as Azure reported it after the last write or read. */
  appliedTraffic: Record<string, number>;
  history: TrafficEvent[];
}

export interface ScoringResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** The data-plane call to the endpoint's scoring URI (not ARM). */
export type ScoringSender = (url: string, headers: Record<string, string>, body: string) => Promise<ScoringResponse>;

export interface ModelRolloutProviderOptions {
  clientFactory?: ArmClientFactory;
  scoring?: ScoringSender;
  pollIntervalMs?: number;
  maxPolls?: number;
  /** Tests replace the clock of the hold period. */
  sleep?: (ms: number) => Promise<void>;
}

/** Endpoint tag that stops a rollout in progress: traffic goes back to the previous deployment. */
export const STOP_TAG = { key: "rollout", value: "stop" } as const;
/**
 * The last failed rollout, kept on the endpoint as tags (Pulumi keeps a dynamic resource's previous
 * outputs when an update fails, so the failure's history would otherwise live only in the error):
 * `rollout-last-failure` = `<time> <deployment> stopped at <n>%: <reason>`, `rollout-last-failure-steps` =
 * the steps, e.g. `smoke-passed@0 traffic@10 smoke-failed@10 rolled-back@0 deleted@0`. ARM tag values
 * hold at most 256 characters ("Use tags to organize your Azure resources", limits), so both are cut.
 */
export const FAILURE_TAGS = { summary: "rollout-last-failure", steps: "rollout-last-failure-steps" } as const;
const TAG_VALUE_LIMIT = 256;
const HISTORY_LIMIT = 100;
const ENDPOINT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/onlineEndpoints\/[^/]+$/i;
const READ_ONLY_PROPERTIES = ["provisioningState", "scoringUri", "swaggerUri", "openAPIUri"];

/** Problems with the inputs, all at once. */
export function checkRolloutInputs(i: Partial<ModelRolloutInputs>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  if (typeof i.endpointId !== "string" || !ENDPOINT_ID.test(i.endpointId)) failures.push({ property: "endpointId", reason: `must be the ARM id of an online endpoint, found ${JSON.stringify(i.endpointId)}` });
  const steps = i.steps;
  if (!Array.isArray(steps) || steps.length === 0 || steps[steps.length - 1] !== 100 || steps.some((s, k) => !Number.isInteger(s) || s < 1 || s > 100 || (k > 0 && s <= steps[k - 1]))) {
    failures.push({ property: "steps", reason: `must be ascending integers 1–100 ending at 100, found ${JSON.stringify(steps)}` });
  }
  // Azure deployment names: 3–32, letter first, letters/digits/hyphens.
  if (!/^[a-zA-Z][a-zA-Z0-9-]{2,31}$/.test(i.deployment?.name ?? "")) failures.push({ property: "deployment.name", reason: `must be 3–32 letters, digits or '-', starting with a letter, found ${JSON.stringify(i.deployment?.name)}` });
  if (!Number.isInteger(i.holdSeconds) || (i.holdSeconds as number) < 0) failures.push({ property: "holdSeconds", reason: "must be an integer ≥ 0" });
  return failures;
}

/** A rollout that stepped back, with its traffic history (a `namedError`, as provider code throws). */
export interface RolloutFailed extends Error {
  name: "RolloutFailed";
  history: TrafficEvent[];
}

export function rolloutFailed(message: string, history: TrafficEvent[]): RolloutFailed {
  return namedError("RolloutFailed", message, { history });
}

export const isRolloutFailed = (e: unknown): e is RolloutFailed => isNamedError<RolloutFailed>(e, "RolloutFailed");

export class ModelRolloutProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly options: ModelRolloutProviderOptions = {}) {}

  async check(_olds: unknown, news: any): Promise<pulumi.dynamic.CheckResult> {
    const inputs = { ...news, armEndpoint: news.armEndpoint ?? PUBLIC_ARM_ENDPOINT, holdSeconds: news.holdSeconds ?? 0 };
    return { inputs, failures: checkRolloutInputs(inputs) };
  }

  /** Pure: compares recorded outputs with new inputs, never calls Azure. */
  async diff(_id: string, olds: ModelRolloutOutputs, news: ModelRolloutInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = olds.endpointId.toLowerCase() !== news.endpointId.toLowerCase() ? ["endpointId"] : [];
    const keys = ["deployment", "steps", "smokeRequest", "holdSeconds", "endpointRevision", "armEndpoint"] as const;
    const changed: string[] = [...replaces, ...keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]))];
    if (olds.appliedTraffic?.[news.deployment.name] !== 100) changed.push("appliedTraffic");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: ModelRolloutInputs): Promise<pulumi.dynamic.CreateResult<ModelRolloutOutputs>> {
    const outs = await this.rollout(inputs, []);
    return { id: `${inputs.endpointId}/rollout`, outs };
  }

  async update(_id: string, olds: ModelRolloutOutputs, news: ModelRolloutInputs): Promise<pulumi.dynamic.UpdateResult<ModelRolloutOutputs>> {
    return { outs: await this.rollout(news, olds.history ?? []) };
  }

  async read(id: string, props: ModelRolloutOutputs): Promise<pulumi.dynamic.ReadResult<ModelRolloutOutputs>> {
    const arm = this.arm(props.armEndpoint);
    const endpoint = await arm.send("GET", this.url(props.armEndpoint, props.endpointId));
    if (endpoint.status === 404) return {};
    assertOk(endpoint, "read the online endpoint");
    const traffic = trafficOf(endpoint);
    const live = Object.entries(traffic).find(([, v]) => v === 100)?.[0] ?? "";
    return { id, props: { ...props, appliedTraffic: traffic, live }, inputs: pickInputs(props) as ModelRolloutOutputs };
  }

  async delete(_id: string, props: ModelRolloutOutputs): Promise<void> {
    const arm = this.arm(props.armEndpoint);
    const endpoint = await arm.send("GET", this.url(props.armEndpoint, props.endpointId));
    if (endpoint.status === 404) return;
    assertOk(endpoint, "read the online endpoint");
    const traffic = trafficOf(endpoint);
    const mine = props.deployment.name;
    if ((traffic[mine] ?? 0) > 0) await this.setTraffic(arm, props, endpoint, {});
    await this.deleteDeployment(arm, props, mine);
  }

  private async rollout(inputs: ModelRolloutInputs, earlier: TrafficEvent[]): Promise<ModelRolloutOutputs> {
    const arm = this.arm(inputs.armEndpoint);
    const history = [...earlier];
    const record = (event: string, traffic: Record<string, number>, detail?: string) =>
      history.push({ at: new Date().toISOString(), event, deployment: inputs.deployment.name, traffic: { ...traffic }, ...(detail ? { detail } : {}) });
    const next = inputs.deployment.name;

    let endpoint = await this.getEndpoint(arm, inputs);
    const before = trafficOf(endpoint);
    await this.putDeployment(arm, inputs);
    if (before[next] === 100) {
      // Already live (a retried update, a changed step list): nothing to move.
      return this.outputs(inputs, history, before);
    }
    const previous = Object.entries(before)
      .filter(([d, v]) => d !== next && v > 0)
      .sort(([, a], [, b]) => b - a)[0]?.[0];

    const fail = async (reason: string, traffic: Record<string, number>): Promise<never> => {
      endpoint = await this.getEndpoint(arm, inputs);
      const back = previous ? { [previous]: 100, [next]: 0 } : { [next]: 0 };
      const restored = await this.setTraffic(arm, inputs, endpoint, back);
      record("rolled-back", restored, reason);
      await this.deleteDeployment(arm, inputs, next);
      record("deleted", restored, `new deployment ${next} removed`);
      const mine = history.slice(earlier.length);
      const trail = mine.map((e) => `${e.event} ${JSON.stringify(e.traffic)}${e.detail ? ` (${e.detail})` : ""}`).join("; ");
      await this.recordFailure(arm, inputs, {
        [FAILURE_TAGS.summary]: `${new Date().toISOString()} ${next} stopped at ${traffic[next] ?? 0}%: ${reason}`,
        [FAILURE_TAGS.steps]: mine.map((e) => `${e.event}@${e.traffic[next] ?? 0}`).join(" "),
      });
      throw rolloutFailed(
        `rollout of ${next} stopped at ${traffic[next] ?? 0}%: ${reason}; traffic is back on ${previous ?? "no deployment"}. History: ${trail}`,
        history,
      );
    };

    // A first deployment has nothing to protect: one smoke request, then all traffic.
    const steps = previous ? inputs.steps : [100];
    for (const [k, step] of steps.entries()) {
      const smoke = await this.smoke(arm, inputs, next);
      const current = trafficOf(await this.getEndpoint(arm, inputs));
      if (!smoke.ok) {
        record("smoke-failed", current, smoke.detail);
        return fail(`smoke request failed before ${step}%: ${smoke.detail}`, current);
      }
      record("smoke-passed", current, smoke.detail);
      endpoint = await this.getEndpoint(arm, inputs);
      const split = previous && step < 100 ? { [next]: step, [previous]: 100 - step } : { [next]: 100, ...(previous ? { [previous]: 0 } : {}) };
      const applied = await this.setTraffic(arm, inputs, endpoint, split);
      record("traffic", applied);
      if (k < steps.length - 1 && inputs.holdSeconds > 0) {
        const stopped = await this.hold(arm, inputs);
        if (stopped) {
          record("stopped", applied, stopped);
          return fail(stopped, applied);
        }
      }
    }
    if (previous) {
      await this.deleteDeployment(arm, inputs, previous);
      record("deleted", { [next]: 100 }, `previous deployment ${previous} removed`);
    }
    return this.outputs(inputs, history, trafficOf(await this.getEndpoint(arm, inputs)));
  }

  private outputs(inputs: ModelRolloutInputs, history: TrafficEvent[], traffic: Record<string, number>): ModelRolloutOutputs {
    return { ...inputs, live: inputs.deployment.name, appliedTraffic: traffic, history: history.slice(-HISTORY_LIMIT) };
  }

  /** Waits out a step, stopping early when the stop tag appears or the new deployment stops answering. */
  private async hold(arm: ArmJsonClient, inputs: ModelRolloutInputs): Promise<string | undefined> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const checks = Math.max(1, Math.ceil(inputs.holdSeconds / 30));
    for (let i = 0; i < checks; i++) {
      await sleep((inputs.holdSeconds * 1000) / checks);
      const endpoint = await this.getEndpoint(arm, inputs);
      if (endpoint.body?.tags?.[STOP_TAG.key] === STOP_TAG.value) return `stopped by the endpoint tag ${STOP_TAG.key}=${STOP_TAG.value}`;
      const smoke = await this.smoke(arm, inputs, inputs.deployment.name);
      if (!smoke.ok) return `smoke request failed while holding: ${smoke.detail}`;
    }
    return undefined;
  }

  /** One request through the scoring URI, routed to `deployment`, with the endpoint's own auth. */
  private async smoke(arm: ArmJsonClient, inputs: ModelRolloutInputs, deployment: string): Promise<{ ok: boolean; detail: string }> {
    const endpoint = await this.getEndpoint(arm, inputs);
    const scoringUri = endpoint.body?.properties?.scoringUri;
    if (typeof scoringUri !== "string" || !scoringUri) return { ok: false, detail: "the endpoint reports no scoringUri" };
    const authMode = String(endpoint.body?.properties?.authMode ?? "AMLToken");
    const token = await this.scoringToken(arm, inputs, authMode);
    const send = this.options.scoring ?? defaultScoringSender;
    let res: ScoringResponse;
    try {
      res = await send(scoringUri, { authorization: `Bearer ${token}`, "content-type": "application/json", "azureml-model-deployment": deployment }, JSON.stringify(inputs.smokeRequest));
    } catch (e) {
      return { ok: false, detail: `no answer: ${(e as Error).message}` };
    }
    if (res.status !== 200) return { ok: false, detail: `HTTP ${res.status}: ${res.body.slice(0, 200)}` };
    let parsed: any;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      return { ok: false, detail: "the answer is not JSON" };
    }
    if (!parsed || typeof parsed !== "object" || "error" in parsed) return { ok: false, detail: `unexpected answer ${res.body.slice(0, 200)}` };
    const served = res.headers["azureml-model-deployment"];
    if (served && served !== deployment) return { ok: false, detail: `answered by ${served}, not ${deployment}` };
    return { ok: true, detail: `HTTP 200 from ${served ?? deployment}` };
  }

  /** Key endpoints: the primary key (`listKeys`); AMLToken endpoints: a token (`token`). */
  private async scoringToken(arm: ArmJsonClient, inputs: ModelRolloutInputs, authMode: string): Promise<string> {
    const action = /^key$/i.test(authMode) ? "listKeys" : "token";
    const res = await arm.send("POST", this.url(inputs.armEndpoint, `${inputs.endpointId}/${action}`));
    assertOk(res, `get the endpoint's scoring ${action === "listKeys" ? "key" : "token"}`);
    return String(action === "listKeys" ? res.body?.primaryKey : res.body?.accessToken);
  }

  private async getEndpoint(arm: ArmJsonClient, inputs: Pick<ModelRolloutInputs, "armEndpoint" | "endpointId">): Promise<ArmResponse> {
    const res = await arm.send("GET", this.url(inputs.armEndpoint, inputs.endpointId));
    assertOk(res, "read the online endpoint");
    return res;
  }

  private async putDeployment(arm: ArmJsonClient, inputs: ModelRolloutInputs): Promise<void> {
    const d = inputs.deployment;
    const body = {
      location: d.location,
      tags: d.tags,
      // Kubernetes deployments take their replica count from the SKU capacity.
      sku: { name: "Default", capacity: d.instanceCount },
      properties: {
        endpointComputeType: "Kubernetes",
        instanceType: d.instanceType,
        model: d.modelId,
        codeConfiguration: { codeId: d.codeId, scoringScript: d.scoringScript },
        environmentId: d.environmentId,
        appInsightsEnabled: true,
        scaleSettings: { scaleType: "Default" },
        description: `Serves ${d.modelId.split("/models/")[1]?.replace("/versions/", " version ") ?? d.modelId}`,
      },
    };
    const url = this.url(inputs.armEndpoint, `${inputs.endpointId}/deployments/${d.name}`);
    const res = await arm.send("PUT", url, body);
    assertOk(res, `create the deployment ${d.name}`);
    await this.waitForOperation(arm, "PUT", url, res, `creating the deployment ${d.name}`);
  }

  private async deleteDeployment(arm: ArmJsonClient, inputs: Pick<ModelRolloutInputs, "armEndpoint" | "endpointId">, name: string): Promise<void> {
    const url = this.url(inputs.armEndpoint, `${inputs.endpointId}/deployments/${name}`);
    const res = await arm.send("DELETE", url);
    if (res.status === 404 || res.status === 204) return;
    assertOk(res, `delete the deployment ${name}`);
    await this.waitForOperation(arm, "DELETE", url, res, `deleting the deployment ${name}`);
  }

  /**
   * Tags the endpoint with the failure (PATCH merges tags, leaving the rest). Best effort: the rollback
   * already happened, and the error still carries the whole history if the tags cannot be written.
   */
  private async recordFailure(arm: ArmJsonClient, inputs: Pick<ModelRolloutInputs, "armEndpoint" | "endpointId">, tags: Record<string, string>): Promise<void> {
    const cut = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, v.length > TAG_VALUE_LIMIT ? `${v.slice(0, TAG_VALUE_LIMIT - 1)}…` : v]));
    try {
      const url = this.url(inputs.armEndpoint, inputs.endpointId);
      const res = await arm.send("PATCH", url, { tags: cut });
      assertOk(res, "tag the online endpoint with the failed rollout");
      await this.waitForOperation(arm, "PATCH", url, res, "tagging the online endpoint");
    } catch {
      // Keep the rollout's own error: the history is in it.
    }
  }

  /** PUT the endpoint back with only its traffic changed; returns the traffic Azure reports after. */
  private async setTraffic(arm: ArmJsonClient, inputs: Pick<ModelRolloutInputs, "armEndpoint" | "endpointId">, current: ArmResponse, traffic: Record<string, number>): Promise<Record<string, number>> {
    // Every existing deployment gets a value (0 unless routed); a deployment that no longer exists is
    // never named: Azure refuses a split naming a deployment it cannot find.
    const list = await arm.send("GET", this.url(inputs.armEndpoint, `${inputs.endpointId}/deployments`));
    assertOk(list, "list the endpoint's deployments");
    const exists = new Set(((list.body?.value ?? []) as { name: string }[]).map((d) => d.name));
    const desired = Object.fromEntries([...exists].map((d) => [d, traffic[d] ?? 0]));
    const properties = { ...(current.body.properties ?? {}), traffic: desired };
    for (const key of READ_ONLY_PROPERTIES) delete properties[key];
    const body: Record<string, unknown> = { location: current.body.location, properties };
    for (const key of ["tags", "identity", "kind", "sku"]) if (current.body[key] !== undefined) body[key] = current.body[key];
    const url = this.url(inputs.armEndpoint, inputs.endpointId);
    const put = await arm.send("PUT", url, body);
    assertOk(put, "set the online endpoint's traffic");
    await this.waitForOperation(arm, "PUT", url, put, "setting the online endpoint's traffic");
    return trafficOf(await this.getEndpoint(arm, inputs));
  }

  /** Follows the operation a PUT or DELETE started, through the shared LRO poller (components/shared/azure.ts). */
  private async waitForOperation(arm: ArmJsonClient, method: "PUT" | "PATCH" | "DELETE", url: string, res: ArmResponse, what: string): Promise<void> {
    await waitForArmOperation((u) => arm.send("GET", u), { method, url, response: res }, { what, intervalInMs: this.options.pollIntervalMs ?? 5000, maxPolls: this.options.maxPolls });
  }

  private url(armEndpoint: string, id: string): string {
    return `${armEndpoint.replace(/\/$/, "")}${id}?api-version=${API_VERSIONS.machineLearningEndpoints}`;
  }

  private arm(armEndpoint: string): ArmJsonClient {
    return (this.options.clientFactory ?? defaultArmClientFactory)(armEndpoint);
  }
}

function trafficOf(res: ArmResponse): Record<string, number> {
  return { ...((res.body?.properties?.traffic ?? {}) as Record<string, number>) };
}

function pickInputs(p: ModelRolloutOutputs): ModelRolloutInputs {
  const { endpointId, deployment, steps, smokeRequest, holdSeconds, endpointRevision, armEndpoint } = p;
  return { endpointId, deployment, steps, smokeRequest, holdSeconds, endpointRevision, armEndpoint };
}

function assertOk(res: ArmResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const err = res.body?.error;
  throw new Error(`could not ${what}: HTTP ${res.status}${err?.code ? ` ${err.code}` : ""}${err?.message ? `: ${err.message}` : ""}`);
}

/** Node's fetch; the scoring URI is HTTPS (the extension refuses insecure connections). */
export async function defaultScoringSender(url: string, headers: Record<string, string>, body: string): Promise<ScoringResponse> {
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.text() };
}
