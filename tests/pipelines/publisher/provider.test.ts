/**
 * The PublishedPipeline provider against Azurite and the local Azure ML REST server, with the real
 * Azure SDK clients: what it sends, what it skips, what it finds and what it removes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { API_VERSIONS } from "../../../components/shared/azure";
import type { PublishedPipelineInputs, PublishedPipelineOutputs } from "../../../pipelines/publisher/provider";
import { planRequests } from "../../../pipelines/publisher/restBodies";
import { snapshotFolder } from "../../../components/mlAssets/snapshot";
import { CONTAINER, Harness, startHarness, ws } from "./publisherHarness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function listBlobs(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of h.container.listBlobsFlat({ prefix })) names.push(b.name);
  return names.sort();
}

const assetPuts = () => h.aml.writes().filter((r) => r.method === "PUT");

describe("publishing the training pipeline", () => {
  let inputs: PublishedPipelineInputs;
  let outs: PublishedPipelineOutputs;

  test("create publishes exactly what the definition says, with the bodies on the wire intact", async () => {
    inputs = h.inputs("training");
    h.clearRecords();
    const created = await h.provider.create(inputs);
    outs = created.outs!;
    expect(created.id).toBe(
      `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}/components/training_badpixels`,
    );

    const expected = planRequests(inputs.workspace, inputs.plan, inputs.storage, inputs.tags);
    const order = [...expected.codes, ...expected.environments, ...expected.components, expected.pipeline];
    const puts = assetPuts();
    expect(puts.map((r) => r.path).sort()).toEqual(order.map((r) => r.path).sort());
    for (const r of order) {
      const sent = puts.find((p) => p.path === r.path)!;
      expect(sent.query["api-version"]).toBe(API_VERSIONS.machineLearningAssets);
      expect(sent.headers["content-type"]).toMatch(/^application\/json/);
      expect(sent.body).toEqual(r.body);
    }
    expect(h.aml.writes().filter((r) => r.method !== "PUT")).toEqual([]);

    // Kinds in dependency order: every code before any component, every component before the pipeline.
    const kindAt = (i: number) => (puts[i].path.includes("/codes/") ? 0 : puts[i].path.includes("/environments/") ? 1 : puts[i].path.endsWith(`/versions/${inputs.plan.contentHash}`) ? 3 : 2);
    expect(puts.map((_, i) => kindAt(i))).toEqual([...puts.map((_, i) => kindAt(i))].sort());

    const pipelineBody = puts.find((p) => p.path === expected.pipeline.path)!.body as any;
    const train = pipelineBody.properties.componentSpec.jobs.train;
    expect(train.componentId).toBe(inputs.componentIds.train);
    expect(train.computeId).toBe(
      `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}/computes/mlops-dev-gpu`,
    );
    expect(pipelineBody.properties.componentSpec.type).toBe("pipeline");
    expect(pipelineBody.properties.tags).toMatchObject({ "managed-by": "pulumi", stack: "dev", "content-hash": inputs.plan.contentHash });

    const extractBody = puts.find((p) => p.path.includes("/components/training_badpixels_extract_frames/"))!.body as any;
    expect(extractBody.properties.componentSpec.task.code).toBe(
      `azureml:/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}/codes/training_badpixels_extract_frames/versions/${inputs.plan.codes[0].version}`,
    );

    expect(outs).toMatchObject({
      pipelineName: "training_badpixels",
      contentHash: inputs.plan.contentHash,
      pipelineComponentId: inputs.pipelineComponentId,
      drift: [],
    });
    expect(outs.published).toHaveLength(order.length);
  });

  test("step code lands in the workspace's default container, once per file, byte for byte", async () => {
    for (const code of inputs.plan.codes) {
      const snapshot = snapshotFolder(path.join(h.root, code.folder));
      expect(await listBlobs(`${code.blobPrefix}/`)).toEqual(snapshot.files.map((f) => `${code.blobPrefix}/${f.path}`).sort());
      const first = snapshot.files[0];
      const bytes = await h.container.getBlobClient(`${code.blobPrefix}/${first.path}`).downloadToBuffer();
      expect(bytes).toEqual(fs.readFileSync(path.join(h.root, code.folder, first.path)));
      const request = planRequests(ws, inputs.plan, inputs.storage, inputs.tags).codes.find((r) => r.name === code.name)!;
      expect(h.aml.get(request.path).properties.codeUri).toBe(`${inputs.storage.blobEndpoint}/${CONTAINER}/${code.blobPrefix}`);
    }
    const uploads = h.blobWrites().filter((r) => r.method === "PUT");
    expect(uploads).toHaveLength(inputs.plan.codes.reduce((n, c) => n + c.files, 0));
  });

  test("diff with no change is empty and calls nothing; a second create adopts with zero writes", async () => {
    h.clearRecords();
    const diff = await h.provider.diff("id", outs, h.inputs("training"));
    expect(diff.changes).toBe(false);
    expect(h.aml.requests).toHaveLength(0);
    expect(h.blobRequests()).toHaveLength(0);

    const again = await h.provider.create(h.inputs("training"));
    expect(again.outs!.contentHash).toBe(outs.contentHash);
    expect(h.aml.writes()).toEqual([]);
    expect(h.blobWrites()).toEqual([]);
    expect(h.aml.reads().length).toBeGreaterThan(0);
  });

  test("a change in one step's code republishes that step's code and component, and the pipeline, only", async () => {
    const file = path.join(h.root, "pipelines/steps/frame_features/frame_features.py");
    fs.appendFileSync(file, "\n# a tuning note\n");
    const news = h.inputs("training");
    const diff = await h.provider.diff("id", outs, news);
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    h.clearRecords();
    const updated = await h.provider.update("id", outs, news);
    const changedCode = news.plan.codes.find((c) => c.folder.endsWith("frame_features"))!;
    const changedComponent = news.plan.components.find((c) => c.step === "frame_features")!;
    expect(assetPuts().map((r) => r.path.replace(/^.*\/workspaces\/[^/]+\//, "")).sort()).toEqual(
      [
        `codes/${changedCode.name}/versions/${changedCode.version}`,
        `components/${changedComponent.name}/versions/${changedComponent.version}`,
        `components/training_badpixels/versions/${news.plan.contentHash}`,
      ].sort(),
    );
    // A new code version is a new prefix: that folder's files, and only them, are uploaded under it.
    expect(h.blobWrites().every((r) => r.url.includes(changedCode.blobPrefix))).toBe(true);
    expect(h.blobWrites()).toHaveLength(changedCode.files);
    // Old versions stay recorded until delete: a job or schedule may still run them.
    expect(updated.outs!.published.length).toBe(outs.published.length + 3);
    outs = updated.outs!;
    inputs = news;
  });

  test(".amlignore keeps excluded files out of storage", async () => {
    const scratch = path.join(h.root, "pipelines/steps/bad_pixels/local_data");
    fs.mkdirSync(scratch, { recursive: true });
    fs.writeFileSync(path.join(scratch, "sample.bin"), Buffer.alloc(4096, 7));
    fs.writeFileSync(path.join(h.root, "pipelines/steps/bad_pixels/notes.pyc"), "x");
    const news = h.inputs("training");
    expect(news.plan.contentHash).toBe(inputs.plan.contentHash);
    expect(await h.provider.diff("id", outs, news)).toMatchObject({ changes: false });
    const code = news.plan.codes.find((c) => c.folder.endsWith("bad_pixels"))!;
    const stored = await listBlobs(`${code.blobPrefix}/`);
    expect(stored.some((b) => b.includes("local_data") || b.endsWith(".pyc"))).toBe(false);
    expect(stored).toContain(`${code.blobPrefix}/train.py`);
  });

  test("read reports nothing when Azure matches the plan", async () => {
    h.clearRecords();
    const read = await h.provider.read("id", outs);
    expect(read.id).toBe("id");
    expect(read.props!.drift).toEqual([]);
    expect(h.aml.writes()).toEqual([]);
    expect(read.inputs).toEqual(inputs);
  });

  test("read detects a deleted component, an archived environment, changed tags and missing code files", async () => {
    const req = planRequests(ws, inputs.plan, inputs.storage, inputs.tags);
    const component = req.components.find((r) => r.name.endsWith("_train"))!;
    const environment = req.environments[0];
    const code = req.codes[1];
    h.aml.remove(component.path);
    const env = h.aml.get(environment.path);
    h.aml.seed(environment.path, { ...env, properties: { ...env.properties, isArchived: true } });
    const live = h.aml.get(code.path);
    h.aml.seed(code.path, { ...live, properties: { ...live.properties, tags: { ...live.properties.tags, "content-hash": "tampered" } } });
    const codePlan = inputs.plan.codes.find((c) => c.name === req.codes[2].name)!;
    await h.container.deleteBlob(`${codePlan.blobPrefix}/${snapshotFolder(path.join(h.root, codePlan.folder)).files[0].path}`);

    const read = await h.provider.read("id", outs);
    expect(read.props!.drift).toEqual(
      [
        `component ${component.name}:${component.version}: missing`,
        `environment ${environment.name}:${environment.version}: archived`,
        `code ${code.name}:${code.version}: tags differ (content-hash=tampered, expected ${code.version})`,
        `code ${codePlan.name}:${codePlan.version}: 1 of ${codePlan.files} files missing from storage`,
      ].sort(),
    );

    // The refreshed state makes the next up repair exactly what drifted.
    const diff = await h.provider.diff("id", read.props!, inputs);
    expect(diff.changes).toBe(true);
    h.clearRecords();
    const repaired = await h.provider.update("id", read.props!, inputs);
    expect(assetPuts().map((r) => r.path).sort()).toEqual([component.path, environment.path, code.path].sort());
    expect(h.blobWrites().map((r) => r.method)).toEqual(["PUT"]);
    expect((await h.provider.read("id", repaired.outs!)).props!.drift).toEqual([]);
    outs = repaired.outs!;
  });

  test("read of a deleted published pipeline reports the resource gone", async () => {
    const req = planRequests(ws, inputs.plan, inputs.storage, inputs.tags);
    const saved = h.aml.get(req.pipeline.path);
    h.aml.remove(req.pipeline.path);
    expect((await h.provider.read("id", outs)).id).toBe("");
    h.aml.seed(req.pipeline.path, saved);
  });

  test("throttling and a transient 503 are retried by the SDK pipeline; nothing is duplicated", async () => {
    const news = h.inputs("training", { name: "feature/retry", slug: "retry" });
    h.aml.inject({ method: "PUT", path: "/components/", kind: "throttle", retryAfterSeconds: 0 });
    h.aml.inject({ method: "PUT", path: "/environments/", kind: "unavailable", retryAfterSeconds: 0 });
    h.clearRecords();
    const created = await h.provider.create(news);
    expect(h.aml.pendingFaults()).toBe(0);
    const faulted = h.aml.requests.filter((r) => r.fault);
    expect(faulted.map((r) => r.fault).sort()).toEqual(["throttle", "unavailable"]);
    const succeeded = assetPuts().filter((r) => !r.fault);
    expect(new Set(succeeded.map((r) => r.path)).size).toBe(succeeded.length);
    expect(created.outs!.pipelineName).toMatch(/^training_badpixels_retry/);
    await h.provider.delete("id", created.outs!);
  });

  test("a create that fails half-way registers nothing, and the retry adopts what was already published", async () => {
    const news = h.inputs("training", { name: "feature/partial", slug: "partial" });
    h.aml.inject({ method: "PUT", path: `/components/${news.plan.pipelineComponent.name}/`, kind: "status", status: 400, code: "UserError", times: 1 });
    await expect(h.provider.create(news)).rejects.toThrow(/400 UserError/);
    h.clearRecords();
    const created = await h.provider.create(news);
    expect(assetPuts().map((r) => r.path)).toEqual([created.outs!.pipelineComponentId]);
    expect(h.blobWrites()).toEqual([]);
    await h.provider.delete("id", created.outs!);
  });

  test("a failing write waits for the writes beside it: none lands after the create has failed", async () => {
    const news = h.inputs("training", { name: "feature/settle", slug: "settle" });
    const [refused, slow] = planRequests(ws, news.plan, news.storage, news.tags).components;
    expect(slow).toBeDefined();
    h.aml.inject({ method: "PUT", path: refused.path, kind: "status", status: 400, code: "UserError" });
    h.aml.inject({ method: "PUT", path: slow.path, kind: "slow", delayMs: 400 });
    h.clearRecords();
    await expect(h.provider.create(news)).rejects.toThrow(/400 UserError/);
    // Promise.all would have failed at the 400 with the slow PUT still unanswered (status 0).
    expect(h.aml.writes().filter((r) => r.path === slow.path).map((r) => r.status)).toEqual([201]);
    expect(h.aml.get(refused.path)).toBeUndefined();
    // The rerun converges; its delete leaves the workspace as the next test expects it.
    const created = await h.provider.create(news);
    await h.provider.delete("id", created.outs!);
  });

  test("delete archives every version it published (Azure refuses to delete them), removes the uploaded code, and touches nothing else", async () => {
    const foreign = `${h.aml.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName)}/components/someone_elses/versions/1`;
    h.aml.seed(foreign, { properties: { componentSpec: { type: "command" }, tags: {} } });
    await h.container.getBlockBlobClient("LocalUpload/someone_elses/1/main.py").uploadData(Buffer.from("x"));

    h.clearRecords();
    await h.provider.delete("id", outs);
    // The contract (tests/support/contract): code, component and environment versions are archived,
    // not deleted, and a container holding versions stays.
    for (const a of outs.published) expect(h.aml.get(a.path)).toMatchObject({ properties: { isArchived: true } });
    const refused = h.aml.writes().filter((r) => r.method === "DELETE").map((r) => r.status);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((st) => st === 400 || st === 409)).toBe(true);
    const wsPath = h.aml.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName);
    for (const kind of ["components", "environments", "codes"]) {
      for (const c of h.aml.list(`${wsPath}/${kind}`).filter((c) => c.name.startsWith("training_badpixels"))) {
        expect(h.aml.list(`${wsPath}/${kind}/${c.name}/versions`).filter((v) => !v.properties.isArchived)).toEqual([]);
      }
    }
    expect(await listBlobs("LocalUpload/training_badpixels")).toEqual([]);
    expect(h.aml.get(foreign)).toBeDefined();
    expect(await listBlobs("LocalUpload/someone_elses/")).toEqual(["LocalUpload/someone_elses/1/main.py"]);
  });
});

describe("diff is pure and decides update versus replace", () => {
  test("another workspace replaces; tags, code, the ARM endpoint URL or a workspace name in other case update in place", async () => {
    const inputs = h.inputs("scoring");
    const olds = { ...inputs, pipelineName: inputs.plan.pipelineName, experimentName: "", modelName: "", contentHash: inputs.plan.contentHash, published: [], drift: [] };
    h.clearRecords();
    expect(await h.provider.diff("id", olds, { ...inputs, workspace: { ...ws, workspaceName: "other" } })).toMatchObject({ changes: true, replaces: ["workspace"] });
    expect(await h.provider.diff("id", olds, { ...inputs, tags: { ...inputs.tags, owner: "team" } })).toMatchObject({ changes: true, replaces: [] });
    expect(await h.provider.diff("id", olds, h.inputs("scoring", { name: "feature/y", slug: "y" }))).toMatchObject({ changes: true, replaces: expect.arrayContaining(["plan"]) });
    expect(await h.provider.diff("id", olds, inputs)).toMatchObject({ changes: false });
    // Same asset ids: a replace would create (adopting them) and then delete them. Update instead.
    expect(await h.provider.diff("id", olds, { ...inputs, armEndpoint: `${inputs.armEndpoint}/` })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const upper = { ...ws, resourceGroupName: ws.resourceGroupName.toUpperCase(), workspaceName: ws.workspaceName.toUpperCase() };
    expect(await h.provider.diff("id", olds, { ...inputs, workspace: upper })).toMatchObject({ changes: true, replaces: [] });
    expect(h.aml.requests).toEqual([]);
  });
});
