/**
 * A local HTTPS server that speaks the Azure Resource Manager surface of Azure Machine Learning from
 * an in-memory store, held to Azure's contract: the subset of the official REST specification the
 * product relies on is data in `contract/azureml.json` (each rule with the spec file, definition and
 * api-version it comes from), read by `contract/index.ts`.
 *
 * Start and point the real SDK at it:
 *
 *   const aml = await startAmlServer();
 *   const client = aml.client(subscriptionId);            // AzureMachineLearningWorkspaces, trusted TLS,
 *                                                         // fast retries, a credential that mints JWTs
 *   // or build your own: new AzureMachineLearningWorkspaces(aml.credential, sub,
 *   //   { ...aml.clientOptions, retryOptions: {...} })   // clientOptions = { endpoint, additionalPolicies }
 *   aml.seedWorkspace({ subscriptionId, resourceGroupName, workspaceName, storageAccountName: "devstore" });
 *   ...
 *   await aml.close();
 *
 * What ARM checks before the resource provider (each refused with ARM's status and error code):
 *   - `Authorization: Bearer <JWT>` signed by `tokens.ts` (tests mint them), unexpired, for the ARM
 *     audience (`https://management.azure.com`, the classic `https://management.core.windows.net/`, or
 *     this server's URL, which stands for the ARM endpoint a client was pointed at) → else 401;
 *   - `api-version` present and served for that namespace and resource type; known namespaces
 *     (`Microsoft.MachineLearningServices`, `Microsoft.Storage` for the account-key fallback) and types.
 * What the resource provider checks on a write:
 *   - every name segment of the path against its type's rule (component names: lowercase, digits,
 *     `_`, letter first; endpoints, deployments, assets, computes, workspaces);
 *   - the parent resource exists (404 `ParentResourceNotFound`), except an asset container, which a
 *     version PUT creates (and keeps `latestVersion` current);
 *   - required properties, enum values, discriminators (`jobType`, `jobInputType`, `datastoreType`,
 *     `endpointComputeType`, …) and one-of groups, every problem at once (400 `UserError`);
 *   - read-only properties are ignored, not stored (`provisioningState`, `status`, `scoringUri`, …);
 *   - references: a component's code/environment, a pipeline component's or pipeline job's
 *     `componentId`s, a model's datastore in `modelUri`, asset job inputs' `uri`; online-endpoint
 *     traffic adds up to 100 or 0 and names existing deployments;
 *   - asset versions are immutable except `tags`, `description`, `isArchived`, `stage` (409);
 *   - DELETE: code/component/environment/data versions are refused (archive instead, 400), a container
 *     holding versions is refused (409), a deployment taking traffic is refused (400); absent → 204;
 *   - serving (`servingContract.ts`): an online deployment of a non-MLflow model without a scoring
 *     script and environment is refused, as is a registry model on Kubernetes; computed endpoint
 *     properties (`scoringUri`, …) survive a PUT that omits them, as in Azure;
 *   - `ETag` on every resource, changing on each write; `If-Match` with another ETag, or
 *     `If-None-Match: *` on an existing resource → 412 `PreconditionFailed`.
 *   - registries (`seedRegistry`): model versions below them are immutable like workspace ones; the
 *     data-plane `POST …/registries/{r}/import` (what `az ml model share` calls) checks its body, finds
 *     the source by workspace GUID and region (404 otherwise), refuses a version the registry holds
 *     (409), and creates it as the service would, the files going wherever `registryImport` puts them
 *     (a long-running operation; `registryImports` lists them); a job input naming
 *     `azureml://registries/…/versions/…` must name an existing registry version;
 *   Not modelled: RBAC, quotas, regions, SKUs, schema of `componentSpec` beyond its type and references,
 *   compute existence, registry replication; the list filters below are a subset of the service's.
 *
 * Store: GET returns the resource or 404 `{ error: { code, message } }` (`UserError` below a workspace,
 * `ResourceNotFound` above); PATCH merges `tags`/`properties`; GET on a collection lists direct
 * children `{ value, nextLink }`, `pageSize` a page, with the filters `tags`/`$tags`, `properties`,
 * `listViewType`, `version`, `$orderBy` (`createdtime|createdAt asc|desc`), `$top`.
 *
 * Long-running operations (types whose contract lists `lro`, and the POST actions `cancel`, `start`,
 * `stop`, `restart`): PUT answers 201/200 with `Azure-AsyncOperation`, PATCH 202 with `Location` and
 * `Azure-AsyncOperation`, DELETE 202 with both. The resource shows `Creating`/`Updating`/`Deleting` —
 * and refuses another write with 409 — until a client polls the status resource past `lroPolls`
 * `InProgress` answers; only then is it `Succeeded` (or `Failed` when a `lroFailure` fault matched), or
 * gone. The `Location` URL answers 202 while running, then 204. Clients should pass
 * `updateIntervalInMs` (a few ms) to `begin…AndWait`, since core-lro's default poll interval is 2 s.
 *
 * Jobs: a PUT job gets `properties.status = jobStatusOnCreate` ("Starting"; `status` is read-only);
 * `queueJobStatuses(path, ["Running", "Completed"])` makes successive GETs advance through them;
 * POST `…/jobs/{id}/cancel` sets `Canceled`.
 *
 * Batch invocation (`batchInvokeContract.ts`): POST to a batch endpoint's scoring URI
 * (`batchScoringUri(endpointPath)`, seed it as the endpoint's `properties.scoringUri`) with a token for
 * `https://ml.azure.com` creates a job under the workspace; `queueBatchJobStatuses([...])` sets the
 * statuses the next such job goes through. Inputs are checked against the deployment's component.
 *
 * Run history (data plane, `contract.runHistory`): GET `/history/v1.0/…/workspaces/{ws}/experiments/
 * {experiment}/runs/{runId}/children` answers a `PaginatedRunList` (`value`, `continuationToken`,
 * `nextLink`; `pageSize` items a page) of the run's child runs — a pipeline job's steps. It needs a
 * token for `https://ml.azure.com` (401 otherwise) and `api-version`; a run is known when it is a job
 * of the workspace (its experiment is the job's `experimentName`) or a child run queued here (its
 * parent's experiment); anything else, or another experiment, is 404. `queueChildRuns(workspacePath,
 * runId, snapshots)` makes successive GETs answer successive snapshots (the last one repeats).
 *
 * POST actions: `onAction(name, handler)` registers any action (case-insensitive last segment, e.g.
 * `listKeys`); `startPendingUpload` (code/data versions in newer api-versions) is built in when the
 * `pendingUpload` option is given and answers `{ blobReferenceForConsumption: { blobUri,
 * storageAccountArmId, credential: { credentialType: "SAS", sasUri } }, pendingUploadId,
 * pendingUploadType }`.
 *
 * Faults: `inject({ method?, path, kind, times?, retryAfterSeconds?, status?, code? })` queues
 * `times` (default 1) faulty answers for requests whose path matches (`RegExp`, or a
 * case-insensitive substring): `throttle` (429 + Retry-After), `unavailable` (503 + Retry-After),
 * `reset` (socket destroyed before any response), `status` (any status with an ARM error body),
 * `lroFailure` (the request succeeds but its long-running operation ends `Failed`) and `slow` (served
 * normally after `delayMs`). A faulted request is recorded with `fault` set and, except `slow`, never
 * reaches the store.
 *
 * Recording: `requests` holds `{ method, path, query, body, headers, status, fault? }` for every
 * request (headers subset: authorization, content-type, user-agent, x-ms-client-request-id, if-match,
 * if-none-match);
 * `writes()` (PUT/POST/PATCH/DELETE) and `reads()` (GET), both optionally filtered by a path
 * pattern; `clearRequests()`.
 *
 * Dead host: `stop()` closes the listener and destroys every open connection (new ones are refused,
 * requests in flight get a reset); `start()` listens again on the same port with the store intact.
 * `onRequest(listener)` sees every request before faults and the store; a listener that calls `stop()`
 * kills the host at that exact request, which is recorded with status 0 and never stored.
 *
 * Seeding and inspection (no request recorded, no contract check: seeds stand for what Azure already
 * holds): `seed(path, body, createdAt?)`, `seedWorkspace(…)`, `get(path)`,
 * `list(collectionPath)`, `remove(path)`, `workspacePath(sub, rg, ws)`.
 */
