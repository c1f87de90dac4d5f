import * as https from "node:https";
import { createHash } from "node:crypto";
import type { RestError } from "@azure/core-rest-pipeline";
import { BlobSASPermissions, generateBlobSASQueryParameters } from "@azure/storage-blob";
import { startAzurite, Azurite } from "./azurite";
import { startAmlServer, AmlServer } from "./amlServer";
import { startForwardProxy } from "./forwardProxy";
import { mintToken } from "./tokens";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const RG = "rg-ml-dev";
const WS = "mlw-dev";

describe("azurite test server", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite({ accounts: ["devstore", "qastore"] });
  });
  afterAll(() => azurite.stop());

  it("serves two accounts on an ephemeral loopback port", () => {
    expect(azurite.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(azurite.accounts.map((a) => a.name)).toEqual(["devstore", "qastore"]);
    expect(azurite.blobEndpoint("qastore")).toBe(`${azurite.url}/qastore`);
    expect(() => azurite.blobEndpoint("other")).toThrow(/unknown account/);
  });

  it("copies a blob server-side across accounts with a read SAS and keeps Content-MD5", async () => {
    const src = azurite.serviceClient("devstore").getContainerClient("models");
    const dst = azurite.serviceClient("qastore").getContainerClient("promoted");
    await src.createIfNotExists();
    await dst.createIfNotExists();
    const data = Buffer.from("weights".repeat(1000));
    const md5 = createHash("md5").update(data).digest();
    await src.getBlockBlobClient("m/weights.bin").uploadData(data, { blobHTTPHeaders: { blobContentMD5: md5 } });

    const sas = generateBlobSASQueryParameters(
      { containerName: "models", blobName: "m/weights.bin", permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 600_000) },
      azurite.credential("devstore"),
    ).toString();
    const target = dst.getBlockBlobClient("copy/weights.bin");
    const copy = await target.syncCopyFromURL(`${src.getBlockBlobClient("m/weights.bin").url}?${sas}`);
    expect(copy.copyStatus).toBe("success");

    const props = await target.getProperties();
    expect(props.contentLength).toBe(data.length);
    expect(Buffer.from(props.contentMD5!).equals(md5)).toBe(true);
  });
});

describe("azurite with Azure AD tokens over HTTPS", () => {
  it("issues a user delegation key whose SAS authorizes a cross-account server-side copy", async () => {
    const azurite = await startAzurite({ accounts: ["aadsrc", "aaddst"], oauth: true });
    try {
      expect(azurite.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const srcService = azurite.serviceClient("aadsrc", {}, "token");
      const src = srcService.getContainerClient("models");
      const dst = azurite.serviceClient("aaddst", {}, "token").getContainerClient("promoted");
      await src.create();
      await dst.create();
      await src.getBlockBlobClient("m.bin").uploadData(Buffer.from("model"));
      const key = await srcService.getUserDelegationKey(new Date(Date.now() - 60_000), new Date(Date.now() + 600_000));
      const sas = generateBlobSASQueryParameters(
        { containerName: "models", blobName: "m.bin", permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 600_000) },
        key,
        "aadsrc",
      ).toString();
      expect(sas).toMatch(/skoid=/);
      const copy = await dst.getBlockBlobClient("m.bin").syncCopyFromURL(`${src.getBlockBlobClient("m.bin").url}?${sas}`);
      expect(copy.copyStatus).toBe("success");
      const forged = sas.replace(/sig=[^&]+/, "sig=AAAA");
      await expect(dst.getBlockBlobClient("m2.bin").syncCopyFromURL(`${src.getBlockBlobClient("m.bin").url}?${forged}`)).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await azurite.stop();
    }
  });
});

