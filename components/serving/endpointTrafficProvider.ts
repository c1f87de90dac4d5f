import type * as pulumi from "@pulumi/pulumi";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * Routes an online endpoint's traffic to its deployments. Azure refuses traffic for a deployment
 * that does not exist yet, and a deployment needs its endpoint first, so the endpoint is declared
 * without traffic and this resource sets it once the deployments exist (as `az ml online-deployment
 * create --all-traffic` does). Deleting it sends no traffic to its deployments, which Azure requires
 * before a deployment can be deleted.
 */

/** Same api-version azure-native 3.x uses for Microsoft.MachineLearningServices. */
export const ENDPOINT_API_VERSION = "2025-12-01";
export const AZURE_PUBLIC_ARM = "https://management.azure.com";

export interface EndpointTrafficInputs {
  /** ARM id of the online endpoint. */
  endpointId: string;
  /** Deployment name → percent; the percentages add up to 100. */
  traffic: Record<string, number>;
  /**
   * Changes whenever the endpoint itself is written (a hash of its declared properties), so the
   * traffic is applied again after a PUT that may have reset it.
   */
  endpointRevision: string;
  /** Resource Manager endpoint; sovereign clouds and local test servers pass theirs. */
  armEndpoint: string;
}

export interface EndpointTrafficOutputs extends EndpointTrafficInputs {
  /** Traffic as Azure reported it after the last write or read. */
  appliedTraffic: Record<string, number>;
}

export interface ArmResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
}

/** The few ARM calls the provider makes, as raw JSON (no model mapping drops unknown fields). */
export interface ArmJsonClient {
  send(method: "GET" | "PUT", url: string, body?: unknown): Promise<ArmResponse>;
}

export type ArmClientFactory = (armEndpoint: string) => ArmJsonClient;

export interface EndpointTrafficProviderOptions {
  /** Tests inject a client aimed at a local server; the default signs in with DefaultAzureCredential. */
  clientFactory?: ArmClientFactory;
  /** Wait between polls of a long-running operation when Azure sends no Retry-After (ms). */
  pollIntervalMs?: number;
  /** Give up on a long-running operation after this many polls. */
  maxPolls?: number;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

const ENDPOINT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/onlineEndpoints\/[^/]+$/i;

/** Problems with the inputs, all at once; empty when they are valid. */
export function checkTrafficInputs(inputs: Partial<EndpointTrafficInputs>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (typeof inputs.endpointId !== "string" || !ENDPOINT_ID.test(inputs.endpointId)) {
    failures.push({ property: "endpointId", reason: `must be the ARM id of an online endpoint, found ${JSON.stringify(inputs.endpointId)}` });
  }
  const traffic = inputs.traffic;
  if (!traffic || typeof traffic !== "object" || Array.isArray(traffic)) {
    failures.push({ property: "traffic", reason: "must map deployment names to percentages" });
  } else {
    let total = 0;
    for (const [deployment, percent] of Object.entries(traffic)) {
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) failures.push({ property: `traffic.${deployment}`, reason: `must be an integer 0–100, found ${JSON.stringify(percent)}` });
      else total += percent;
    }
    if (Object.keys(traffic).length > 0 && total !== 100) failures.push({ property: "traffic", reason: `percentages must add up to 100, found ${total}` });
  }
  if (typeof inputs.armEndpoint !== "string" || !/^https:\/\/[^/]+$/.test(inputs.armEndpoint.replace(/\/$/, ""))) {
    failures.push({ property: "armEndpoint", reason: `must be an https origin, found ${JSON.stringify(inputs.armEndpoint)}` });
  }
  return failures;
}