import * as https from "node:https";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenCredential } from "@azure/core-auth";
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import { createTestTls, TestTls } from "./tls";
import { bodyProblems, contract, nameRuleOf, namespaceOf, ResolvedType, typeOf, TypeContract, withoutReadOnly } from "./contract";
import { checkBearer, testCredential } from "./tokens";
import { servingContractRefusal, withComputedServingProperties } from "./servingContract";
import { BATCH_INVOKE_AUDIENCE, BatchRefusal, batchScoringUri, invokeBatchEndpoint, isBatchInvocation } from "./batchInvokeContract";

export const ML_NAMESPACE = "Microsoft.MachineLearningServices";

export interface AmlServerOptions {
  /** Items per list page (default 100). */
  pageSize?: number;
  /** How many times an LRO status reports `InProgress` before it finishes (default 1). */
  lroPolls?: number;
  /** Region reported by seeded workspaces and used in operation-status URLs (default `westeurope`). */
  location?: string;
  /** Status given to a newly created job that does not set one (default `Starting`). */
  jobStatusOnCreate?: string;
  /** Enables the built-in `startPendingUpload` action: where the client should upload. */
  pendingUpload?: (resourcePath: string, body: any) => { blobUri: string; sasUri: string; storageAccountArmId?: string };
  /**
   * What the service does with the files when a workspace model version is imported into a registry
   * (`POST …/registries/{r}/import`): the test copies them into the registry's storage (server side,
   * never through the client) and returns the version's `modelUri` there. Default: no files, a
   * `modelUri` in a storage named after the registry.
   */
  registryImport?: (args: { registryPath: string; source: any; name: string; version: string }) => string | Promise<string>;
}

export type FaultKind = "throttle" | "unavailable" | "reset" | "status" | "lroFailure" | "slow";

export interface Fault {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** RegExp on the URL path, or a case-insensitive substring of it. */
  path: RegExp | string;
  kind: FaultKind;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Retry-After for `throttle`/`unavailable` (default 1). */
  retryAfterSeconds?: number;
  /** For `slow`: how long the answer takes (default 1000 ms); the request is then served normally. */
  delayMs?: number;
  /** For `status`: the status code (default 500) and ARM error code (default `InternalServerError`). */
  status?: number;
  code?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | undefined>;
  status: number;
  fault?: FaultKind;
}

export interface ActionContext {
  /** The resource path the action applies to (without the action segment). */
  resourcePath: string;
  resource: any | undefined;
  body: any;
  query: Record<string, string>;
  server: AmlServer;
}

export interface ActionResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SeedWorkspaceArgs {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  location?: string;
  /** Name of the workspace's storage account; also the `workspaceblobstore` datastore's account. */
  storageAccountName?: string;
  /** Container of `workspaceblobstore` (default `azureml-blobstore-<workspaceId>`). */
  blobContainerName?: string;
  tags?: Record<string, string>;
  /** Extra workspace properties. */
  properties?: Record<string, unknown>;
}

