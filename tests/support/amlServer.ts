/**
 * A local HTTPS server that speaks the Azure Resource Manager surface of Azure Machine Learning
 * (api-version 2022-10-01, as pinned by `@azure/arm-machinelearning` 2.1.1) from an in-memory store.
 *
 * Start and point the real SDK at it:
 *
 *   const aml = await startAmlServer();
 *   const client = aml.client(subscriptionId);            // AzureMachineLearningWorkspaces, trusted TLS,
 *                                                         // fast retries, fake bearer credential
 *   // or build your own: new AzureMachineLearningWorkspaces(aml.credential, sub,
 *   //   { ...aml.clientOptions, retryOptions: {...} })   // clientOptions = { endpoint, additionalPolicies }
 *   aml.seedWorkspace({ subscriptionId, resourceGroupName, workspaceName, storageAccountName: "devstore" });
 *   ...
 *   await aml.close();
 *
 * Store (generic ARM semantics; every path below `/providers/<Namespace>/` alternates type/name):
 *   - PUT creates (201) or replaces (200); the stored body gains `id`, `name`, `type`, `systemData`.
 *     A PUT below a top-level resource whose top-level resource (e.g. the workspace) is missing → 404
 *     `ParentResourceNotFound`. An asset version PUT (`…/{models|components|environments|codes|data}/
 *     {name}/versions/{v}`) creates its container if missing, keeps the container's `latestVersion`
 *     current, defaults `isAnonymous`/`isArchived` to false as Azure does, and rejects a change to
 *     anything but `tags`, `description`, `isArchived`, `stage` (Azure asset versions are immutable)
 *     with 409 `UserError`.
 *   - PATCH merges `tags`/`properties` (shallow) into an existing resource.
 *   - GET returns the resource, or 404 `{ error: { code, message } }`: `UserError` below a
 *     workspace (what Azure ML answers for assets), `ResourceNotFound` otherwise.
 *   - DELETE answers 200 (204 when absent).
 *   - GET on a collection path lists direct children: `{ value, nextLink }`, `pageSize` items a page,
 *     `nextLink` carries `$skip`. Filters: `tags` / `$tags` (comma-separated `k=v` or `k`, all must
 *     match `properties.tags` or top-level `tags`), `properties` (same on `properties.properties`),
 *     `listViewType` (`ActiveOnly` default, `ArchivedOnly`, `All`, on `properties.isArchived`),
 *     `version`, `$orderBy` (`createdtime|createdAt asc|desc`), `$top` (total count).
 *   - `api-version` is required on every request (400 `MissingApiVersionParameter`), and an
 *     `Authorization: Bearer <anything>` header (401 `AuthenticationFailed`).
 *
 * Long-running operations: PUT/PATCH/DELETE on `workspaces`, `computes`, `onlineEndpoints`,
 * `batchEndpoints`, `deployments`, `schedules`, DELETE on `jobs`, and the POST actions `cancel`,
 * `start`, `stop`, `restart` answer 201/202 with `Azure-AsyncOperation` (and `Location` for DELETE and
 * actions) pointing at a status resource that reports `InProgress` `lroPolls` times, then `Succeeded`
 * (or `Failed` when a `lroFailure` fault matched). Clients should pass `updateIntervalInMs` (a few ms)
 * to `begin…AndWait`, since core-lro's default poll interval is 2 s.
 *
 * Jobs: a PUT job gets `properties.status = jobStatusOnCreate` ("Starting") unless the body sets it;
 * `queueJobStatuses(path, ["Running", "Completed"])` makes successive GETs advance through them;
 * POST `…/jobs/{id}/cancel` sets `Canceled`.
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
 * `reset` (socket destroyed before any response), `status` (any status with an ARM error body), and
 * `lroFailure` (the request succeeds but its long-running operation ends `Failed`). A faulted request
 * is recorded with `fault` set and never reaches the store.
 *
 * Recording: `requests` holds `{ method, path, query, body, headers, status, fault? }` for every
 * request (headers subset: authorization, content-type, user-agent, x-ms-client-request-id);
 * `writes()` (PUT/POST/PATCH/DELETE) and `reads()` (GET), both optionally filtered by a path
 * pattern; `clearRequests()`.
 *
 * Seeding and inspection (no request recorded): `seed(path, body, createdAt?)`, `seedWorkspace(…)`, `get(path)`,
 * `list(collectionPath)`, `remove(path)`, `workspacePath(sub, rg, ws)`.
 */
import * as https from "node:https";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenCredential } from "@azure/core-auth";
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import { createTestTls, TestTls } from "./tls";
import { servingContractRefusal, withComputedServingProperties } from "./servingContract";

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
}

