import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../../tools/model/approval";
import { startHarness, Harness, DEV, DEV_ACCOUNT, DEV_CONTAINER, QA, QA_ACCOUNT, QA_CONTAINER, md5 } from "./harness";
import { approvedVersionOf, resolvePromotedVersion } from "../../../components/modelPromotion/resolve";
import type { PromotedModelOutputs } from "../../../components/modelPromotion/types";
import { LINEAGE } from "../../../components/modelPromotion/types";
import { PromotedModelProvider } from "../../../components/modelPromotion/provider";
import { LIST_PAGE_SIZE } from "../../../components/modelPromotion/blobFiles";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const versionPath = (ws: typeof DEV, name: string, version: string) =>
  `${h.aml.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName)}/models/${name}/versions/${version}`;

/** The resolver's Output, awaited as a program would see it during `up`. */
const resolve = (modelName: string): Promise<string> =>
  (resolvePromotedVersion({ source: DEV, modelName, offline: false, armEndpoint: h.aml.url, mlClient: (sub) => h.ml(sub) }) as any).promise();

const modelPuts = (name: string) => h.aml.writes(`/models/${name}/versions/`).filter((r) => r.method === "PUT" && !r.fault);

describe("promoting a model from dev to qa", () => {
  const files = { "model.pkl": "weights-v3".repeat(500), "conda.yaml": "name: churn\n", "MLmodel": "flavors: {}\n" };
  let first: PromotedModelOutputs;

  it("first promotion copies every file server-side, verifies, and registers the same version with lineage", async () => {
    await h.seedModel("churn", "3", files, { tags: { stage: "production" }, createdAt: "2024-05-01T10:00:00Z" });
    expect(await resolve("churn")).toBe("3");
    h.resetCounters();

    const { id, outs } = await h.provider.create(h.inputs("churn", "3"));
    first = outs;
    expect(id).toBe(versionPath(QA, "churn", "3"));
    expect(outs).toMatchObject({ version: "3", files: 3, modelUri: "azureml://datastores/workspaceblobstore/paths/promoted/churn/3", filesIntact: true });
    expect(outs.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(h.copies().sort()).toEqual(["conda.yaml", "MLmodel", "model.pkl"].map((f) => `/stmlopsqa/${QA_CONTAINER}/promoted/churn/3/${f}`).sort());
    expect(h.modelBodyRequests()).toEqual([]);

    // The source is listed once and the target twice (before copying, and the verification after);
    // the ETags recorded are those the verification listed, not a fourth listing's.
    const listings = h.proxy.requests.filter((r) => new URL(r.url).searchParams.get("comp") === "list").map((r) => new URL(r.url));
    expect(listings.map((u) => u.pathname)).toEqual([`/stmlopsdev/${DEV_CONTAINER}`, `/stmlopsqa/${QA_CONTAINER}`, `/stmlopsqa/${QA_CONTAINER}`]);
    // Pages as large as the service serves (List Blobs: at most 5,000).
    expect(listings.map((u) => u.searchParams.get("maxresults"))).toEqual(Array(3).fill(String(LIST_PAGE_SIZE)));
    expect(LIST_PAGE_SIZE).toBe(5000);
    const etags: Record<string, string> = {};
    for (const [rel, content] of Object.entries(files)) {
      const props = await h.qaContainer.getBlobClient(`promoted/churn/3/${rel}`).getProperties();
      expect(Buffer.from(props.contentMD5!).equals(md5(content))).toBe(true);
      // The `ETag` header is a quoted HTTP entity tag; List Blobs' `Etag` element holds the bare value
      // ("Get Blob Properties", "List Blobs", Azure Storage REST docs), which is what is recorded.
      etags[rel] = props.etag!.replace(/"/g, "");
    }
    expect(outs.targetEtags).toEqual(etags);
    const registered = h.aml.get(versionPath(QA, "churn", "3"));
    expect(registered.properties.modelUri).toBe(outs.modelUri);
    expect(registered.properties.tags).toEqual({
      team: "churn",
      [LINEAGE.sourceWorkspace]: h.aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName),
      [LINEAGE.sourceVersion]: "3",
      [LINEAGE.sourceModelUri]: "azureml://datastores/workspaceblobstore/paths/models/churn/3/",
      [LINEAGE.contentHash]: outs.contentHash,
      [LINEAGE.promotedAt]: outs.promotedAt,
    });
    expect(registered.properties.tags.stage).toBeUndefined(); // qa approves its own versions
    expect(registered.properties.properties).toMatchObject({ framework: "sklearn", [LINEAGE.contentHash]: outs.contentHash });
    expect(registered.properties.properties["azureml.runId"]).toBeUndefined();
    expect(modelPuts("churn")).toHaveLength(1);
  });

  it("a rerun with the same inputs copies nothing and writes nothing; diff makes no calls", async () => {
    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("churn", "3"));
    expect(outs.contentHash).toBe(first.contentHash);
    expect(outs.promotedAt).toBe(first.promotedAt);
    expect(h.copies()).toEqual([]);
    expect(h.aml.writes()).toEqual([]);
    expect(h.proxy.requests.filter((r) => r.method !== "GET")).toEqual([]);

    h.resetCounters();
    const diff = await h.provider.diff(first.modelId, { ...first, __provider: "x" }, h.inputs("churn", "3"));
    expect(diff.changes).toBe(false);
    expect(h.aml.requests).toEqual([]);
    expect(h.proxy.requests).toEqual([]);
  });

  it("looks the target up while the source is still being read: the look-ups of both sides run at once", async () => {
    h.resetCounters();
    // The source version answers slowly; the source's datastore is only asked for after it.
    h.aml.inject({ method: "GET", path: versionPath(DEV, "churn", "3"), kind: "slow", delayMs: 300 });
    await h.provider.create(h.inputs("churn", "3"));
    const gets = h.aml.requests.filter((r) => r.method === "GET").map((r) => r.path);
    const targetVersion = gets.indexOf(versionPath(QA, "churn", "3"));
    const sourceDatastore = gets.findIndex((p) => p.startsWith(h.aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName)) && p.includes("/datastores/"));
    expect(targetVersion).toBeGreaterThanOrEqual(0);
    expect(sourceDatastore).toBeGreaterThan(targetVersion);
  });

  it("a newly approved version becomes the input, replaces the promoted one, and the old one is archived", async () => {
    await h.seedModel("churn", "4", { ...files, "model.pkl": "weights-v4".repeat(500) }, { tags: { stage: "production" }, createdAt: "2024-06-01T10:00:00Z" });
    const next = await resolve("churn");
    expect(next).toBe("4");
    const diff = await h.provider.diff(first.modelId, first, h.inputs("churn", next));
    expect(diff).toMatchObject({ changes: true, replaces: ["version"] });

    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("churn", next));
    expect(outs.version).toBe("4");
    expect(outs.contentHash).not.toBe(first.contentHash);
    expect(h.copies()).toHaveLength(3);
    await h.provider.delete(first.modelId, first);
    expect(h.aml.get(versionPath(QA, "churn", "3")).properties.isArchived).toBe(true);
    expect(h.aml.get(versionPath(QA, "churn", "4")).properties.isArchived).toBe(false);
  });

  it("revoking the tag upstream rolls back: the previous approved version is the input and is restored without copying", async () => {
    // The seed's rollback step, through the approval CLI against dev's workspace.
    const dir = mkdtempSync(path.join(os.tmpdir(), "promotion-"));
    const outputs = path.join(dir, "dev.json");
    writeFileSync(outputs, JSON.stringify(DEV));
    const printed: string[] = [];
    const code = await main(["revoke", "churn", "4", "--stack", "dev", "--outputs", outputs, "--arm-endpoint", h.aml.url], {
      credential: h.aml.credential,
      additionalPolicies: h.aml.clientOptions.additionalPolicies,
      stdout: (t) => void printed.push(t),
    });
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(printed.join("")).toMatch(/newest approved version is now 3/);
    expect(h.aml.get(versionPath(DEV, "churn", "4")).properties.tags.stage).toBeUndefined();
    expect(await resolve("churn")).toBe("3");

    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("churn", "3"));
    expect(outs.contentHash).toBe(first.contentHash);
    expect(h.copies()).toEqual([]);
    expect(modelPuts("churn").map((r) => [r.path, (r.body as any).properties.isArchived])).toEqual([[versionPath(QA, "churn", "3"), false]]);
    expect(h.aml.get(versionPath(QA, "churn", "3")).properties.isArchived).toBe(false);
  });

  it("fails clearly when no version carries the approval tag", async () => {
    await h.seedModel("fraud", "1", { "m.bin": "x" }, { tags: { stage: "dev" } });
    const query = approvedVersionOf(h.ml(DEV.subscriptionId), DEV, "fraud", { key: "stage", value: "production" });
    await expect(query).rejects.toThrow(/no version of model 'fraud' in workspace 'mlw-mlops-dev'.*carries the approval tag stage=production/);
  });
});