export interface AmlServer {
  /** `https://127.0.0.1:<port>` — pass as the SDK's `endpoint`. */
  url: string;
  tls: TestTls;
  /** Mints a signed JWT for the scope each request asks for (the server refuses any other token). */
  credential: TokenCredential;
  /** `{ endpoint, additionalPolicies }` for `new AzureMachineLearningWorkspaces(cred, sub, {...})`. */
  clientOptions: { endpoint: string; additionalPolicies: TestTls["clientOptions"]["additionalPolicies"] };
  /** A real SDK client aimed at this server, with retries kept short (Retry-After still honoured). */
  client(subscriptionId: string): AzureMachineLearningWorkspaces;
  requests: RecordedRequest[];
  writes(path?: RegExp | string): RecordedRequest[];
  reads(path?: RegExp | string): RecordedRequest[];
  clearRequests(): void;
  inject(fault: Fault): void;
  /** Faults still queued. */
  pendingFaults(): number;
  onAction(name: string, handler: (ctx: ActionContext) => ActionResult | Promise<ActionResult>): void;
  queueJobStatuses(jobPath: string, statuses: string[]): void;
  /** Statuses successive GETs of the next batch job (created by a batch endpoint invocation) go through. */
  queueBatchJobStatuses(statuses: string[]): void;
  /** The scoring URI this server answers batch invocations on for a batch endpoint's ARM path. */
  batchScoringUri(endpointPath: string): string;
  /** The child runs (steps) successive run-history GETs answer for a run; the last snapshot repeats. */
  queueChildRuns(workspacePath: string, runId: string, snapshots: ChildRunSeed[][]): void;
  /** Stores a resource as a PUT would; `createdAt` (ISO) backdates it for `$orderBy` tests. */
  seed(path: string, body: Record<string, any>, createdAt?: string): any;
  seedWorkspace(args: SeedWorkspaceArgs): any;
  /** An Azure ML registry (what `machinelearningservices.Registry` creates), in `location`. */
  seedRegistry(args: { subscriptionId: string; resourceGroupName: string; registryName: string; location?: string }): any;
  registryPath(subscriptionId: string, resourceGroupName: string, registryName: string): string;
  /** Imports the registry performed (each one a service-side copy of a workspace model version). */
  registryImports: { registryPath: string; sourceAssetId: string; name: string; version: string }[];
  workspacePath(subscriptionId: string, resourceGroupName: string, workspaceName: string): string;
  get(path: string): any | undefined;
  list(collectionPath: string): any[];
  remove(path: string): boolean;
  /**
   * Calls `listener` for every request once its body has been read, before faults and the store; a
   * listener may call `stop()`, and the request then dies with the server (it never reaches the store).
   */
  onRequest(listener: (method: string, path: string) => void): void;
  /**
   * The host dies: stops listening (new connections are refused) and destroys every open connection,
   * including requests in flight. The store survives, as Azure's durable state survives the loss of a
   * front end; `start()` listens again on the same port, so `url` stays valid.
   */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A child run as the run history lists it (run-history.json #/definitions/Run, the fields we model). */
export interface ChildRunSeed {
  runId: string;
  displayName?: string;
  status: string;
  startTimeUtc?: string;
  endTimeUtc?: string;
  /** Error message of a failed run (Run.error: ErrorResponse). */
  error?: string;
}

const WRITE_METHODS = new Set(["PUT", "POST", "PATCH", "DELETE"]);
const LRO_ACTIONS = new Set(["cancel", "start", "stop", "restart", "import"]);
const ASSET_TYPES = new Set(["models", "components", "environments", "codes", "data"]);

interface Stored {
  path: string;
  seq: number;
  resource: any;
  /** Changes on every write: what `ETag` answers and `If-Match` must name. */
  etag: string;
}

interface Operation {
  pollsLeft: number;
  failed: boolean;
  apiVersion: string;
  resourceKey?: string;
  after?: () => void;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
/** JSON with keys sorted at every level: equal content, equal text. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(",")}]`
    : v && typeof v === "object"
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`
      : JSON.stringify(v);
const keyOf = (path: string) => path.replace(/\/+$/, "").toLowerCase();

function matches(pattern: RegExp | string | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === "string" ? path.toLowerCase().includes(pattern.toLowerCase()) : pattern.test(path);
}

/** Splits an ARM path into the part before `/providers/<ns>` and the alternating type/name rest. */
function parseArmPath(path: string): { prefix: string; namespace: string; rest: string[] } | undefined {
  const segs = path.split("/").filter(Boolean);
  const i = segs.findIndex((s) => s.toLowerCase() === "providers");
  if (i < 0 || i + 1 >= segs.length) return undefined;
  return { prefix: "/" + segs.slice(0, i).join("/"), namespace: segs[i + 1], rest: segs.slice(i + 2) };
}

function tagFilterMatches(filter: string, tags: Record<string, string> | undefined): boolean {
  return filter
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      const eq = term.indexOf("=");
      if (eq < 0) return tags !== undefined && term in tags;
      return tags?.[term.slice(0, eq)] === term.slice(eq + 1);
    });
}

export async function startAmlServer(options: AmlServerOptions = {}): Promise<AmlServer> {
  const tls = await createTestTls();
  const pageSize = options.pageSize ?? 100;
  const lroPolls = options.lroPolls ?? 1;
  const location = options.location ?? "westeurope";
  const store = new Map<string, Stored>();
  const operations = new Map<string, Operation>();
  const jobStatusQueues = new Map<string, string[]>();
  const batchJobStatuses: string[][] = [];
  /** Run history: snapshots of child runs by `<workspace path>|<run id>`, and each child's parent. */
  const childRunQueues = new Map<string, ChildRunSeed[][]>();
  const childRunParents = new Map<string, string>();
  const faults: (Fault & { left: number })[] = [];
  const actions = new Map<string, (ctx: ActionContext) => ActionResult | Promise<ActionResult>>();
  const requests: RecordedRequest[] = [];
  let seq = 0;
  let url = "";

  const now = () => new Date().toISOString();
  const newEtag = () => `"${randomUUID()}"`;

  function put(path: string, body: Record<string, any>, systemDataOverride?: Record<string, unknown>): { resource: any; created: boolean } {
    const parsed = parseArmPath(path);
    const key = keyOf(path);
    const existing = store.get(key);
    const segs = path.split("/").filter(Boolean);
    const name = segs[segs.length - 1];
    const types = parsed ? parsed.rest.filter((_, i) => i % 2 === 0) : [];
    const type = parsed ? [parsed.namespace, ...types].join("/") : "";
    const stamp = now();
    const resource = {
      ...clone(body),
      id: existing?.resource.id ?? path.replace(/\/+$/, ""),
      name,
      type,
      systemData: {
        createdAt: existing?.resource.systemData?.createdAt ?? stamp,
        createdBy: existing?.resource.systemData?.createdBy ?? "test@example.com",
        createdByType: "User",
        lastModifiedAt: stamp,
        lastModifiedBy: "test@example.com",
        lastModifiedByType: "User",
        ...systemDataOverride,
      },
    };
    store.set(key, { path: resource.id, seq: existing?.seq ?? ++seq, resource, etag: newEtag() });
    if (parsed && parsed.rest.length >= 4) {
      const kind = parsed.rest[parsed.rest.length - 4]?.toLowerCase();
      const versions = parsed.rest[parsed.rest.length - 2]?.toLowerCase();
      if (ASSET_TYPES.has(kind) && versions === "versions") touchContainer(path, name);
    }
    return { resource: clone(resource), created: !existing };
  }

  function touchContainer(versionPath: string, version: string): void {
    const containerPath = versionPath.replace(/\/versions\/[^/]+\/?$/i, "");
    const container = store.get(keyOf(containerPath));
    const props = { ...(container?.resource.properties ?? { isArchived: false, tags: {}, properties: {} }) };
    props.latestVersion = version;
    const numeric = Number(version);
    if (Number.isInteger(numeric)) props.nextVersion = String(Math.max(numeric + 1, Number(props.nextVersion ?? 0)));
    put(containerPath, { properties: props });
  }

  function childrenOf(collectionPath: string): Stored[] {
    const prefix = keyOf(collectionPath) + "/";
    const depth = keyOf(collectionPath).split("/").length + 1;
    return [...store.entries()]
      .filter(([k]) => k.startsWith(prefix) && k.split("/").length === depth)
      .map(([, v]) => v);
  }

  /** The nearest missing ancestor resource (asset containers excepted: a version PUT creates them). */
  function missingParent(path: string): string | undefined {
    const parsed = parseArmPath(path);
    if (!parsed || parsed.rest.length <= 2) return undefined;
    const base = `${parsed.prefix}/providers/${parsed.namespace}`;
    for (let n = 2; n < parsed.rest.length; n += 2) {
      const ancestor = `${base}/${parsed.rest.slice(0, n).join("/")}`;
      const isAssetContainer = ASSET_TYPES.has(parsed.rest[n - 2].toLowerCase()) && parsed.rest[n]?.toLowerCase() === "versions";
      if (!isAssetContainer && !store.has(keyOf(ancestor))) return ancestor;
    }
    return undefined;
  }

  function notFound(path: string): HttpError {
    const parsed = parseArmPath(path);
    const belowWorkspace = parsed !== undefined && parsed.rest.length > 2;
    const segs = path.split("/").filter(Boolean);
    return belowWorkspace
      ? new HttpError(404, "UserError", `${segs[segs.length - 2]} '${segs[segs.length - 1]}' could not be found.`)
      : new HttpError(404, "ResourceNotFound", `The Resource '${parsed ? `${parsed.namespace}/${parsed.rest.join("/")}` : path}' was not found.`);
  }

  function isLro(path: string, method: string): boolean {
    const parsed = parseArmPath(path);
    if (!parsed || parsed.rest.length < 2 || parsed.rest.length % 2 !== 0) return false;
    const resolved = typeOf(parsed.namespace, parsed.rest.filter((_, i) => i % 2 === 0));
    return (resolved?.rule.lro ?? []).includes(method);
  }

  function startOperation(op: Operation): { asyncUrl: string; locationUrl: string } {
    const id = randomUUID();
    operations.set(id, op);
    const base = `${url}/subscriptions/00000000-0000-0000-0000-000000000000/providers/${ML_NAMESPACE}/locations/${location}`;
    return {
      asyncUrl: `${base}/mfeOperationsStatus/${id}?api-version=${op.apiVersion}`,
      locationUrl: `${base}/mfeOperationResults/${id}?api-version=${op.apiVersion}`,
    };
  }

  function listCollection(path: string, query: Record<string, string>): { value: any[]; nextLink?: string } {
    let items = childrenOf(path);
    const view = (query.listViewType ?? "ActiveOnly").toLowerCase();
    if (view === "activeonly") items = items.filter((s) => s.resource.properties?.isArchived !== true);
    if (view === "archivedonly") items = items.filter((s) => s.resource.properties?.isArchived === true);
    const tagFilter = query.tags ?? query.$tags;
    if (tagFilter) items = items.filter((s) => tagFilterMatches(tagFilter, s.resource.properties?.tags ?? s.resource.tags));
    if (query.properties) items = items.filter((s) => tagFilterMatches(query.properties, s.resource.properties?.properties));
    if (query.version) items = items.filter((s) => s.resource.name === query.version);
    items.sort((a, b) => a.seq - b.seq);
    const orderBy = (query.$orderBy ?? query.orderBy ?? "").trim().toLowerCase();
    const m = /^(createdtime|createdat|createdattime)(\s+(asc|desc))?$/.exec(orderBy);
    if (m) {
      const dir = m[3] === "desc" ? -1 : 1;
      items.sort((a, b) => {
        const t = Date.parse(a.resource.systemData.createdAt) - Date.parse(b.resource.systemData.createdAt);
        return dir * (t !== 0 ? t : a.seq - b.seq);
      });
    }
    if (query.$top) items = items.slice(0, Math.max(0, Number(query.$top)));
    const skip = Number(query.$skip ?? 0) || 0;
    const page = items.slice(skip, skip + pageSize);
    let nextLink: string | undefined;
    if (skip + pageSize < items.length) {
      const next = new URLSearchParams(query);
      next.set("$skip", String(skip + pageSize));
      nextLink = `${url}${path}?${next.toString()}`;
    }
    return { value: page.map((s) => clone(s.resource)), ...(nextLink ? { nextLink } : {}) };
  }

  function isAssetVersion(path: string): boolean {
    const parsed = parseArmPath(path);
    if (!parsed || parsed.rest.length < 4) return false;
    return ASSET_TYPES.has(parsed.rest[parsed.rest.length - 4].toLowerCase()) && parsed.rest[parsed.rest.length - 2].toLowerCase() === "versions";
  }

  function checkVersionImmutable(path: string, existing: any, body: any): void {
    if (!isAssetVersion(path)) return;
    const kind = parseArmPath(path)!.rest.slice(-4)[0].toLowerCase();
    const mutable = new Set([...contract.assets.mutableVersionProperties, "provisioningState"]);
    const strip = (p: Record<string, unknown> | undefined) =>
      canonical(Object.fromEntries(Object.entries(p ?? {}).filter(([k]) => !mutable.has(k))));
    if (strip(existing.properties) !== strip(body.properties)) {
      throw new HttpError(409, "UserError", `${kind} version '${existing.name}' already exists with different content; asset versions are immutable.`);
    }
  }

  /** The workspace path an ARM id or `azureml:` reference points into, and the resource path. */
  function armRef(ref: unknown): string | undefined {
    if (typeof ref !== "string") return undefined;
    const m = /^(?:azureml:)?(\/subscriptions\/.+)$/i.exec(ref);
    return m ? m[1] : undefined;
  }

  /**
   * `azureml://registries/<r>/models/<n>/versions/<v>` → the registry version's ARM path (registries are
   * found by name: registry names are unique per tenant, docs 'Manage Azure ML registries').
   */
  function registryAssetPath(uri: unknown): string | undefined {
    const m = typeof uri === "string" ? /^azureml:\/\/registries\/([^/]+)\/(models|data|environments|components)\/([^/]+)\/versions\/([^/]+)$/i.exec(uri) : null;
    if (!m) return undefined;
    const registry = [...store.values()].find((v) => /\/registries\/[^/]+$/i.test(v.path) && v.resource.name.toLowerCase() === m[1].toLowerCase());
    return registry ? `${registry.path}/${m[2]}/${m[3]}/versions/${m[4]}` : `/registries/${m[1]}/${m[2]}/${m[3]}/versions/${m[4]}`;
  }

  /** Problems with references a body makes to other resources (they must exist), all at once. */
  function referenceProblems(kinds: TypeContract["references"], path: string, body: any): string[] {
    const problems: string[] = [];
    const mustExist = (label: string, ref: unknown) => {
      const p = armRef(ref);
      if (p && !store.has(keyOf(p))) problems.push(`${label} '${ref}' does not exist`);
    };
    const wsPath = path.replace(/^(.*\/workspaces\/[^/]+).*$/i, "$1");
    for (const kind of kinds ?? []) {
      if (kind === "componentAssets") {
        const spec = body.properties?.componentSpec ?? {};
        mustExist("componentSpec.code", spec.code);
        mustExist("componentSpec.environment", spec.environment);
        mustExist("componentSpec.task.code", spec.task?.code);
        mustExist("componentSpec.task.environment", spec.task?.environment);
        for (const [node, job] of Object.entries<any>(spec.jobs ?? {})) mustExist(`componentSpec.jobs.${node}.componentId`, job?.componentId);
      }
      if (kind === "pipelineJobComponents") {
        for (const [node, job] of Object.entries<any>(body.properties?.jobs ?? {})) mustExist(`jobs.${node}.componentId`, job?.componentId);
        mustExist("componentId", body.properties?.componentId);
      }
      if (kind === "jobInputs") {
        for (const [name, input] of Object.entries<any>(body.properties?.inputs ?? {})) {
          if (!input || typeof input !== "object") continue;
          if (input.jobInputType === "literal" && typeof input.value !== "string") problems.push(`'inputs.${name}.value' is required for a literal input`);
          if (input.jobInputType && input.jobInputType !== "literal") {
            if (typeof input.uri !== "string" || !input.uri) problems.push(`'inputs.${name}.uri' is required for a ${input.jobInputType} input`);
            else {
              mustExist(`inputs.${name}.uri`, input.uri);
              const reg = registryAssetPath(input.uri);
              if (reg && !store.has(keyOf(reg))) problems.push(`inputs.${name}.uri '${input.uri}' names a registry asset that does not exist`);
            }
          }
        }
      }
      if (kind === "modelUriDatastore") {
        const uri = String(body.properties?.modelUri ?? "");
        const short = /^azureml:\/\/datastores\/([^/]+)\/paths\//i.exec(uri);
        const long = /^azureml:\/\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\//i.exec(uri);
        const ds = short
          ? `${wsPath}/datastores/${short[1]}`
          : long
            ? `/subscriptions/${long[1]}/resourceGroups/${long[2]}/providers/${ML_NAMESPACE}/workspaces/${long[3]}/datastores/${long[4]}`
            : undefined;
        if (ds && !store.has(keyOf(ds))) problems.push(`modelUri '${uri}' names datastore '${ds.split("/").pop()}', which does not exist`);
      }
      if (kind === "traffic") {
        const traffic = body.properties?.traffic;
        if (traffic && typeof traffic === "object") {
          const deployments = new Set(childrenOf(`${path}/deployments`).map((d) => String(d.resource.name).toLowerCase()));
          let total = 0;
          for (const [d, v] of Object.entries(traffic)) {
            if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100) problems.push(`traffic '${d}' must be an integer 0–100 (found ${JSON.stringify(v)})`);
            else total += v as number;
            if (!deployments.has(d.toLowerCase())) problems.push(`traffic names deployment '${d}', which does not exist under the endpoint`);
          }
          if (total !== 0 && total !== 100) problems.push(`traffic must add up to 100 or 0 (found ${total})`);
        }
      }
    }
    return problems;
  }