describe("forward proxy in front of azurite", () => {
  it("counts the client's bytes, keeps server-side copies off the link, and injects resets", async () => {
    const azurite = await startAzurite({ accounts: ["srcacct", "dstacct"] });
    const proxy = await startForwardProxy({ linkMiBps: 64 });
    try {
      const retryOptions = { maxTries: 4, retryDelayInMs: 10, maxRetryDelayInMs: 50 };
      const src = azurite.serviceClient("srcacct", { proxyOptions: proxy.proxyOptions, retryOptions }).getContainerClient("ctr");
      const dst = azurite.serviceClient("dstacct", { proxyOptions: proxy.proxyOptions, retryOptions }).getContainerClient("ctr");
      await src.create();
      await dst.create();
      const data = Buffer.alloc(2 * 1024 * 1024, 7);
      await src.getBlockBlobClient("big.bin").uploadData(data);
      expect(proxy.bytes.up).toBeGreaterThan(data.length);

      proxy.reset();
      proxy.inject({ method: "PUT", path: "/dstacct/ctr/copy.bin", kind: "reset" });
      const sas = generateBlobSASQueryParameters(
        { containerName: "ctr", blobName: "big.bin", permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 600_000) },
        azurite.credential("srcacct"),
      ).toString();
      const copy = await dst.getBlockBlobClient("copy.bin").syncCopyFromURL(`${src.getBlockBlobClient("big.bin").url}?${sas}`);
      expect(copy.copyStatus).toBe("success");
      expect(proxy.requests.map((r) => r.fault ?? r.status)).toEqual(["reset", 202]);
      expect(proxy.bytes.up + proxy.bytes.down).toBeLessThan(64 * 1024);
      expect((await dst.getBlockBlobClient("copy.bin").getProperties()).contentLength).toBe(data.length);
    } finally {
      await proxy.close();
      await azurite.stop();
    }
  });
});