describe("model layouts and URI forms", () => {
  it("copies a folder model with nested files, keeping the tree", async () => {
    const tree = { "MLmodel": "m", "data/model.pkl": "pkl".repeat(100), "data/nested/deep/vocab.txt": "a b c", "code/score.py": "print(1)" };
    await h.seedModel("nested", "1", tree, { uriForm: "long" });
    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("nested", "1"));
    expect(outs.files).toBe(4);
    const names: string[] = [];
    for await (const b of h.qaContainer.listBlobsFlat({ prefix: "promoted/nested/1/" })) names.push(b.name.slice("promoted/nested/1/".length));
    expect(names.sort()).toEqual(Object.keys(tree).sort());
  });

  it("lists a model across several listing pages: every file is copied, verified and recorded", async () => {
    // Pages of 40 (`listPageSize`; 5,000 by default) over 87 files: three pages per listing.
    const pageSize = 40;
    const many = Object.fromEntries(Array.from({ length: 2 * pageSize + 7 }, (_, i) => [`shards/part-${String(i).padStart(4, "0")}.bin`, `shard ${i}`]));
    await h.seedModel("paged", "1", many);
    h.resetCounters();
    const provider = new PromotedModelProvider((s) => ({ ...h.factory(s), listPageSize: pageSize }));
    const { outs } = await provider.create(h.inputs("paged", "1"));
    expect(outs.files).toBe(2 * pageSize + 7);
    expect(h.copies()).toHaveLength(2 * pageSize + 7);
    expect(Object.keys(outs.targetEtags ?? {}).sort()).toEqual(Object.keys(many).sort());
    // Three pages for the source, one for the empty target before copying, three for the verification.
    const listings = h.proxy.requests.filter((r) => new URL(r.url).searchParams.get("comp") === "list");
    expect(listings.map((r) => new URL(r.url).searchParams.get("maxresults"))).toEqual(Array(7).fill(String(pageSize)));
    expect(listings.map((r) => new URL(r.url).searchParams.has("marker"))).toEqual([false, true, true, false, false, true, true]);
  });

  it("promotes a single-file model named by a blob https URL and registers the file", async () => {
    await h.seedModel("single", "2", { "model.onnx": "onnx-bytes" }, { layout: "file", uriForm: "https" });
    const { outs } = await h.provider.create(h.inputs("single", "2"));
    expect(outs.files).toBe(1);
    expect(outs.modelUri).toBe("azureml://datastores/workspaceblobstore/paths/promoted/single/2/model.onnx");
    expect(h.aml.get(versionPath(QA, "single", "2")).properties.modelUri).toBe(outs.modelUri);
  });

  it("finds a job-output model in the run's artifacts in workspaceartifactstore", async () => {
    const artifacts = h.azurite.serviceClient(DEV_ACCOUNT).getContainerClient("azureml");
    await artifacts.createIfNotExists();
    await artifacts.getBlockBlobClient("ExperimentRun/dcid.train_42/outputs/model/MLmodel").uploadData(Buffer.from("flavors: {}"));
    await artifacts.getBlockBlobClient("ExperimentRun/dcid.train_42/outputs/model/model.pkl").uploadData(Buffer.from("pkl"));
    h.aml.seed(versionPath(DEV, "fromjob", "1"), { properties: { modelUri: "azureml://jobs/train_42/outputs/artifacts/paths/outputs/model/", tags: {} } });
    const { outs } = await h.provider.create(h.inputs("fromjob", "1"));
    expect(outs.files).toBe(2);
    expect(outs.sourceModelUri).toBe("azureml://jobs/train_42/outputs/artifacts/paths/outputs/model/");
  });

  it("copies files above the synchronous copy limit with an asynchronous copy", async () => {
    await h.seedModel("large", "1", { "big.bin": Buffer.alloc(4096, 1), "small.txt": "s" });
    h.resetCounters();
    const provider = new PromotedModelProvider((s) => ({ ...h.factory(s), syncCopyLimitBytes: 1024 }));
    const { outs } = await provider.create(h.inputs("large", "1"));
    expect(outs.bytes).toBe(4097);
    const copyModes = h.proxy.requests
      .filter((r) => r.headers["x-ms-copy-source"])
      .map((r) => [new URL(r.url).pathname.split("/").pop(), r.headers["x-ms-requires-sync"] ?? "async"]);
    expect(copyModes.sort()).toEqual([["big.bin", "async"], ["small.txt", "true"]]);
    const big = await h.qaContainer.getBlobClient("promoted/large/1/big.bin").getProperties();
    expect(big.copyStatus).toBe("success");
    expect(Buffer.from(big.contentMD5!).equals(md5(Buffer.alloc(4096, 1)))).toBe(true);
  });

  it("does not mistake a sibling folder with a longer name for part of the model", async () => {
    await h.seedModel("prefix", "1", { "a.txt": "a" }, { folder: "models/prefix/1" });
    await h.seedModel("prefix", "10", { "b.txt": "b" }, { folder: "models/prefix/10" });
    const { outs } = await h.provider.create(h.inputs("prefix", "1"));
    expect(outs.files).toBe(1);
  });
});

