/**
 * The streamed List Blobs (components/modelPromotion/blobListing.ts) against the storage SDK's own
 * listing on Azurite, blob for blob; then what Azurite never sends (percent-encoded names, a
 * multi-byte character split across chunks, malformed XML, a body cut off, an error answer)
 * through a request context that answers with canned bodies.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { createHttpHeaders, RestError, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { CompatResponse, RequestPolicy, RequestPolicyFactory, WebResourceLike } from "@azure/core-http-compat";
import { BlobServiceClient, newPipeline, type ContainerClient } from "@azure/storage-blob";
import { startAzurite, Azurite } from "../../support/azurite";
import { listBlobs, listBlobsWithSdk, requestContextOf, type ListedBlob } from "../../../components/modelPromotion/blobListing";

/** A caller's policy in the storage pipeline, recording each request's query and x-ms-version. */
function recorder(seen: { query: string; version: string | undefined }[]): RequestPolicyFactory {
  return {
    create: (next: RequestPolicy): RequestPolicy => ({
      sendRequest(req: WebResourceLike): Promise<CompatResponse> {
        seen.push({ query: new URL(req.url).search, version: req.headers.get("x-ms-version") });
        return next.sendRequest(req);
      },
    }),
  };
}

describe("on Azurite: the same blobs, fields and order as the SDK's listing", () => {
  let azurite: Azurite;
  let container: ContainerClient;
  const seen: { query: string; version: string | undefined }[] = [];

  beforeAll(async () => {
    azurite = await startAzurite({ accounts: ["devstore"] });
    const pipeline = newPipeline(azurite.credential("devstore"));
    pipeline.factories.push(recorder(seen));
    container = new BlobServiceClient(azurite.blobEndpoint("devstore"), pipeline).getContainerClient("models");
    await container.create();
    const names = [
      "m/1/model.pkl",
      "m/1/conf/a b.json",
      "m/1/conf/ü-ß €.txt",
      "m/1/conf/amp&lt<gt>quote\"apos'.bin",
      "m/1/pct%2F+plus.bin",
      "m/1/weights/shard-0001.bin",
      "m/1/weights/shard-0002.bin",
      "m/10/outside-the-prefix.bin",
    ];
    for (const [i, name] of names.entries()) {
      const data = Buffer.from(`file ${i}`);
      await container.getBlockBlobClient(name).uploadData(data, { blobHTTPHeaders: { blobContentMD5: createHash("md5").update(data).digest() } });
    }
    // Blocks committed as a list: the service records no Content-MD5 for the blob.
    const blocks = container.getBlockBlobClient("m/1/weights/committed-blocks.bin");
    const id = Buffer.from("block-1").toString("base64");
    await blocks.stageBlock(id, Buffer.from("block"), 5);
    await blocks.commitBlockList([id]);
    // A directory marker as hierarchical-namespace accounts list them, and a server-side copy.
    await container.getBlockBlobClient("m/1/conf").uploadData(Buffer.alloc(0), { metadata: { hdi_isfolder: "true" } });
    await container.getBlockBlobClient("m/1/copied.pkl").syncCopyFromURL(container.getBlobClient("m/1/model.pkl").url, {});
  });
  afterAll(() => azurite.stop());

  it("lists page by page through the caller's pipeline and equals listBlobsFlat blob for blob", async () => {
    expect(requestContextOf(container)).toBeDefined();
    seen.length = 0;
    const fast = await listBlobs(container, "m/1/", 3);
    const requests = seen.splice(0);
    const sdk = await listBlobsWithSdk(container, "m/1/", 3);
    const sdkRequests = seen.splice(0);

    expect(fast).toEqual(sdk);
    expect(fast).toHaveLength(10);
    expect(fast.map((b) => b.name)).toContain("m/1/conf/amp&lt<gt>quote\"apos'.bin");
    expect(fast.map((b) => b.name)).not.toContain("m/10/outside-the-prefix.bin");
    expect(fast.find((b) => b.name === "m/1/conf")?.isFolderMarker).toBe(true);
    expect(fast.find((b) => b.name === "m/1/copied.pkl")?.copyStatus).toBe("success");
    expect(fast.find((b) => b.name === "m/1/conf/ü-ß €.txt")?.md5).toBe(createHash("md5").update("file 2").digest("base64"));
    const committed = (xs: ListedBlob[]) => xs.find((b) => b.name === "m/1/weights/committed-blocks.bin");
    expect(committed(fast)?.size).toBe(5);
    expect(committed(fast)?.md5).toBe(committed(sdk)?.md5);
    expect(fast.every((b) => b.etag && b.size > 0 === (b.name !== "m/1/conf"))).toBe(true);
    // Ten blobs, three per page: four requests, each continuing from the marker of the one before.
    expect(requests).toHaveLength(4);
    expect(requests.every((r) => /[?&]comp=list(&|$)/.test(r.query) && /[?&]maxresults=3(&|$)/.test(r.query))).toBe(true);
    expect(requests.map((r) => new URLSearchParams(r.query).has("marker"))).toEqual([false, true, true, true]);
    // The requests the SDK sends for the same listing: same parameters, markers and service version.
    const params = (q: string) => [...new URLSearchParams(q).entries()].sort();
    expect(requests.map((r) => params(r.query))).toEqual(sdkRequests.map((r) => params(r.query)));
    expect(requests.map((r) => r.version)).toEqual(sdkRequests.map((r) => r.version));
  });

  it("answers a missing container with the error the SDK throws: status, service code and message", async () => {
    const gone = new BlobServiceClient(azurite.blobEndpoint("devstore"), newPipeline(azurite.credential("devstore"))).getContainerClient("no-such-container");
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RestError);
    const fast = (await failure(listBlobs(gone, "m/", 3)))!;
    const sdk = (await failure(listBlobsWithSdk(gone, "m/", 3)))!;
    expect(fast).toBeInstanceOf(RestError);
    expect({ statusCode: fast.statusCode, code: fast.code, message: fast.message.split("\n")[0] }).toEqual({ statusCode: 404, code: "ContainerNotFound", message: sdk.message.split("\n")[0] });
    expect(sdk).toMatchObject({ statusCode: 404, code: "ContainerNotFound" });
  });

  it("falls back to the SDK's listing for a client without the request context", async () => {
    const plain = Object.create(container) as ContainerClient;
    Object.defineProperty(plain, "storageClientContext", { value: undefined });
    expect(requestContextOf(plain)).toBeUndefined();
    expect(await listBlobs(plain, "m/1/weights/", 2)).toEqual(await listBlobsWithSdk(container, "m/1/weights/", 2));
  });
});