  /** ARM's rules every request meets before the resource provider sees it. */
  function checkArm(req: IncomingMessage, path: string, query: Record<string, string>): { resolved?: ResolvedType; parsed?: ReturnType<typeof parseArmPath> } {
    const problem = checkBearer(req.headers.authorization, [...contract.arm.audiences, url]);
    if (problem) throw new HttpError(401, problem.code, problem.message, { "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"` });
    const apiVersion = query["api-version"];
    if (!apiVersion) throw new HttpError(contract.arm.missingApiVersion.status, contract.arm.missingApiVersion.code, "The api-version query parameter (?api-version=) is required for all requests.");
    const parsed = parseArmPath(path);
    if (!parsed) return {};
    const ns = namespaceOf(parsed.namespace);
    if (!ns) throw new HttpError(contract.arm.unknownNamespace.status, contract.arm.unknownNamespace.code, `The resource namespace '${parsed.namespace}' is invalid.`);
    const typeSegments = parsed.rest.filter((_, i) => i % 2 === 0);
    if (typeSegments[0]?.toLowerCase() === "locations") {
      if (!ns.ns.apiVersions.includes(apiVersion)) throw unknownApiVersion(ns.name, "locations", apiVersion, ns.ns.apiVersions);
      return { parsed };
    }
    // A POST action's last segment is the action, not a type.
    const isAction = parsed.rest.length % 2 === 1 && parsed.rest.length > 1;
    const resolved = typeOf(parsed.namespace, isAction ? typeSegments.slice(0, -1) : typeSegments);
    if (!resolved) throw new HttpError(contract.arm.unknownType.status, contract.arm.unknownType.code, `The resource type '${typeSegments.join("/")}' could not be found in the namespace '${ns.name}' for api version '${apiVersion}'.`);
    if (!resolved.apiVersions.includes(apiVersion)) throw unknownApiVersion(ns.name, resolved.typeKey, apiVersion, resolved.apiVersions);
    return { resolved, parsed };
  }

  function unknownApiVersion(ns: string, type: string, apiVersion: string, supported: string[]): HttpError {
    const { status, code } = contract.arm.unknownApiVersion;
    return new HttpError(status, code, `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}' in '${ns}'. The supported api-versions are '${supported.join(", ")}'.`);
  }

  /** Every name segment of a path, checked against its type's rule (ARM validates path parameters). */
  function nameProblems(parsed: NonNullable<ReturnType<typeof parseArmPath>>): string[] {
    const problems: string[] = [];
    for (let i = 1; i < parsed.rest.length; i += 2) {
      const resolved = typeOf(parsed.namespace, parsed.rest.filter((_, j) => j % 2 === 0 && j < i));
      const rule = resolved ? nameRuleOf(resolved.rule) : undefined;
      if (rule && !new RegExp(rule.pattern).test(parsed.rest[i])) {
        problems.push(`${resolved!.typeKey} name '${parsed.rest[i]}' does not match ${rule.pattern} (${rule.source})`);
      }
    }
    return problems;
  }

  function checkPreconditions(req: IncomingMessage, key: string): void {
    const stored = store.get(key);
    const ifMatch = req.headers["if-match"];
    const ifNoneMatch = req.headers["if-none-match"];
    if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== stored?.etag) {
      throw new HttpError(412, "PreconditionFailed", `The If-Match ETag ${ifMatch} does not match the resource's current ETag${stored ? ` ${stored.etag}` : " (the resource does not exist)"}.`);
    }
    if (ifMatch === "*" && !stored) throw new HttpError(412, "PreconditionFailed", "If-Match: * and the resource does not exist.");
    if (ifNoneMatch === "*" && stored) throw new HttpError(412, "PreconditionFailed", "If-None-Match: * and the resource already exists.");
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const u = new URL(req.url ?? "/", url);
    const path = decodeURIComponent(u.pathname);
    const query = Object.fromEntries(u.searchParams.entries());
    const method = (req.method ?? "GET").toUpperCase();
    if (isBatchInvocation(path)) return batchInvocation(req, path, method, rawBody);
    if (/^\/history\//i.test(path)) return handleRunHistory(req, method, path, query);
    const { resolved } = checkArm(req, path, query);
    const apiVersion = query["api-version"];
    let body: any;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new HttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
      }
    }

