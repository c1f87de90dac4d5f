/**
 * List Blobs (flat, one prefix) reduced to what promotion compares: name, length, Content-MD5, copy
 * status, ETag and the folder-marker metadata.
 *
 * Why not only the SDK's `listBlobsFlat`: it validates each page's XML, parses it into a tree
 * (fast-xml-parser) and maps the tree onto its models (core-client) before the first blob is seen.
 * Listing 1,000 blobs on Azurite that cost 1.1 s of client CPU in a fresh process (a Pulumi dynamic
 * provider's) and 0.3-0.5 s after, two thirds of the listing's wall time, and a promotion lists
 * 1,000 files twice. Here the page is requested through the container client's own request
 * pipeline (its credential, retries, TLS and any policies the caller added) and its body streamed
 * through saxes, a conforming XML 1.0 SAX parser (malformed XML is an error), keeping only those
 * fields: 0.3 s and 0.05 s, no page-sized text or tree in memory, and the promotion client's peak
 * in the model-copy-scale bench fell from 134-140 MiB to 108-118.
 *
 * The request is the one the SDK sends ("List Blobs", Azure Storage REST API: `restype=container&
 * comp=list`, `prefix`, `marker`, `maxresults`, `include=copy,metadata`, the client's
 * `x-ms-version`), and the answer is read as the SDK reads it: `NextMarker` continues, and a
 * `<Name Encoded="true">` is percent-encoded (`BlobName` in the Microsoft.BlobStorage spec,
 * `BlobNameToString` in the SDK's utils.common.ts). A client without the SDK's request context
 * (`storageClientContext`, a core-client `ServiceClient`, whose public `sendRequest` runs the
 * pipeline) falls back to `listBlobsFlat`, which tests/components/modelPromotion/blobListing.test.ts
 * holds the streamed listing to.
 */
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { ContainerClient } from "@azure/storage-blob";
import { isNamedError, namedError } from "../shared/namedError";

export interface ListedBlob {
  name: string;
  size: number;
  /** Base64 Content-MD5 as listed; "" when the service lists an empty element. */
  md5?: string;
  copyStatus?: string;
  etag?: string;
  /** Hierarchical-namespace accounts list directories as empty blobs with metadata hdi_isfolder=true. */
  isFolderMarker: boolean;
}

/** What a page request needs from the client: core-client's `ServiceClient` as the storage SDK builds it. */
interface RequestContext {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
  version: string;
}

/** The container client's request context, when the SDK still keeps it where 12.x does. */
export function requestContextOf(container: ContainerClient): RequestContext | undefined {
  const ctx = (container as unknown as { storageClientContext?: Partial<RequestContext> }).storageClientContext;
  return ctx && typeof ctx.sendRequest === "function" && typeof ctx.version === "string" ? (ctx as RequestContext) : undefined;
}

/** Every blob under `prefix`, in the service's (name) order, `pageSize` per request. */
export async function listBlobs(container: ContainerClient, prefix: string, pageSize: number): Promise<ListedBlob[]> {
  const ctx = requestContextOf(container);
  if (!ctx) return listBlobsWithSdk(container, prefix, pageSize);
  const out: ListedBlob[] = [];
  let marker: string | undefined;
  do {
    marker = await listPage(container.url, ctx, prefix, pageSize, marker, out);
  } while (marker);
  return out;
}

/** The SDK's own listing, mapped the same way: the fallback, and the reference the fast path is tested against. */
export async function listBlobsWithSdk(container: ContainerClient, prefix: string, pageSize: number): Promise<ListedBlob[]> {
  const out: ListedBlob[] = [];
  for await (const page of container.listBlobsFlat({ prefix, includeMetadata: true, includeCopy: true }).byPage({ maxPageSize: pageSize })) {
    for (const b of page.segment.blobItems) {
      out.push({
        name: b.name,
        size: b.properties.contentLength ?? 0,
        md5: b.properties.contentMD5 ? Buffer.from(b.properties.contentMD5).toString("base64") : undefined,
        copyStatus: b.properties.copyStatus,
        etag: b.properties.etag,
        isFolderMarker: b.metadata?.hdi_isfolder === "true",
      });
    }
  }
  return out;
}

/** A page whose body broke off mid-stream is asked for again this many times (the pipeline retried the request itself). */
const BODY_RETRIES = 2;