describe("failures", () => {
  it("a file that fails to copy leaves nothing registered; the rerun copies only what is missing", async () => {
    await h.seedModel("flaky", "1", { "a.bin": "a".repeat(100), "b.bin": "b".repeat(100), "c.bin": "c".repeat(100) });
    h.resetCounters();
    h.proxy.inject({ method: "PUT", path: "/promoted/flaky/1/b.bin", kind: "status", status: 403, code: "AuthorizationPermissionMismatch" });
    await expect(h.provider.create(h.inputs("flaky", "1"))).rejects.toThrow(/nothing registered: 1 of 3 file copies failed \(b\.bin: .*\)/);
    expect(modelPuts("flaky")).toEqual([]);
    expect(h.aml.get(versionPath(QA, "flaky", "1"))).toBeUndefined();

    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("flaky", "1"));
    expect(h.copies()).toEqual([`/stmlopsqa/${QA_CONTAINER}/promoted/flaky/1/b.bin`]);
    expect(outs.files).toBe(3);
    expect(modelPuts("flaky")).toHaveLength(1);
  });

  it("a file written into the target folder while copying fails the verification after the copies: nothing registered; the rerun removes it", async () => {
    await h.seedModel("raced", "1", { "a.bin": "a".repeat(100), "b.bin": "b".repeat(100), "c.bin": "c".repeat(100) });
    h.resetCounters();
    // Another writer, straight to the emulator (not through the proxy), as the first copy arrives; the
    // copies run one at a time, so it lands before the verification lists the folder.
    let stray: Promise<unknown> | undefined;
    h.proxy.onRequest((r) => {
      if (!stray && r.method === "PUT" && r.url.includes("/promoted/raced/1/") && typeof r.headers["x-ms-copy-source"] === "string") {
        stray = h.qaContainer.getBlockBlobClient("promoted/raced/1/stray.bin").upload("x", 1);
      }
    });
    await expect(h.provider.create(h.inputs("raced", "1", { copyConcurrency: 1 }))).rejects.toThrow(
      /nothing registered: target files do not match the source after copying \(stray\.bin: not part of the model\)/,
    );
    await stray;
    expect(h.copies()).toHaveLength(3);
    expect(modelPuts("raced")).toEqual([]);
    expect(h.aml.get(versionPath(QA, "raced", "1"))).toBeUndefined();

    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("raced", "1", { copyConcurrency: 1 }));
    expect(h.copies()).toEqual([]);
    expect(await h.qaContainer.getBlobClient("promoted/raced/1/stray.bin").exists()).toBe(false);
    expect(Object.keys(outs.targetEtags ?? {}).sort()).toEqual(["a.bin", "b.bin", "c.bin"]);
    expect(modelPuts("raced")).toHaveLength(1);
  });

  it("survives 429 and 503 with Retry-After from Azure ML and a connection reset mid-copy", async () => {
    await h.seedModel("resilient", "1", { "a.bin": "a".repeat(1000), "b.bin": "b".repeat(1000) });
    h.resetCounters();
    h.aml.inject({ method: "GET", path: "/models/resilient/versions/1", kind: "throttle", retryAfterSeconds: 1 });
    h.aml.inject({ method: "PUT", path: "/models/resilient/versions/1", kind: "unavailable", retryAfterSeconds: 1 });
    h.proxy.inject({ method: "PUT", path: "/promoted/resilient/1/b.bin", kind: "reset" });
    const { outs } = await h.provider.create(h.inputs("resilient", "1"));
    expect(outs.files).toBe(2);
    expect(h.aml.pendingFaults()).toBe(0);
    expect(h.proxy.pendingFaults()).toBe(0);
    expect(h.aml.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(["throttle", "unavailable"]);
    expect(h.proxy.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(["reset"]);
    expect(modelPuts("resilient").map((r) => r.status)).toEqual([201]);
  });

  it("refuses to overwrite a target version that holds different content", async () => {
    await h.seedModel("clash", "1", { "m.bin": "upstream" });
    h.aml.seed(versionPath(QA, "clash", "1"), { properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/other", tags: {} } });
    h.resetCounters();
    await expect(h.provider.create(h.inputs("clash", "1"))).rejects.toThrow(/already exists in target workspace 'mlw-mlops-qa'.*not registered by promotion/);
    expect(h.aml.writes()).toEqual([]);
    expect(h.copies()).toEqual([]);
  });

  it("names the missing source version and workspace", async () => {
    await expect(h.provider.create(h.inputs("churn", "99"))).rejects.toThrow(/model 'churn' version '99' not found in source workspace 'mlw-mlops-dev'/);
  });
});

describe("read and delete", () => {
  it("read detects a corrupted target file; the next update repairs only that file", async () => {
    await h.seedModel("drift", "1", { "a.bin": "a".repeat(64), "b.bin": "b".repeat(64) });
    const { id, outs } = await h.provider.create(h.inputs("drift", "1"));
    const clean = await h.provider.read!(id, outs);
    expect(clean.props).toMatchObject({ filesIntact: true, archived: false, fileProblems: [] });
    expect(clean.inputs).toEqual(h.inputs("drift", "1"));

    await h.qaContainer.getBlockBlobClient("promoted/drift/1/b.bin").uploadData(Buffer.from("tampered"));
    const drifted = await h.provider.read!(id, outs);
    expect(drifted.props.filesIntact).toBe(false);
    expect(drifted.props.fileProblems).toEqual([expect.stringMatching(/^b\.bin: length 8, expected 64/)]);
    const diff = await h.provider.diff(id, drifted.props, drifted.inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    h.resetCounters();
    const repaired = await h.provider.update!(id, drifted.props, drifted.inputs);
    expect(h.copies()).toEqual([`/stmlopsqa/${QA_CONTAINER}/promoted/drift/1/b.bin`]);
    expect(modelPuts("drift")).toEqual([]);
    expect((await h.provider.read!(id, repaired.outs)).props.filesIntact).toBe(true);
  });

  it("read finds a target file rewritten with the same length, even with the promoted Content-MD5 forged on it; the next update repairs it", async () => {
    const original = { "w.bin": "w".repeat(256), "x.bin": "x".repeat(256) };
    await h.seedModel("samelen", "1", original);
    const { id, outs } = await h.provider.create(h.inputs("samelen", "1"));
    expect(Object.keys(outs.targetEtags ?? {}).sort()).toEqual(["w.bin", "x.bin"]);

    // Same length, different bytes, uploaded with no MD5: the service computes the new one.
    const w = h.qaContainer.getBlockBlobClient("promoted/samelen/1/w.bin");
    await w.uploadData(Buffer.from("W".repeat(256)));
    const first = await h.provider.read!(id, outs);
    expect(first.props.filesIntact).toBe(false);
    expect(first.props.fileProblems).toEqual([expect.stringMatching(/^w\.bin: Content-MD5 /)]);

    // Same length, different bytes, then the source's MD5 set as the blob's property: Set Blob
    // Properties stores x-ms-blob-content-md5 as sent, without reading the body.
    const x = h.qaContainer.getBlockBlobClient("promoted/samelen/1/x.bin");
    await x.uploadData(Buffer.from("X".repeat(256)));
    await x.setHTTPHeaders({ blobContentMD5: md5(original["x.bin"]) });
    expect(Buffer.from((await x.getProperties()).contentMD5!).equals(md5(original["x.bin"]))).toBe(true);
    const second = await h.provider.read!(id, outs);
    expect(second.props.fileProblems).toEqual([
      expect.stringMatching(/^w\.bin: Content-MD5 /),
      expect.stringMatching(/^x\.bin: rewritten after promotion \(ETag /),
    ]);
    expect((await h.provider.diff(id, second.props, second.inputs)).changes).toBe(true);

    h.resetCounters();
    const repaired = await h.provider.update!(id, second.props, second.inputs);
    expect(h.copies().sort()).toEqual(["w.bin", "x.bin"].map((f) => `/stmlopsqa/${QA_CONTAINER}/promoted/samelen/1/${f}`));
    expect((await w.downloadToBuffer()).toString()).toBe(original["w.bin"]);
    expect((await x.downloadToBuffer()).toString()).toBe(original["x.bin"]);
    const after = await h.provider.read!(id, repaired.outs);
    expect(after.props).toMatchObject({ filesIntact: true, fileProblems: [] });
  });

  it("each copy request carries the source's MD5 (x-ms-source-content-md5), which the service checks against the source", async () => {
    const files = { "m.bin": "m".repeat(300), "n.bin": "n".repeat(20) };
    await h.seedModel("md5hdr", "1", files);
    h.resetCounters();
    await h.provider.create(h.inputs("md5hdr", "1"));
    const copyPuts = h.proxy.requests.filter((r) => r.method === "PUT" && typeof r.headers["x-ms-copy-source"] === "string" && !r.fault);
    expect(copyPuts).toHaveLength(2);
    for (const r of copyPuts) {
      const rel = new URL(r.url).pathname.split("/").pop() as keyof typeof files;
      expect(r.headers["x-ms-source-content-md5"]).toBe(md5(files[rel]).toString("base64"));
      expect(String(r.headers["x-ms-copy-source"])).toContain(`/${DEV_ACCOUNT}/`);
    }
  });

  it("read reports a deleted target version as gone, and an archived one for restoring", async () => {
    await h.seedModel("gone", "1", { "a.bin": "a" });
    const { id, outs } = await h.provider.create(h.inputs("gone", "1"));
    await h.provider.delete(id, outs);
    const archived = await h.provider.read!(id, outs);
    expect(archived.props.archived).toBe(true);
    expect((await h.provider.diff(id, archived.props, archived.inputs)).changes).toBe(true);

    h.aml.remove(versionPath(QA, "gone", "1"));
    expect(await h.provider.read!(id, outs)).toEqual({});
  });

  it("delete with archiveOnDelete=false removes the version and its files", async () => {
    await h.seedModel("scratch", "1", { "a.bin": "a", "b/c.bin": "c" });
    const { id, outs } = await h.provider.create(h.inputs("scratch", "1", { archiveOnDelete: false }));
    await h.provider.delete(id, outs);
    expect(h.aml.get(versionPath(QA, "scratch", "1"))).toBeUndefined();
    const left: string[] = [];
    for await (const b of h.qaContainer.listBlobsFlat({ prefix: "promoted/scratch/" })) left.push(b.name);
    expect(left).toEqual([]);
  });
});

describe("replace versus update", () => {
  it("only another target version replaces; the same target version reached differently updates in place and archives nothing", async () => {
    await h.seedModel("ident", "1", { "m.bin": "m" });
    const { id, outs } = await h.provider.create(h.inputs("ident", "1"));
    const qa = { ...QA, datastoreName: "workspaceblobstore" };
    const explicitStorage = h.inputs("ident", "1", { target: { ...qa, storageAccountName: QA_ACCOUNT, containerName: QA_CONTAINER } });
    h.resetCounters();
    // Pulumi creates a replacement before deleting the old one: a "replacement" of the same target
    // version would adopt it and then archive it. These are updates.
    expect(await h.provider.diff(id, outs, explicitStorage)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await h.provider.diff(id, outs, h.inputs("ident", "1", { source: { ...DEV, workspaceName: "mlw-mlops-dev-renamed" } }))).toMatchObject({ changes: true, replaces: [] });
    expect(await h.provider.diff(id, outs, h.inputs("ident", "1", { target: { ...qa, workspaceName: QA.workspaceName.toUpperCase() } }))).toMatchObject({ changes: false, replaces: [] });
    expect(await h.provider.diff(id, outs, h.inputs("ident", "2"))).toMatchObject({ changes: true, replaces: ["version"] });
    expect(await h.provider.diff(id, outs, h.inputs("ident", "1", { target: { ...qa, workspaceName: "mlw-other" } }))).toMatchObject({ changes: true, replaces: ["target.workspaceName"] });
    expect(h.aml.requests).toEqual([]);

    const updated = await h.provider.update!(id, outs, explicitStorage);
    expect(updated.outs).toMatchObject({ modelId: id, contentHash: outs.contentHash, targetStorageAccountName: QA_ACCOUNT, targetContainerName: QA_CONTAINER });
    expect(h.copies()).toEqual([]);
    expect(h.aml.writes()).toEqual([]);
    expect(h.aml.get(versionPath(QA, "ident", "1")).properties.isArchived).toBe(false);
  });
});

describe("check", () => {
  it("reports every bad input at once, and fills defaults", async () => {
    const { failures } = await h.provider.check({}, {
      modelName: "bad name",
      version: "",
      source: { ...DEV },
      target: { ...DEV, datastoreName: "Bad-Store" },
      copyConcurrency: 0,
    });
    expect(failures!.map((f) => f.property).sort()).toEqual(["copyConcurrency", "modelName", "target.datastoreName", "target.workspaceName", "version"]);
    const ok = await h.provider.check({}, { modelName: "churn", version: "3", source: DEV, target: QA });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toMatchObject({
      target: { ...QA, datastoreName: "workspaceblobstore" },
      approvalTag: { key: "stage", value: "production" },
      armEndpoint: "https://management.azure.com",
      blobEndpointTemplate: "https://{account}.blob.{suffix}",
      archiveOnDelete: true,
    });
  });

  it("leaves values unknown at preview alone", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const { failures } = await h.provider.check({}, { modelName: "churn", version: unknown, source: DEV, target: QA });
    expect(failures).toEqual([]);
  });
});