export type FaultKind = "throttle" | "unavailable" | "reset" | "status" | "lroFailure";

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
  /** Any bearer token is accepted. */
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
  /** Stores a resource as a PUT would; `createdAt` (ISO) backdates it for `$orderBy` tests. */
  seed(path: string, body: Record<string, any>, createdAt?: string): any;
  seedWorkspace(args: SeedWorkspaceArgs): any;
  workspacePath(subscriptionId: string, resourceGroupName: string, workspaceName: string): string;
  get(path: string): any | undefined;
  list(collectionPath: string): any[];
  remove(path: string): boolean;
  close(): Promise<void>;
}

const WRITE_METHODS = new Set(["PUT", "POST", "PATCH", "DELETE"]);
const LRO_TYPES = new Set(["workspaces", "computes", "onlineendpoints", "batchendpoints", "deployments", "schedules"]);
const LRO_DELETE_ONLY_TYPES = new Set(["jobs"]);
const LRO_ACTIONS = new Set(["cancel", "start", "stop", "restart"]);
const ASSET_TYPES = new Set(["models", "components", "environments", "codes", "data"]);
const MUTABLE_VERSION_PROPERTIES = new Set(["tags", "description", "isArchived", "stage", "provisioningState"]);
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

interface Stored {
  path: string;
  seq: number;
  resource: any;
}

interface Operation {
  pollsLeft: number;
  failed: boolean;
  resourceKey?: string;
  after?: () => void;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
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
  const faults: (Fault & { left: number })[] = [];
  const actions = new Map<string, (ctx: ActionContext) => ActionResult | Promise<ActionResult>>();
  const requests: RecordedRequest[] = [];
  let seq = 0;
  let url = "";

  const now = () => new Date().toISOString();

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
    store.set(key, { path: resource.id, seq: existing?.seq ?? ++seq, resource });
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

  function workspaceAncestorMissing(path: string): string | undefined {
    const parsed = parseArmPath(path);
    if (!parsed || parsed.rest.length <= 2) return undefined;
    const top = `${parsed.prefix}/providers/${parsed.namespace}/${parsed.rest[0]}/${parsed.rest[1]}`;
    return store.has(keyOf(top)) ? undefined : top;
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
    const type = parsed.rest[parsed.rest.length - 2].toLowerCase();
    if (LRO_TYPES.has(type)) return method !== "GET";
    return method === "DELETE" && LRO_DELETE_ONLY_TYPES.has(type);
  }

  function startOperation(op: Operation): { asyncUrl: string; locationUrl: string } {
    const id = randomUUID();
    operations.set(id, op);
    const base = `${url}/subscriptions/00000000-0000-0000-0000-000000000000/providers/${ML_NAMESPACE}/locations/${location}`;
    return {
      asyncUrl: `${base}/mfeOperationsStatus/${id}?api-version=2022-10-01`,
      locationUrl: `${base}/mfeOperationResults/${id}?api-version=2022-10-01`,
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
    const strip = (p: Record<string, unknown> | undefined) =>
      JSON.stringify(Object.fromEntries(Object.entries(p ?? {}).filter(([k]) => !MUTABLE_VERSION_PROPERTIES.has(k)).sort(([a], [b]) => a.localeCompare(b))));
    if (strip(existing.properties) !== strip(body.properties)) {
      throw new HttpError(409, "UserError", `${kind} version '${existing.name}' already exists with different content; asset versions are immutable.`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const u = new URL(req.url ?? "/", url);
    const path = decodeURIComponent(u.pathname);
    const query = Object.fromEntries(u.searchParams.entries());
    const method = (req.method ?? "GET").toUpperCase();
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
      throw new HttpError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or not a bearer token.");
    }
    if (!query["api-version"]) {
      throw new HttpError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
    }
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
      if (op[1].toLowerCase() === "mfeoperationresults") return { status: inProgress ? 202 : 200, body: inProgress ? undefined : {} };
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
        const { asyncUrl, locationUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault });
        return { status: 202, headers: { "Azure-AsyncOperation": asyncUrl, Location: locationUrl, ...result.headers } };
      }
      return result;
    }