/** Requests one page, appends its blobs to `out` and returns the next marker (undefined on the last page). */
async function listPage(
  containerUrl: string,
  ctx: RequestContext,
  prefix: string,
  pageSize: number,
  marker: string | undefined,
  out: ListedBlob[],
): Promise<string | undefined> {
  const { createHttpHeaders, createPipelineRequest } = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const query = [`restype=container`, `comp=list`, `prefix=${encodeURIComponent(prefix)}`, `maxresults=${pageSize}`, `include=copy%2Cmetadata`];
  if (marker) query.push(`marker=${encodeURIComponent(marker)}`);
  const [base, existing] = containerUrl.split("?");
  const url = `${base}?${query.join("&")}${existing ? `&${existing}` : ""}`;
  for (let attempt = 0; ; attempt++) {
    const response = await ctx.sendRequest(
      createPipelineRequest({
        url,
        method: "GET",
        headers: createHttpHeaders({ accept: "application/xml", "x-ms-version": ctx.version }),
        streamResponseStatusCodes: new Set([200]),
        // As on every request of the storage SDK (`getCoreClientOptions` in its Pipeline.ts): an http
        // endpoint (an emulator's) is the caller's choice, and shared-key signing does not need TLS.
        allowInsecureConnection: true,
      }),
    );
    if (response.status !== 200 || !response.readableStreamBody) throw listError(response);
    const page: ListedBlob[] = [];
    try {
      const next = await parsePage(response.readableStreamBody, page);
      out.push(...page);
      return next;
    } catch (err) {
      if (isMalformed(err) || attempt >= BODY_RETRIES) throw err;
    }
  }
}

/** An answer that is not a List Blobs result (a service bug, or something in between): never asked again. */
function malformed(problem: unknown): Error {
  if (isMalformed(problem)) return problem;
  const what = typeof problem === "string" ? problem : `malformed XML: ${(problem as Error).message}`;
  return namedError("MalformedListing", `List Blobs returned ${what}`, {});
}
const isMalformed = (err: unknown): err is Error => isNamedError(err, "MalformedListing");

/**
 * The error the SDK would have thrown: the status, the service's code (the `x-ms-error-code` header,
 * else the body's `<Code>`) and its `<Message>` ("Status and error codes", Azure Storage REST docs).
 */
function listError(response: PipelineResponse): Error {
  const { RestError } = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const body = (response as { parsedBody?: { Code?: string; Message?: string } }).parsedBody;
  const code = response.headers.get("x-ms-error-code") ?? body?.Code;
  const message = body?.Message ?? response.bodyAsText ?? `List Blobs answered HTTP ${response.status}`;
  return new RestError(message, { code, statusCode: response.status, request: response.request, response });
}

/** Reads `<EnumerationResults>` from the stream into `page`; returns `NextMarker` (undefined when empty). */
function parsePage(body: NodeJS.ReadableStream, page: ListedBlob[]): Promise<string | undefined> {
  const { SaxesParser } = require("saxes") as typeof import("saxes");
  const parser = new SaxesParser();
  const path: string[] = [];
  let text = "";
  let encodedName = false;
  let nextMarker: string | undefined;
  let blob: ListedBlob | undefined;
  let sawRoot = false;
  parser.on("opentag", (tag) => {
    path.push(tag.name);
    text = "";
    if (path.length === 1) {
      if (tag.name !== "EnumerationResults") throw malformed(`<${tag.name}>, not <EnumerationResults>`);
      sawRoot = true;
    } else if (path.length === 3 && tag.name === "Blob" && path[1] === "Blobs") {
      blob = { name: "", size: 0, isFolderMarker: false };
    } else if (path.length === 4 && tag.name === "Name" && blob) {
      encodedName = tag.attributes.Encoded === "true";
    }
  });
  parser.on("text", (t) => (text += t));
  parser.on("cdata", (t) => (text += t));
  parser.on("closetag", (tag) => {
    const depth = path.length;
    if (depth === 2 && tag.name === "NextMarker") nextMarker = text || undefined;
    else if (blob && depth === 3 && tag.name === "Blob") {
      page.push(blob);
      blob = undefined;
    } else if (blob && depth === 4 && tag.name === "Name") blob.name = encodedName ? decodeURIComponent(text) : text;
    else if (blob && depth === 5 && path[3] === "Properties") {
      if (tag.name === "Content-Length") blob.size = Number(text);
      else if (tag.name === "Content-MD5") blob.md5 = Buffer.from(text, "base64").toString("base64");
      else if (tag.name === "CopyStatus") blob.copyStatus = text;
      else if (tag.name === "Etag") blob.etag = text;
    } else if (blob && depth === 5 && path[3] === "Metadata" && tag.name === "hdi_isfolder") blob.isFolderMarker = text === "true";
    path.pop();
    text = "";
  });
  const { StringDecoder } = require("node:string_decoder") as typeof import("node:string_decoder");
  const utf8 = new StringDecoder("utf8");
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    // saxes throws from write() on malformed XML (no "error" listener is registered).
    body.on("data", (chunk: Buffer) => {
      if (settled) return;
      try {
        parser.write(utf8.write(chunk));
      } catch (err) {
        fail(malformed(err));
      }
    });
    body.on("error", (err: Error) => fail(err));
    body.on("close", () => fail(new Error("List Blobs response ended before its body did")));
    body.on("end", () => {
      if (settled) return;
      try {
        parser.write(utf8.end()).close();
        if (!sawRoot) throw malformed("an empty body");
        settled = true;
        resolve(nextMarker);
      } catch (err) {
        fail(malformed(err));
      }
    });
  });
}