    const op = /\/locations\/[^/]+\/(mfeOperationsStatus|mfeOperationResults)\/([^/]+)$/i.exec(path);
    if (op && method === "GET") {
      const operation = operations.get(op[2]);
      if (!operation) throw new HttpError(404, "ResourceNotFound", `Operation '${op[2]}' not found.`);
      const inProgress = operation.pollsLeft > 0;
      if (inProgress) operation.pollsLeft--;
      else if (operation.after) {
        operation.after();
        operation.after = undefined;
      }
      if (op[1].toLowerCase() === "mfeoperationresults") {
        if (inProgress) return { status: 202, headers: { Location: `${url}${path}?api-version=${apiVersion}` } };
        return operation.failed ? { status: 400, body: { error: { code: "OperationFailed", message: "The operation failed (injected)." } } } : { status: 204 };
      }
      const status = inProgress ? "InProgress" : operation.failed ? "Failed" : "Succeeded";
      return {
        status: 200,
        body: {
          id: path,
          name: op[2],
          status,
          ...(status === "Failed" ? { error: { code: "InternalServerError", message: "The operation failed (injected)." } } : {}),
        },
      };
    }

    const parsed = parseArmPath(path);
    if (!parsed || parsed.rest.length === 0) throw new HttpError(404, "NotFound", `No route for ${method} ${path}.`);
    const isResource = parsed.rest.length % 2 === 0;
    const lroFault = takeFault(method, path, "lroFailure") !== undefined;