/** A container client whose request context answers each page request with the next canned answer. */
function cannedContainer(answers: (() => Partial<PipelineResponse>)[]): { container: ContainerClient; urls: string[] } {
  const urls: string[] = [];
  const sendRequest = async (request: PipelineRequest): Promise<PipelineResponse> => {
    urls.push(request.url);
    const answer = answers[urls.length - 1];
    if (!answer) throw new Error(`unexpected request ${urls.length}: ${request.url}`);
    return { request, status: 200, headers: createHttpHeaders(), ...answer() };
  };
  const container = { url: "https://acct.blob.core.windows.net/models", storageClientContext: { version: "2026-10-06", sendRequest } };
  return { container: container as unknown as ContainerClient, urls };
}

/** The body as a stream of one-byte chunks: every multi-byte character arrives split. */
const byteByByte = (xml: string) => () => ({ readableStreamBody: Readable.from([...Buffer.from(xml)].map((b) => Buffer.from([b]))) });

/** A List Blobs answer; it opens with a UTF-8 byte order mark, which XML 1.0 allows (Appendix F.1) and .NET services often write. */
const page = (blobs: string, next = "") =>
  `\uFEFF<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="models">` +
  `<Prefix>m/</Prefix><MaxResults>2</MaxResults><Blobs>${blobs}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`;