describe("Azure ML REST test server", () => {
  let aml: AmlServer;
  const ws = () => aml.workspacePath(SUB, RG, WS);
  beforeAll(async () => {
    aml = await startAmlServer({ pageSize: 2 });
    aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, storageAccountName: "devstore" });
  });
  afterAll(() => aml.close());
  beforeEach(() => aml.clearRequests());

  function rawGet(path: string): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      https
        .get(`${aml.url}${path}`, { agent: aml.tls.agent, headers: { authorization: `Bearer ${mintToken({ audience: "https://management.azure.com" }).token}` } }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        })
        .on("error", reject);
    });
  }

  async function registerModel(client = aml.client(SUB), version: string, tags: Record<string, string>) {
    return client.modelVersions.createOrUpdate(RG, WS, "churn", version, {
      properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/models/churn/${version}/`, modelType: "custom_model", tags },
    });
  }

  it("answers the workspace GET with its storage account and discovery URL, and its default datastore", async () => {
    const client = aml.client(SUB);
    const workspace = await client.workspaces.get(RG, WS);
    expect(workspace.storageAccount).toBe(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/devstore`);
    expect(workspace.discoveryUrl).toMatch(/^https:\/\/westeurope\.api\.azureml\.ms\/discovery$/);
    expect(workspace.id).toBe(ws());
    const ds = await client.datastores.get(RG, WS, "workspaceblobstore");
    expect(ds.properties).toMatchObject({ datastoreType: "AzureBlob", accountName: "devstore" });
    expect(aml.requests.every((r) => r.query["api-version"] === "2022-10-01")).toBe(true);
  });

  it("creates and replaces model versions, keeps the container's latest version, and enforces immutability", async () => {
    const client = aml.client(SUB);
    const v1 = await registerModel(client, "1", { stage: "production" });
    expect(v1.id).toBe(`${ws()}/models/churn/versions/1`);
    expect(v1.name).toBe("1");
    expect(v1.type).toBe("Microsoft.MachineLearningServices/workspaces/models/versions");
    expect(v1.systemData?.createdAt).toBeInstanceOf(Date);
    expect(aml.requests.at(-1)!.status).toBe(201);

    await registerModel(client, "1", {});
    expect(aml.requests.at(-1)!.status).toBe(200);
    expect((await client.modelVersions.get(RG, WS, "churn", "1")).properties.tags).toEqual({});

    await registerModel(client, "2", {});
    expect((await client.modelContainers.get(RG, WS, "churn")).properties.latestVersion).toBe("2");

    const changed = client.modelVersions.createOrUpdate(RG, WS, "churn", "2", {
      properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/elsewhere/", tags: {} },
    });
    await expect(changed).rejects.toMatchObject({ statusCode: 409, code: "UserError" });
  });

  it("answers a missing asset with 404 and the ARM error shape", async () => {
    const err = (await aml.client(SUB).modelVersions.get(RG, WS, "churn", "404").catch((e) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("UserError");
    const wsErr = (await aml.client(SUB).workspaces.get(RG, "missing").catch((e) => e)) as RestError;
    expect(wsErr.statusCode).toBe(404);
    expect(wsErr.code).toBe("ResourceNotFound");
    const raw = await rawGet(`${ws()}/models/none/versions/1?api-version=2022-10-01`);
    expect(raw).toEqual({ status: 404, body: { error: { code: "UserError", message: expect.any(String) } } });
  });

  it("rejects a request without api-version or without a bearer token", async () => {
    const raw = await rawGet(`${ws()}/models`);
    expect(raw.status).toBe(400);
    expect(raw.body.error.code).toBe("MissingApiVersionParameter");
    const anonymous = await new Promise<number>((resolve, reject) =>
      https.get(`${aml.url}${ws()}?api-version=2022-10-01`, { agent: aml.tls.agent }, (res) => resolve(res.statusCode!)).on("error", reject),
    );
    expect(anonymous).toBe(401);
  });

  it("finds the newest approved version with the SDK's tag/order/top query, across pages", async () => {
    const client = aml.client(SUB);
    const name = "fraud";
    const t0 = Date.parse("2024-01-01T00:00:00Z");
    // Seeded in order 1..5 but lower versions created later: ordering must follow createdAt, not insertion.
    for (let v = 1; v <= 5; v++) {
      aml.seed(
        `${ws()}/models/${name}/versions/${v}`,
        { properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/${v}`, tags: v % 2 ? { stage: "production" } : { stage: "dev" }, isArchived: v === 5 } },
        new Date(t0 + (10 - v) * 60_000).toISOString(),
      );
    }
    const approved = [];
    for await (const mv of client.modelVersions.list(RG, WS, name, { tags: "stage=production", orderBy: "createdtime desc", top: 1 })) approved.push(mv.name);
    expect(approved).toEqual(["1"]);
    expect(aml.requests.at(-1)!.query).toMatchObject({ tags: "stage=production", $orderBy: "createdtime desc", $top: "1" });

    const all = [];
    for await (const mv of client.modelVersions.list(RG, WS, name, { listViewType: "All" })) all.push(mv.name);
    expect(all).toEqual(["1", "2", "3", "4", "5"]);
    expect(aml.reads(`/models/${name}/versions`).length).toBe(1 + 3); // pageSize 2: three pages
    const newestFirst = [];
    for await (const mv of client.modelVersions.list(RG, WS, name, { listViewType: "All", orderBy: "createdtime desc" })) newestFirst.push(mv.name);
    expect(newestFirst).toEqual(["1", "2", "3", "4", "5"]);
    const oldestFirst = [];
    for await (const mv of client.modelVersions.list(RG, WS, name, { listViewType: "All", orderBy: "createdtime asc" })) oldestFirst.push(mv.name);
    expect(oldestFirst).toEqual(["5", "4", "3", "2", "1"]);
    const active = [];
    for await (const mv of client.modelVersions.list(RG, WS, name)) active.push(mv.name);
    expect(active).not.toContain("5");
  });

  it("survives 429 and 503 with Retry-After and a connection reset through the SDK's retry policy", async () => {
    const client = aml.client(SUB);
    aml.inject({ method: "GET", path: "/models/churn/versions/1", kind: "throttle", retryAfterSeconds: 1 });
    aml.inject({ method: "GET", path: "/models/churn/versions/1", kind: "unavailable", retryAfterSeconds: 1 });
    aml.inject({ method: "GET", path: "/models/churn/versions/1", kind: "reset" });
    const mv = await client.modelVersions.get(RG, WS, "churn", "1");
    expect(mv.name).toBe("1");
    expect(aml.requests.map((r) => r.fault ?? r.status)).toEqual(["throttle", "unavailable", "reset", 200]);
    expect(aml.pendingFaults()).toBe(0);
  });

  it("counts writes and reads separately", async () => {
    const client = aml.client(SUB);
    await registerModel(client, "7", {});
    await client.modelVersions.get(RG, WS, "churn", "7");
    await client.modelVersions.delete(RG, WS, "churn", "7");
    expect(aml.writes().map((r) => r.method)).toEqual(["PUT", "DELETE"]);
    expect(aml.reads().length).toBe(1);
    expect(aml.get(`${ws()}/models/churn/versions/7`)).toBeUndefined();
  });

  it("runs long-running operations through Azure-AsyncOperation polling", async () => {
    const client = aml.client(SUB);
    const created = await client.workspaces.beginCreateOrUpdateAndWait(
      RG,
      "mlw-lro",
      { location: "westeurope", storageAccount: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z" },
      { updateIntervalInMs: 5 },
    );
    expect(created.provisioningState).toBe("Succeeded");
    expect(aml.requests.some((r) => /mfeOperationsStatus/.test(r.path))).toBe(true);

    aml.inject({ method: "PUT", path: "/onlineEndpoints/ep1", kind: "lroFailure" });
    const failing = client.onlineEndpoints.beginCreateOrUpdateAndWait(
      RG,
      "mlw-lro",
      "ep1",
      { location: "westeurope", identity: { type: "SystemAssigned" }, properties: { authMode: "Key" } },
      { updateIntervalInMs: 5 },
    );
    await expect(failing).rejects.toThrow();

    await client.workspaces.beginDeleteAndWait(RG, "mlw-lro", { updateIntervalInMs: 5 });
    expect(aml.get(aml.workspacePath(SUB, RG, "mlw-lro"))).toBeUndefined();
  });

  it("drives job statuses and cancels jobs", async () => {
    const client = aml.client(SUB);
    const job = await client.jobs.createOrUpdate(RG, WS, "train-1", {
      properties: { jobType: "Command", command: "python train.py", environmentId: "azureml:env:1", computeId: "cpu" } as any,
    });
    expect(job.properties.status).toBe("Starting");
    aml.queueJobStatuses(`${ws()}/jobs/train-1`, ["Running", "Completed"]);
    expect((await client.jobs.get(RG, WS, "train-1")).properties.status).toBe("Running");
    expect((await client.jobs.get(RG, WS, "train-1")).properties.status).toBe("Completed");
    expect((await client.jobs.get(RG, WS, "train-1")).properties.status).toBe("Completed");

    await client.jobs.createOrUpdate(RG, WS, "train-2", { properties: { jobType: "Command", command: "x", environmentId: "e", computeId: "c" } as any });
    await client.jobs.beginCancelAndWait(RG, WS, "train-2", { updateIntervalInMs: 5 });
    expect((await client.jobs.get(RG, WS, "train-2")).properties.status).toBe("Canceled");

    const tagged = [];
    for await (const j of client.jobs.list(RG, WS)) tagged.push(j.name);
    expect(tagged).toEqual(["train-1", "train-2"]);
  });

  it("refuses a child of a missing workspace", async () => {
    const err = (await aml
      .client(SUB)
      .modelVersions.createOrUpdate(RG, "nope", "m", "1", { properties: { modelUri: "x" } })
      .catch((e) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ParentResourceNotFound");
  });
});