function sameTraffic(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  const norm = (t: Record<string, number> | undefined) =>
    Object.entries(t ?? {})
      .filter(([, v]) => v !== 0)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/**
 * The split that routes exactly `traffic`: every other listed deployment gets 0. A 0 for a deployment
 * the endpoint does not list (deleted outside Pulumi) is left out: Azure rejects a split naming a
 * deployment it cannot find.
 */
function routeOnly(existing: Record<string, number>, traffic: Record<string, number>): Record<string, number> {
  const wanted = Object.entries(traffic).filter(([d, v]) => v !== 0 || d in existing);
  return { ...Object.fromEntries(Object.keys(existing).map((d) => [d, 0])), ...Object.fromEntries(wanted) };
}

/** Properties Azure computes; a PUT must not send them back. */
const READ_ONLY_PROPERTIES = ["provisioningState", "scoringUri", "swaggerUri", "openAPIUri"];

export class EndpointTrafficProvider implements pulumi.dynamic.ResourceProvider {
  private readonly options: EndpointTrafficProviderOptions;

  constructor(options: EndpointTrafficProviderOptions = {}) {
    this.options = options;
  }

  async check(olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
    const inputs = { ...news, armEndpoint: news.armEndpoint ?? AZURE_PUBLIC_ARM };
    return { inputs, failures: checkTrafficInputs(inputs) };
  }

  /** Pure: compares recorded outputs with new inputs, never calls Azure. */
  async diff(_id: string, olds: EndpointTrafficOutputs, news: EndpointTrafficInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = olds.endpointId.toLowerCase() !== news.endpointId.toLowerCase() ? ["endpointId"] : [];
    const changed: string[] = [...replaces];
    if (!sameTraffic(olds.traffic, news.traffic) || !sameTraffic(olds.appliedTraffic, news.traffic)) changed.push("traffic");
    if (olds.endpointRevision !== news.endpointRevision) changed.push("endpointRevision");
    if (olds.armEndpoint !== news.armEndpoint) changed.push("armEndpoint");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: EndpointTrafficInputs): Promise<pulumi.dynamic.CreateResult> {
    const applied = await this.apply(inputs, (existing) => routeOnly(existing, inputs.traffic));
    return { id: `${inputs.endpointId}/traffic`, outs: { ...inputs, appliedTraffic: applied } };
  }

  async update(_id: string, _olds: EndpointTrafficOutputs, news: EndpointTrafficInputs): Promise<pulumi.dynamic.UpdateResult> {
    const applied = await this.apply(news, (existing) => routeOnly(existing, news.traffic));
    return { outs: { ...news, appliedTraffic: applied } };
  }

  async read(id: string, props: EndpointTrafficOutputs): Promise<pulumi.dynamic.ReadResult> {
    const client = this.client(props.armEndpoint);
    const res = await client.send("GET", this.url(props));
    if (res.status === 404) return {};
    assertOk(res, "read the online endpoint");
    const actual = (res.body?.properties?.traffic ?? {}) as Record<string, number>;
    // Reported as both state and inputs, so `pulumi refresh` shows traffic moved outside Pulumi.
    const state = { ...props, traffic: actual, appliedTraffic: actual };
    return { id, props: state, inputs: { endpointId: props.endpointId, traffic: actual, endpointRevision: props.endpointRevision, armEndpoint: props.armEndpoint } };
  }

  async delete(_id: string, props: EndpointTrafficOutputs): Promise<void> {
    // Drains the deployments this resource routed to (Azure refuses to delete a deployment that takes
    // traffic). Azure accepts only a split totalling 100, or nothing routed: other deployments keep
    // their share when they already carry all of it, otherwise nothing stays routed. A gone endpoint
    // needs nothing.
    await this.apply(
      props,
      (existing) => {
        const others = Object.entries(existing).filter(([d]) => !(d in (props.traffic ?? {})));
        const othersTotal = others.reduce((n, [, v]) => n + v, 0);
        return othersTotal === 100 ? Object.fromEntries(others) : Object.fromEntries(Object.keys(existing).map((d) => [d, 0]));
      },
      { tolerateMissingEndpoint: true },
    );
  }

  /** GET, then PUT only when the traffic differs: a retried or adopted create makes no write. */
  private async apply(
    target: Pick<EndpointTrafficInputs, "endpointId" | "armEndpoint">,
    desiredOf: (existing: Record<string, number>) => Record<string, number>,
    opts: { tolerateMissingEndpoint?: boolean } = {},
  ): Promise<Record<string, number>> {
    const client = this.client(target.armEndpoint);
    const url = this.url(target);
    const current = await client.send("GET", url);
    if (current.status === 404 && opts.tolerateMissingEndpoint) return {};
    assertOk(current, "read the online endpoint");
    const existing = (current.body?.properties?.traffic ?? {}) as Record<string, number>;
    const desired = desiredOf(existing);
    if (sameTraffic(existing, desired)) return existing;

    const properties = { ...(current.body.properties ?? {}), traffic: desired };
    for (const key of READ_ONLY_PROPERTIES) delete properties[key];
    const body: Record<string, unknown> = { location: current.body.location, properties };
    for (const key of ["tags", "identity", "kind", "sku"]) if (current.body[key] !== undefined) body[key] = current.body[key];
    const put = await client.send("PUT", url, body);
    assertOk(put, "set the online endpoint's traffic");
    await this.waitForOperation(client, put);
    const after = await client.send("GET", url);
    assertOk(after, "read the online endpoint");
    return (after.body?.properties?.traffic ?? {}) as Record<string, number>;
  }

  /** ARM's long-running operations: poll `Azure-AsyncOperation` for a status, else `Location` until it stops answering 202. */
  private async waitForOperation(client: ArmJsonClient, res: ArmResponse): Promise<void> {
    const asyncUrl = res.headers["azure-asyncoperation"];
    const locationUrl = res.headers["location"];
    const statusUrl = asyncUrl ?? (res.status === 202 ? locationUrl : undefined);
    if (!statusUrl) return;
    const maxPolls = this.options.maxPolls ?? 360;
    for (let i = 0; i < maxPolls; i++) {
      const poll = await client.send("GET", statusUrl);
      assertOk(poll, "poll the traffic update");
      const status = asyncUrl ? String(poll.body?.status ?? "") : poll.status === 202 ? "InProgress" : "Succeeded";
      if (/^succeeded$/i.test(status)) return;
      if (/^(failed|canceled|cancelled)$/i.test(status)) {
        throw new Error(`setting the online endpoint's traffic ${status.toLowerCase()}: ${poll.body?.error?.message ?? "no details"}`);
      }
      const retryAfter = Number(poll.headers["retry-after"]);
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30000) : (this.options.pollIntervalMs ?? 5000);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new Error(`setting the online endpoint's traffic did not finish after ${maxPolls} polls`);
  }

  private url(target: Pick<EndpointTrafficInputs, "endpointId" | "armEndpoint">): string {
    return `${target.armEndpoint.replace(/\/$/, "")}${target.endpointId}?api-version=${ENDPOINT_API_VERSION}`;
  }

  private client(armEndpoint: string): ArmJsonClient {
    return (this.options.clientFactory ?? defaultArmClientFactory)(armEndpoint);
  }
}

function assertOk(res: ArmResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const err = res.body?.error;
  throw new Error(`could not ${what}: HTTP ${res.status}${err?.code ? ` ${err.code}` : ""}${err?.message ? `: ${err.message}` : ""}`);
}

export interface ArmJsonClientOptions {
  credential?: TokenCredential;
  /** Extra pipeline policies, e.g. one that trusts a local test server's certificate. */
  additionalPolicies?: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/**
 * A raw-JSON ARM client on the Azure SDK pipeline: bearer token for the endpoint's audience, and the
 * pipeline's own retries for 429 (honouring Retry-After), 5xx and connection resets.
 */
export function createArmJsonClient(armEndpoint: string, options: ArmJsonClientOptions = {}): ArmJsonClient {
  const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const credential = options.credential ?? new (require("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
  const origin = armEndpoint.replace(/\/$/, "");
  const pipeline = rest.createPipelineFromOptions({ retryOptions: options.retryOptions });
  pipeline.addPolicy(rest.bearerTokenAuthenticationPolicy({ credential, scopes: `${origin}/.default` }));
  for (const p of options.additionalPolicies ?? []) pipeline.addPolicy(p.policy, { phase: p.position === "perCall" ? undefined : "Retry" });
  // Retry-After is honoured, but never beyond the cap (components/shared/retryAfterCap.ts).
  pipeline.addPolicy((require("../shared/retryAfterCap") as typeof import("../shared/retryAfterCap")).retryAfterCapPolicy(), { afterPhase: "Retry" });
  const httpClient = rest.createDefaultHttpClient();
  return {
    async send(method, url, body) {
      const request = rest.createPipelineRequest({ url, method, headers: rest.createHttpHeaders({ "content-type": "application/json", accept: "application/json" }) });
      if (body !== undefined) request.body = JSON.stringify(body);
      const response = await pipeline.sendRequest(httpClient, request);
      const text = response.bodyAsText ?? "";
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = { raw: text };
      }
      return { status: response.status, headers: response.headers.toJSON(), body: parsed };
    },
  };
}

export function defaultArmClientFactory(armEndpoint: string): ArmJsonClient {
  return createArmJsonClient(armEndpoint);
}