const blob = (name: string, extra = "") =>
  `<Blob>${name}<Properties><Content-Length>7</Content-Length><Content-MD5>q83vEjRWeJA=</Content-MD5><Etag>0x8D1</Etag>${extra}</Properties><Metadata /></Blob>`;

describe("answers Azurite never gives", () => {
  it("decodes percent-encoded names, keeps characters split across chunks, and follows NextMarker", async () => {
    const { container, urls } = cannedContainer([
      byteByByte(page(blob(`<Name Encoded="true">m%2F%EF%BF%BE%0A.bin</Name>`) + blob(`<Name>m/日本語 &amp; ü.bin</Name>`, "<CopyStatus>pending</CopyStatus>"), "2!next")),
      byteByByte(page(blob(`<Name Encoded="false">m/z.bin</Name>`))),
    ]);
    const listed = await listBlobs(container, "m/", 2);
    expect(listed.map((b) => b.name)).toEqual(["m/\uFFFE\n.bin", "m/日本語 & ü.bin", "m/z.bin"]);
    expect(listed[1]).toEqual({ name: "m/日本語 & ü.bin", size: 7, md5: "q83vEjRWeJA=", etag: "0x8D1", copyStatus: "pending", isFolderMarker: false });
    expect(urls).toHaveLength(2);
    expect(new URL(urls[0]).searchParams.get("marker")).toBeNull();
    expect(new URL(urls[1]).searchParams.get("marker")).toBe("2!next");
    expect(new URL(urls[1]).searchParams.get("prefix")).toBe("m/");
  });

  it("refuses malformed XML, and an answer that is not a listing, without asking again", async () => {
    const broken = cannedContainer([byteByByte(page(blob("<Name>m/a.bin</Name>")).replace("</Blobs>", "</Blob>"))]);
    await expect(listBlobs(broken.container, "m/", 2)).rejects.toThrow(/List Blobs returned malformed XML/);
    expect(broken.urls).toHaveLength(1);
    const other = cannedContainer([byteByByte(`<?xml version="1.0"?><Error><Code>Oops</Code></Error>`)]);
    await expect(listBlobs(other.container, "m/", 2)).rejects.toThrow("List Blobs returned <Error>, not <EnumerationResults>");
    expect(other.urls).toHaveLength(1);
  });

  it("asks again for a page whose body broke off, at most twice", async () => {
    const cutOff = () => {
      const body = new Readable({ read() {} });
      body.push(Buffer.from(page(blob("<Name>m/a.bin</Name>")).slice(0, 120)));
      setImmediate(() => body.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
      return { readableStreamBody: body };
    };
    const recovers = cannedContainer([cutOff, byteByByte(page(blob("<Name>m/a.bin</Name>")))]);
    expect((await listBlobs(recovers.container, "m/", 2)).map((b) => b.name)).toEqual(["m/a.bin"]);
    expect(recovers.urls).toHaveLength(2);
    const never = cannedContainer([cutOff, cutOff, cutOff]);
    await expect(listBlobs(never.container, "m/", 2)).rejects.toThrow("aborted");
    expect(never.urls).toHaveLength(3);
  });

  it("turns an error answer into the RestError the SDK throws: status, service code and message", async () => {
    const { container } = cannedContainer([
      () => ({
        status: 403,
        headers: createHttpHeaders({ "x-ms-error-code": "AuthorizationPermissionMismatch" }),
        bodyAsText: "<Error>…</Error>",
        parsedBody: { Code: "AuthorizationPermissionMismatch", Message: "This request is not authorized to perform this operation using this permission." },
      }),
    ]);
    const err = await listBlobs(container, "m/", 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    expect(err).toMatchObject({ statusCode: 403, code: "AuthorizationPermissionMismatch", message: "This request is not authorized to perform this operation using this permission." });
  });
});