    if (!isResource) {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on a collection.`);
      return { status: 200, body: listCollection(path, query) };
    }

    const key = keyOf(path);
    const name = parsed.rest[parsed.rest.length - 1];
    const type = parsed.rest[parsed.rest.length - 2].toLowerCase();
    const refusal = servingContractRefusal(method, path, body, (p) => store.get(keyOf(p))?.resource);
    if (refusal) throw new HttpError(refusal.status, refusal.code, refusal.message);
    switch (method) {
      case "GET": {
        const stored = store.get(key);
        if (!stored) throw notFound(path);
        const queued = jobStatusQueues.get(key);
        if (type === "jobs" && queued?.length) {
          stored.resource.properties = { ...stored.resource.properties, status: queued.shift() };
        }
        return { status: 200, body: clone(stored.resource) };
      }
      case "PUT":
      case "PATCH": {
        if (!NAME_PATTERN.test(name)) throw new HttpError(400, "UserError", `Invalid name '${name}'.`);
        const missing = workspaceAncestorMissing(path);
        if (missing) throw new HttpError(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${missing}' not found.`);
        const existing = store.get(key)?.resource;
        let next: any;
        if (method === "PATCH") {
          if (!existing) throw notFound(path);
          next = {
            ...existing,
            ...(body?.tags ? { tags: { ...existing.tags, ...body.tags } } : {}),
            ...(body?.sku ? { sku: body.sku } : {}),
            ...(body?.identity ? { identity: body.identity } : {}),
            properties: { ...existing.properties, ...(body?.properties ?? {}) },
          };
        } else {
          if (!body || typeof body !== "object" || typeof body.properties !== "object" || body.properties === null) {
            throw new HttpError(400, "UserError", "The request body must be a JSON object with 'properties'.");
          }
          next = clone(body);
          if (isAssetVersion(path)) next.properties = { isAnonymous: false, isArchived: false, ...next.properties };
          if (existing) checkVersionImmutable(path, existing, next);
          next = withComputedServingProperties(path, existing, next);
          if (type === "jobs" && next.properties.status === undefined) next.properties.status = existing?.properties?.status ?? options.jobStatusOnCreate ?? "Starting";
        }
        const lro = isLro(path, method);
        if (lro) next.properties = { ...next.properties, provisioningState: lroFault ? "Failed" : "Succeeded" };
        const { resource, created } = put(path, next);
        if (lro) {
          const { asyncUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault });
          const initial = { ...resource, properties: { ...resource.properties, provisioningState: created ? "Creating" : "Updating" } };
          return { status: created ? 201 : 200, body: initial, headers: { "Azure-AsyncOperation": asyncUrl } };
        }
        return { status: created ? 201 : 200, body: resource };
      }
      case "DELETE": {
        const existed = store.has(key);
        const lro = isLro(path, method);
        const removeTree = () => {
          for (const k of [...store.keys()]) if (k === key || k.startsWith(key + "/")) store.delete(k);
        };
        if (lro && existed) {
          const { asyncUrl, locationUrl } = startOperation({ pollsLeft: lroPolls, failed: lroFault, after: lroFault ? undefined : removeTree });
          return { status: 202, headers: { "Azure-AsyncOperation": asyncUrl, Location: locationUrl } };
        }
        removeTree();
        return { status: existed ? 200 : 204 };
      }
      default:
        throw new HttpError(405, "MethodNotAllowed", `${method} is not supported.`);
    }
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
        },
        status: 0,
      };
      requests.push(record);
      const fault = takeFault(method, path);
      if (fault) {
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
      handle(req, res, rawBody).then(
        ({ status, body, headers }) => {
          record.status = status;
          const h: Record<string, string> = { "x-ms-request-id": randomUUID(), ...headers };
          if (body !== undefined) h["content-type"] = "application/json; charset=utf-8";
          res.writeHead(status, h).end(body === undefined ? undefined : JSON.stringify(body));
        },
        (err: unknown) => {
          const e = err instanceof HttpError ? err : new HttpError(500, "InternalServerError", String((err as Error)?.message ?? err));
          record.status = e.status;
          res.writeHead(e.status, { "content-type": "application/json; charset=utf-8", "x-ms-request-id": randomUUID() });
          res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
        },
      );
    });
  });
  const sockets = new Set<import("node:net").Socket>();
  server_.on("secureConnection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server_.once("error", reject);
    server_.listen(0, "127.0.0.1", () => resolve());
  });
  url = `https://127.0.0.1:${(server_.address() as AddressInfo).port}`;

  actions.set("cancel", ({ resourcePath, resource }) => {
    if (!resource) throw notFound(resourcePath);
    const stored = store.get(keyOf(resourcePath))!;
    stored.resource.properties = { ...stored.resource.properties, status: "Canceled" };
    jobStatusQueues.delete(keyOf(resourcePath));
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

  const credential: TokenCredential = {
    getToken: async () => ({ token: "local-test-token", expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  const clientOptions = { endpoint: url, additionalPolicies: tls.clientOptions.additionalPolicies };
  const filterBy = (methods: (m: string) => boolean, p?: RegExp | string) => requests.filter((r) => methods(r.method) && matches(p, r.path));

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
    get: (path) => clone(store.get(keyOf(path))?.resource),
    list: (collectionPath) => childrenOf(collectionPath).sort((a, b) => a.seq - b.seq).map((s) => clone(s.resource)),
    remove: (path) => store.delete(keyOf(path)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        tls.agent.destroy();
        server_.close(() => resolve());
      }),
  };
  return server;
}