    if (!isResource && method === "POST") {
      const action = parsed.rest[parsed.rest.length - 1];
      const resourcePath = path.replace(/\/[^/]+\/?$/, "");
      const handler = actions.get(action.toLowerCase());
      if (!handler) throw new HttpError(404, "NotFound", `No handler for action '${action}'.`);
      const stored = store.get(keyOf(resourcePath));
      const result = await handler({ resourcePath, resource: stored ? clone(stored.resource) : undefined, body, query, server });
      if (LRO_ACTIONS.has(action.toLowerCase()) && result.status < 300) {
        // The operation status lives in the ARM namespace, even for a data-plane action (registry import).
        const mlVersions = contract.namespaces[ML_NAMESPACE].apiVersions;
        const opVersion = mlVersions.includes(apiVersion) ? apiVersion : mlVersions[mlVersions.length - 1];
        const { asyncUrl, locationUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault, apiVersion: opVersion });
        return { status: 202, headers: { "Azure-AsyncOperation": asyncUrl, Location: locationUrl, ...result.headers } };
      }
      return result;
    }

    if (!isResource) {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on a collection.`);
      return { status: 200, body: listCollection(path, query) };
    }

    const key = keyOf(path);
    const type = parsed.rest[parsed.rest.length - 2].toLowerCase();
    const rule = resolved!.rule;
    switch (method) {
      case "GET": {
        const stored = store.get(key);
        if (!stored) throw notFound(path);
        const queued = jobStatusQueues.get(key);
        if (type === "jobs" && queued?.length) {
          stored.resource.properties = { ...stored.resource.properties, status: queued.shift() };
        }
        return { status: 200, body: clone(stored.resource), headers: { ETag: stored.etag } };
      }
      case "PUT":
      case "PATCH": {
        const badNames = nameProblems(parsed);
        if (badNames.length) throw new HttpError(400, "UserError", badNames.join("; "));
        const missing = missingParent(path);
        if (missing) throw new HttpError(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${missing}' not found.`);
        checkPreconditions(req, key);
        const refusal = servingContractRefusal(method, path, body, (p) => store.get(keyOf(p))?.resource);
        if (refusal) throw new HttpError(refusal.status, refusal.code, refusal.message);
        const existingStored = store.get(key);
        const existing = existingStored?.resource;
        if (existing && /^(Creating|Updating|Deleting)$/.test(String(existing.properties?.provisioningState ?? "")) && isLro(path, method)) {
          throw new HttpError(409, "Conflict", `The resource is busy (${existing.properties.provisioningState}); wait for its operation to finish.`);
        }
        let next: any;
        if (method === "PATCH") {
          if (!existing) throw notFound(path);
          const patch = withoutReadOnly(rule, body ?? {});
          next = {
            ...existing,
            ...(patch?.tags ? { tags: { ...existing.tags, ...patch.tags } } : {}),
            ...(patch?.sku ? { sku: patch.sku } : {}),
            ...(patch?.identity ? { identity: patch.identity } : {}),
            properties: { ...existing.properties, ...(patch?.properties ?? {}) },
          };
        } else {
          const problems = bodyProblems(rule, body);
          if (problems.length) throw new HttpError(400, "UserError", `Invalid ${resolved!.typeKey} body (${resolved!.rule.spec}): ${problems.join("; ")}`);
          next = withoutReadOnly(rule, body);
          if (isAssetVersion(path)) next.properties = { isAnonymous: false, isArchived: false, ...next.properties };
          if (existing) checkVersionImmutable(path, existing, next);
          next = withComputedServingProperties(path, existing, next);
          if (type === "jobs") next.properties.status = existing?.properties?.status ?? options.jobStatusOnCreate ?? "Starting";
        }
        // A PATCH is checked for what it sends (a tags-only PATCH does not re-validate stored properties).
        const refs = referenceProblems(rule.references, path, method === "PATCH" ? { ...(body ?? {}), properties: body?.properties ?? {} } : next);
        if (refs.length) throw new HttpError(400, "UserError", refs.join("; "));
        const lro = isLro(path, method);
        const created = !existing;
        if (lro) next.properties = { ...next.properties, provisioningState: created ? "Creating" : "Updating" };
        const { resource } = put(path, next);
        const etag = store.get(key)!.etag;
        if (lro) {
          // The resource shows Creating/Updating until a client polls the operation to its end.
          const finish = () => {
            const s = store.get(key);
            if (s) s.resource.properties = { ...s.resource.properties, provisioningState: lroFault ? "Failed" : "Succeeded" };
          };
          const { asyncUrl, locationUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault, apiVersion, after: finish });
          if (method === "PATCH") return { status: 202, headers: { Location: locationUrl, "Azure-AsyncOperation": asyncUrl } };
          return { status: created ? 201 : 200, body: resource, headers: { "Azure-AsyncOperation": asyncUrl, ETag: etag } };
        }
        return { status: created ? 201 : 200, body: resource, headers: { ETag: etag } };
      }
      case "DELETE": {
        const existed = store.has(key);
        if (existed) checkPreconditions(req, key);
        if (existed && isAssetVersion(path) && rule.version?.deletable === false) {
          throw new HttpError(400, "UserError", `${type} versions cannot be deleted; archive the version instead (set properties.isArchived).`);
        }
        if (existed && rule.container && childrenOf(`${path}/versions`).length > 0) {
          throw new HttpError(409, "UserError", `${type} container '${parsed.rest.at(-1)}' still holds versions; it cannot be deleted.`);
        }
        if (existed && rule.deleteRule === "noTraffic") {
          const endpoint = store.get(keyOf(path.replace(/\/deployments\/[^/]+$/i, "")));
          const share = Object.entries<number>(endpoint?.resource.properties?.traffic ?? {}).find(([d]) => d.toLowerCase() === String(parsed.rest.at(-1)).toLowerCase())?.[1] ?? 0;
          if (share > 0) throw new HttpError(400, "UserError", `Deployment '${parsed.rest.at(-1)}' takes ${share}% of the endpoint's traffic; set it to 0 before deleting the deployment.`);
        }
        const lro = isLro(path, method);
        const removeTree = () => {
          for (const k of [...store.keys()]) if (k === key || k.startsWith(key + "/")) store.delete(k);
        };
        if (lro && existed) {
          const stored = store.get(key)!;
          stored.resource.properties = { ...stored.resource.properties, provisioningState: "Deleting" };
          const { asyncUrl, locationUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault, apiVersion, after: lroFault ? undefined : removeTree });
          return { status: 202, headers: { "Azure-AsyncOperation": asyncUrl, Location: locationUrl } };
        }
        removeTree();
        return { status: existed ? 200 : 204 };
      }
      default:
        throw new HttpError(405, "MethodNotAllowed", `${method} is not supported.`);
    }
  }

  /** A batch endpoint's scoring URI: the data plane, with its own audience (`batchInvokeContract.ts`). */
  function batchInvocation(req: IncomingMessage, path: string, method: string, rawBody: string): { status: number; body?: unknown; headers?: Record<string, string> } {
    const problem = checkBearer(req.headers.authorization, [BATCH_INVOKE_AUDIENCE]);
    if (problem) throw new HttpError(401, problem.code, problem.message);
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      throw new HttpError(400, "UserError", "The request body is not valid JSON.");
    }
    try {
      return invokeBatchEndpoint({
        path,
        method,
        deploymentHeader: req.headers["azureml-model-deployment"] as string | undefined,
        body,
        lookup: (p) => clone(store.get(keyOf(p))?.resource),
        storeJob: (p, job) => {
          put(p, job);
          const statuses = batchJobStatuses.shift();
          if (statuses) jobStatusQueues.set(keyOf(p), statuses);
        },
        jobStatusOnCreate: "Queued",
      });
    } catch (err) {
      if (err instanceof BatchRefusal) throw new HttpError(err.status, err.code, err.message);
      throw err;
    }
  }

  /** The experiment a run belongs to: a job's `experimentName`, or its parent's for a child run. */
  function experimentOfRun(wsPath: string, runId: string, depth = 0): string | undefined {
    const job = store.get(keyOf(`${wsPath}/jobs/${runId}`));
    if (job) return String(job.resource.properties?.experimentName ?? "Default");
    const parent = childRunParents.get(`${keyOf(wsPath)}|${runId.toLowerCase()}`);
    return parent && depth < 10 ? experimentOfRun(wsPath, parent, depth + 1) : undefined;
  }

  /** Runs_GetChildByExperimentName of the run history data plane (contract.runHistory). */
  function handleRunHistory(req: IncomingMessage, method: string, path: string, query: Record<string, string>): { status: number; body?: unknown } {
    const rh = contract.runHistory;
    const problem = checkBearer(req.headers.authorization, rh.audiences);
    if (problem) throw new HttpError(401, problem.code, problem.message, { "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"` });
    if (!query["api-version"]) throw new HttpError(rh.missingApiVersion.status, rh.missingApiVersion.code, "The api-version query parameter is required.");
    const m = /^\/history\/v1\.0\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/experiments\/([^/]+)\/runs\/([^/]+)\/children$/i.exec(path);
    if (!m || method !== "GET") throw new HttpError(404, "NotFound", `No route for ${method} ${path}.`);
    const [, sub, rg, wsName, experiment, runId] = m;
    const wsPath = workspacePath(sub, rg, wsName);
    if (!store.has(keyOf(wsPath))) throw new HttpError(rh.notFound.status, rh.notFound.code, `Workspace '${wsName}' was not found.`);
    const runExperiment = experimentOfRun(wsPath, runId);
    if (runExperiment === undefined || runExperiment.toLowerCase() !== experiment.toLowerCase()) {
      throw new HttpError(rh.notFound.status, rh.notFound.code, `Run '${runId}' was not found in experiment '${experiment}'.`);
    }
    const queue = childRunQueues.get(`${keyOf(wsPath)}|${runId.toLowerCase()}`);
    const snapshot = (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? [];
    const children = snapshot.map((c) => ({
      runId: c.runId,
      parentRunId: runId,
      displayName: c.displayName ?? c.runId,
      name: c.displayName ?? c.runId,
      status: c.status,
      ...(c.startTimeUtc ? { startTimeUtc: c.startTimeUtc } : {}),
      ...(c.endTimeUtc ? { endTimeUtc: c.endTimeUtc } : {}),
      ...(c.error ? { error: { error: { code: "UserError", message: c.error } } } : {}),
    }));
    const start = Math.max(0, Number(query.$continuationtoken ?? 0) || 0);
    const end = start + pageSize;
    const next = end < children.length ? String(end) : undefined;
    return {
      status: 200,
      body: {
        value: children.slice(start, end),
        ...(next ? { continuationToken: next, nextLink: `${url}${path}?api-version=${encodeURIComponent(query["api-version"])}&$continuationtoken=${next}` } : {}),
      },
    };
  }

  /** Consumes one queued fault for this request: an `lroFailure` when `lro`, any other kind otherwise. */
  function takeFault(method: string, path: string, lro?: "lroFailure"): Fault | undefined {
    const f = faults.find(
      (x) => x.left > 0 && (!x.method || x.method.toUpperCase() === method) && matches(x.path, path) && (x.kind === "lroFailure") === (lro !== undefined),
    );
    if (f) f.left--;
    return f;
  }

  const server_ = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const u = new URL(req.url ?? "/", url);
      const path = decodeURIComponent(u.pathname);
      const method = (req.method ?? "GET").toUpperCase();
      let parsedBody: unknown = rawBody;
      try {
        parsedBody = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        /* recorded raw */
      }
      const record: RecordedRequest = {
        method,
        path,
        query: Object.fromEntries(u.searchParams.entries()),
        body: parsedBody,
        headers: {
          authorization: req.headers.authorization,
          "content-type": req.headers["content-type"],
          "user-agent": req.headers["user-agent"],
          "x-ms-client-request-id": req.headers["x-ms-client-request-id"] as string | undefined,
          "if-match": req.headers["if-match"],
          "if-none-match": req.headers["if-none-match"] as string | undefined,
        },
        status: 0,
      };
      requests.push(record);
      for (const listener of requestListeners) listener(method, path);
      if (!server_.listening) {
        req.socket.destroy();
        return;
      }
      const fault = takeFault(method, path);
      const delay = fault?.kind === "slow" ? fault.delayMs ?? 1000 : 0;
      if (fault?.kind === "slow") record.fault = "slow";
      if (fault && fault.kind !== "slow") {
        record.fault = fault.kind;
        if (fault.kind === "reset") {
          req.socket.destroy();
          return;
        }
        const status = fault.kind === "throttle" ? 429 : fault.kind === "unavailable" ? 503 : fault.status ?? 500;
        const code = fault.kind === "throttle" ? "TooManyRequests" : fault.kind === "unavailable" ? "ServiceUnavailable" : fault.code ?? "InternalServerError";
        record.status = status;
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (fault.kind === "throttle" || fault.kind === "unavailable") headers["retry-after"] = String(fault.retryAfterSeconds ?? 1);
        res.writeHead(status, headers).end(JSON.stringify({ error: { code, message: `Injected ${fault.kind} fault.` } }));
        return;
      }
      const served = delay > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => handle(req, res, rawBody)) : handle(req, res, rawBody);
      served.then(
        ({ status, body, headers }) => {
          record.status = status;
          const h: Record<string, string> = { "x-ms-request-id": randomUUID(), ...headers };
          if (body !== undefined) h["content-type"] = "application/json; charset=utf-8";
          res.writeHead(status, h).end(body === undefined ? undefined : JSON.stringify(body));
        },
        (err: unknown) => {
          const e = err instanceof HttpError ? err : new HttpError(500, "InternalServerError", String((err as Error)?.message ?? err));
          record.status = e.status;
          res.writeHead(e.status, { "content-type": "application/json; charset=utf-8", "x-ms-request-id": randomUUID(), ...e.headers });
          res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
        },
      );
    });
  });
  const sockets = new Set<import("node:net").Socket>();
  // Raw connections too (a TLS handshake in progress), so `stop()` leaves none half-open.
  for (const event of ["connection", "secureConnection"]) {
    server_.on(event, (s: import("node:net").Socket) => {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
  }
  const requestListeners: ((method: string, path: string) => void)[] = [];

  await new Promise<void>((resolve, reject) => {
    server_.once("error", reject);
    server_.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server_.address() as AddressInfo).port;
  url = `https://127.0.0.1:${port}`;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server_.listening) return resolve();
      server_.close(() => resolve());
    });

  actions.set("cancel", ({ resourcePath, resource }) => {
    if (!resource) throw notFound(resourcePath);
    const stored = store.get(keyOf(resourcePath))!;
    stored.resource.properties = { ...stored.resource.properties, status: "Canceled" };
    jobStatusQueues.delete(keyOf(resourcePath));
    return { status: 202 };
  });
  const registryImports: AmlServer["registryImports"] = [];
  // Share a workspace model version into a registry (contract: `registries`, importSource).
  actions.set("import", async ({ resourcePath, resource, body }) => {
    if (!/\/registries\/[^/]+$/i.test(resourcePath)) throw new HttpError(404, "NotFound", "No handler for action 'import' here.");
    if (!resource) throw notFound(resourcePath);
    const p = body?.properties ?? {};
    const problems: string[] = [];
    const nameRule = nameRuleOf({ spec: "", name: { ref: "assetName" } })!;
    const versionRule = nameRuleOf({ spec: "", name: { ref: "version" } })!;
    if (typeof p.destinationName !== "string" || !new RegExp(nameRule.pattern).test(p.destinationName)) problems.push(`'properties.destinationName' must match ${nameRule.pattern}`);
    if (typeof p.destinationVersion !== "string" || !new RegExp(versionRule.pattern).test(p.destinationVersion)) problems.push(`'properties.destinationVersion' must match ${versionRule.pattern}`);
    const src = typeof p.sourceAssetId === "string" ? /^azureml:\/\/locations\/([^/]+)\/workspaces\/([^/]+)\/(models)\/([^/]+)\/versions\/([^/]+)$/i.exec(p.sourceAssetId) : null;
    if (!src) problems.push("'properties.sourceAssetId' must be azureml://locations/<location>/workspaces/<workspace GUID>/models/<name>/versions/<version>");
    if (problems.length) throw new HttpError(400, "UserError", `Invalid import request: ${problems.join("; ")}`);
    const ws = [...store.values()].find((v) => /\/workspaces\/[^/]+$/i.test(v.path) && String(v.resource.properties?.workspaceId).toLowerCase() === src![2].toLowerCase());
    if (!ws || String(ws.resource.location).toLowerCase() !== src![1].toLowerCase()) {
      throw new HttpError(404, "UserError", `Source asset '${p.sourceAssetId}': no workspace ${src![2]} in ${src![1]}.`);
    }
    const sourcePath = `${ws.path}/models/${src![4]}/versions/${src![5]}`;
    const source = store.get(keyOf(sourcePath));
    if (!source) throw new HttpError(404, "UserError", `Source asset '${p.sourceAssetId}' could not be found.`);
    const dest = `${resourcePath}/models/${p.destinationName}/versions/${p.destinationVersion}`;
    if (store.has(keyOf(dest))) throw new HttpError(409, "UserError", `A model with name '${p.destinationName}' and version '${p.destinationVersion}' already exists in the registry.`);
    const registryName = resourcePath.split("/").pop()!;
    const modelUri = options.registryImport
      ? await options.registryImport({ registryPath: resourcePath, source: clone(source.resource), name: p.destinationName, version: p.destinationVersion })
      : `https://${registryName.replace(/[^a-z0-9]/gi, "").toLowerCase()}.blob.core.windows.net/${registryName}/models/${p.destinationName}/${p.destinationVersion}/`;
    const sp = source.resource.properties ?? {};
    put(dest, {
      properties: {
        modelUri,
        modelType: sp.modelType,
        description: sp.description,
        flavors: sp.flavors,
        tags: { ...(sp.tags ?? {}) },
        properties: { ...(sp.properties ?? {}) },
        isAnonymous: false,
        isArchived: false,
      },
    });
    registryImports.push({ registryPath: resourcePath, sourceAssetId: p.sourceAssetId, name: p.destinationName, version: p.destinationVersion });
    return { status: 202 };
  });
  if (options.pendingUpload) {
    const target = options.pendingUpload;
    actions.set("startpendingupload", ({ resourcePath, body }) => {
      const t = target(resourcePath, body);
      return {
        status: 200,
        body: {
          blobReferenceForConsumption: {
            blobUri: t.blobUri,
            storageAccountArmId: t.storageAccountArmId,
            credential: { credentialType: "SAS", sasUri: t.sasUri },
          },
          pendingUploadId: body?.pendingUploadId ?? randomUUID(),
          pendingUploadType: "TemporaryBlobReference",
        },
      };
    });
  }

  const credential: TokenCredential = testCredential();
  const clientOptions = { endpoint: url, additionalPolicies: tls.clientOptions.additionalPolicies };
  const filterBy = (methods: (m: string) => boolean, p?: RegExp | string) => requests.filter((r) => methods(r.method) && matches(p, r.path));

  const registryPath = (s: string, rg: string, r: string) => `/subscriptions/${s}/resourceGroups/${rg}/providers/${ML_NAMESPACE}/registries/${r}`;
  const workspacePath = (s: string, rg: string, ws: string) =>
    `/subscriptions/${s}/resourceGroups/${rg}/providers/${ML_NAMESPACE}/workspaces/${ws}`;

  const server: AmlServer = {
    url,
    tls,
    credential,
    clientOptions,
    client(subscriptionId) {
      const { AzureMachineLearningWorkspaces } = require("@azure/arm-machinelearning") as typeof import("@azure/arm-machinelearning");
      return new AzureMachineLearningWorkspaces(credential, subscriptionId, {
        ...clientOptions,
        retryOptions: { maxRetries: 4, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
      });
    },
    requests,
    writes: (p) => filterBy((m) => WRITE_METHODS.has(m), p),
    reads: (p) => filterBy((m) => m === "GET", p),
    clearRequests: () => void requests.splice(0, requests.length),
    inject: (fault) => void faults.push({ ...fault, left: fault.times ?? 1 }),
    pendingFaults: () => faults.reduce((n, f) => n + f.left, 0),
    onAction: (name, handler) => void actions.set(name.toLowerCase(), handler),
    queueJobStatuses: (jobPath, statuses) => void jobStatusQueues.set(keyOf(jobPath), [...statuses]),
    queueBatchJobStatuses: (statuses) => void batchJobStatuses.push([...statuses]),
    batchScoringUri: (endpointPath) => batchScoringUri(url, endpointPath),
    queueChildRuns(wsPath, runId, snapshots) {
      childRunQueues.set(`${keyOf(wsPath)}|${runId.toLowerCase()}`, snapshots.map((s) => s.map((c) => ({ ...c }))));
      for (const c of snapshots.flat()) childRunParents.set(`${keyOf(wsPath)}|${c.runId.toLowerCase()}`, runId);
    },
    seed: (path, body, createdAt) =>
      put(
        path,
        isAssetVersion(path) ? { ...body, properties: { isAnonymous: false, isArchived: false, ...body.properties } } : body,
        createdAt ? { createdAt } : undefined,
      ).resource,
    seedWorkspace(args) {
      const path = workspacePath(args.subscriptionId, args.resourceGroupName, args.workspaceName);
      const loc = args.location ?? location;
      const workspaceId = randomUUID();
      const storageId = args.storageAccountName
        ? `/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${args.storageAccountName}`
        : undefined;
      const ws = put(path, {
        location: loc,
        tags: args.tags ?? {},
        identity: { type: "SystemAssigned" },
        sku: { name: "Basic", tier: "Basic" },
        properties: {
          friendlyName: args.workspaceName,
          workspaceId,
          storageAccount: storageId,
          discoveryUrl: `https://${loc}.api.azureml.ms/discovery`,
          mlFlowTrackingUri: `azureml://${loc}.api.azureml.ms/mlflow/v1.0${path}`,
          provisioningState: "Succeeded",
          publicNetworkAccess: "Enabled",
          ...args.properties,
        },
      }).resource;
      if (args.storageAccountName) {
        const datastore = (name: string, containerName: string, isDefault: boolean) =>
          put(`${path}/datastores/${name}`, {
            properties: {
              datastoreType: "AzureBlob",
              accountName: args.storageAccountName,
              containerName,
              endpoint: "core.windows.net",
              protocol: "https",
              serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
              credentials: { credentialsType: "None" },
              isDefault,
              tags: {},
              properties: {},
            },
          });
        datastore("workspaceblobstore", args.blobContainerName ?? `azureml-blobstore-${workspaceId}`, true);
        datastore("workspaceartifactstore", "azureml", false);
      }
      return ws;
    },
    workspacePath,
    registryPath,
    registryImports,
    seedRegistry(args) {
      return put(registryPath(args.subscriptionId, args.resourceGroupName, args.registryName), {
        location: args.location ?? location,
        tags: {},
        identity: { type: "SystemAssigned" },
        properties: { discoveryUrl: `https://${args.location ?? location}.api.azureml.ms/registrymanagement/v1.0/registries/${args.registryName}/discovery`, publicNetworkAccess: "Disabled" },
      }).resource;
    },
    get: (path) => clone(store.get(keyOf(path))?.resource),
    list: (collectionPath) => childrenOf(collectionPath).sort((a, b) => a.seq - b.seq).map((s) => clone(s.resource)),
    remove: (path) => store.delete(keyOf(path)),
    onRequest: (listener) => void requestListeners.push(listener),
    stop: stopListening,
    start: () =>
      new Promise<void>((resolve, reject) => {
        if (server_.listening) return resolve();
        server_.once("error", reject);
        server_.listen(port, "127.0.0.1", () => {
          server_.off("error", reject);
          resolve();
        });
      }),
    close: async () => {
      tls.agent.destroy();
      await stopListening();
    },
  };
  return server;
}
