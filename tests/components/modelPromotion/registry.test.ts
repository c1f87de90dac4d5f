/**
 * The registry strategy (`mlops:RegistryModel`) against Azurite and the local Azure ML server: the
 * approved origin version is shared into the registry by the service's import (the server copies the
 * files, never the client), and the Kubernetes endpoints' workspaces get it through an import job the
 * provider submits on their own compute (the test plays the compute, reading the job's body). The
 * client moves 0 model bytes throughout.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { DEV, PROD, QA, Harness, startHarness } from "./harness";
import { RegistryModelProvider } from "../../../components/modelPromotion/registryProvider";
import { restRegistryClient, RegistryCoordinates, registryModelUri } from "../../../components/modelPromotion/registryClient";
import { REGISTRY_LINEAGE, RegistryModelInputs, RegistryModelOutputs } from "../../../components/modelPromotion/registryPromotion";
import { approvalOf } from "../../../components/modelPromotion/resolve";
import type { PromotionClientFactory } from "../../../components/modelPromotion/clients";
import { LINEAGE, ORIGIN_APPROVAL } from "../../../components/modelPromotion/types";

const REGISTRY: RegistryCoordinates = { subscriptionId: "55555555-5555-5555-5555-555555555555", resourceGroupName: "rg-mlops-shared", registryName: "mlreg-mlops" };
const REGISTRY_ACCOUNT = "stmlopsregistry";
const REGISTRY_CONTAINER = "registry-assets";
const ENV_ID = "azureml://registries/azureml/environments/sklearn-1.5/versions/1";

let h: Harness;
let provider: RegistryModelProvider;
let registryContainer: ContainerClient;
/** Jobs the test's "compute" ran: job path → the body it ran. */
const jobsRun: { path: string; body: any }[] = [];
const hooks: { import?: (a: { source: any; name: string; version: string }) => Promise<string> } = {};

beforeAll(async () => {
  h = await startHarness({ extraAccounts: [REGISTRY_ACCOUNT], aml: { registryImport: (a) => hooks.import!(a) } });
  registryContainer = h.azurite.serviceClient(REGISTRY_ACCOUNT).getContainerClient(REGISTRY_CONTAINER);
  await registryContainer.create();
  // The registry service: copies the workspace version's files into its own storage (server side,
  // not through the client's link).
  hooks.import = async ({ source, name, version }) => {
    const folder = String(source.properties.modelUri).replace(/^azureml:\/\/datastores\/workspaceblobstore\/paths\//, "").replace(/\/$/, "");
    const dev = h.azurite.serviceClient("stmlopsdev").getContainerClient("azureml-blobstore-dev");
    for await (const b of dev.listBlobsFlat({ prefix: `${folder}/` })) {
      const data = await dev.getBlobClient(b.name).downloadToBuffer();
      await registryContainer.getBlockBlobClient(`models/${name}/${version}/${b.name.slice(folder.length + 1)}`).uploadData(data, { blobHTTPHeaders: { blobContentMD5: b.properties.contentMD5 } });
    }
    return `${h.azurite.blobEndpoint(REGISTRY_ACCOUNT)}/${REGISTRY_CONTAINER}/models/${name}/${version}/`;
  };
  // The target's compute: runs an import job from its body (registry input → datastore output).
  h.aml.onRequest((method, path) => {
    if (method !== "PUT" || !/\/jobs\/[^/]+$/.test(path)) return;
    h.aml.queueJobStatuses(path, ["Running"]);
    setTimeout(async () => {
      const job = h.aml.get(path);
      if (!job) return; // refused by the server
      jobsRun.push({ path, body: job });
      const input = /^azureml:\/\/registries\/([^/]+)\/models\/([^/]+)\/versions\/([^/]+)$/.exec(job.properties.inputs.model.uri)!;
      const out = /^azureml:\/\/datastores\/workspaceblobstore\/paths\/(.+?)\/?$/.exec(job.properties.outputs.model.uri)!;
      const ws = path.replace(/\/jobs\/[^/]+$/, "");
      const ds = h.aml.get(`${ws}/datastores/workspaceblobstore`).properties;
      const target = h.azurite.serviceClient(ds.accountName).getContainerClient(ds.containerName);
      for await (const b of registryContainer.listBlobsFlat({ prefix: `models/${input[2]}/${input[3]}/` })) {
        const data = await registryContainer.getBlobClient(b.name).downloadToBuffer();
        await target.getBlockBlobClient(`${out[1]}/${b.name.split("/").slice(3).join("/")}`).uploadData(data, { blobHTTPHeaders: { blobContentMD5: b.properties.contentMD5 } });
      }
      h.aml.queueJobStatuses(path, ["Completed"]);
    }, 0);
  });
  h.aml.seedRegistry({ ...REGISTRY, location: "westeurope" });
  const factory: PromotionClientFactory = (settings) => ({
    ...h.factory(settings),
    registry: () =>
      restRegistryClient({
        credential: h.aml.credential,
        armEndpoint: h.aml.url,
        armPolicies: h.aml.clientOptions.additionalPolicies,
        retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
        pollIntervalMs: 5,
      }),
  });
  provider = new RegistryModelProvider(factory);
  await h.seedModel("churn", "1", { "model.pkl": "weights v1", "conda.yaml": "deps" }, { tags: { stage: "production" }, createdAt: "2026-01-01T00:00:00Z" });
  await h.seedModel("churn", "2", { "model.pkl": "weights v2 (bigger)", "conda.yaml": "deps" }, { tags: { stage: "production" }, createdAt: "2026-02-01T00:00:00Z" });
}, 60_000);

afterAll(async () => h?.close());

const inputsFor = (version: string, target: typeof QA, extra: Partial<RegistryModelInputs> = {}): RegistryModelInputs => ({
  modelName: "churn",
  version,
  source: { ...DEV },
  registry: { ...REGISTRY },
  registryEndpoint: h.aml.url,
  armEndpoint: h.aml.url,
  archiveOnDelete: true,
  workspaceImport: { target: { ...target, datastoreName: "workspaceblobstore" }, computeName: "cpu-cluster", environmentId: ENV_ID, targetPathPrefix: "promoted", blobEndpointTemplate: `${h.azurite.url}/{account}` },
  ...extra,
});
const ws = (w: typeof QA) => h.aml.workspacePath(w.subscriptionId, w.resourceGroupName, w.workspaceName);
const regVersion = (v: string) => `${h.aml.registryPath(REGISTRY.subscriptionId, REGISTRY.resourceGroupName, REGISTRY.registryName)}/models/churn/versions/${v}`;

describe("registry strategy: shared by the service, imported by a job on the target's compute", () => {
  let qaOuts: RegistryModelOutputs;

  test("qa: the origin version is shared into the registry by one import request, then imported into qa by a job on qa's compute; 0 model bytes through the client", async () => {
    h.resetCounters();
    const { outs } = await provider.create(inputsFor("2", QA));
    qaOuts = outs as RegistryModelOutputs;
    // Shared by the service, from dev's workspace (named by its GUID), once.
    const devGuid = h.aml.get(ws(DEV)).properties.workspaceId;
    expect(h.aml.registryImports).toEqual([expect.objectContaining({ name: "churn", version: "2", sourceAssetId: `azureml://locations/westeurope/workspaces/${devGuid}/models/churn/versions/2` })]);
    const imports = h.aml.writes(/\/registries\/[^/]+\/import$/);
    expect(imports).toHaveLength(1);
    expect(imports[0].query["api-version"]).toBe("2021-10-01-dataplanepreview");
    expect(JSON.stringify(imports[0].body).length).toBeLessThan(1000);
    expect(h.aml.get(regVersion("2")).properties.modelUri).toContain(REGISTRY_ACCOUNT);
    // The client moved no model bytes and started no blob copy of its own.
    expect(h.modelBodyRequests()).toEqual([]);
    expect(h.copies()).toEqual([]);
    // The import job ran on qa's own compute, from the registry version, into qa's datastore.
    expect(jobsRun).toHaveLength(1);
    const job = jobsRun[0].body.properties;
    expect(jobsRun[0].path.startsWith(ws(QA) + "/jobs/")).toBe(true);
    expect(job).toMatchObject({
      jobType: "Command",
      computeId: `${ws(QA)}/computes/cpu-cluster`,
      environmentId: ENV_ID,
      inputs: { model: { jobInputType: "custom_model", uri: registryModelUri(REGISTRY.registryName, "churn", "2"), mode: "Download" } },
      outputs: { model: { jobOutputType: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/promoted/churn/2/", mode: "Upload" } },
    });
    // Registered in qa with lineage: origin, registry version, content hash.
    const v = h.aml.get(`${ws(QA)}/models/churn/versions/2`).properties;
    expect(v.modelUri).toBe("azureml://datastores/workspaceblobstore/paths/promoted/churn/2");
    expect(v.tags).toMatchObject({ [REGISTRY_LINEAGE]: registryModelUri(REGISTRY.registryName, "churn", "2"), [LINEAGE.sourceVersion]: "2", [LINEAGE.contentHash]: qaOuts.contentHash });
    expect(qaOuts.registryModelUri).toBe("azureml://registries/mlreg-mlops/models/churn/versions/2");
    expect(qaOuts.sharedHere).toBe(true);
    expect(qaOuts.files).toBe(2);
    expect(await h.qaContainer.getBlobClient("promoted/churn/2/model.pkl").downloadToBuffer()).toEqual(Buffer.from("weights v2 (bigger)"));
  });

  test("prod: finds the version already in the registry (no second import), imports it on prod's compute, checks qa's hash, and never calls qa", async () => {
    h.resetCounters();
    const importsBefore = h.aml.registryImports.length;
    const { outs } = await provider.create(inputsFor("2", PROD, { expectedContentHash: qaOuts.contentHash }));
    expect(h.aml.registryImports).toHaveLength(importsBefore);
    expect((outs as RegistryModelOutputs).sharedHere).toBe(false);
    expect((outs as RegistryModelOutputs).contentHash).toBe(qaOuts.contentHash);
    expect(jobsRun.at(-1)!.path.startsWith(ws(PROD) + "/jobs/")).toBe(true);
    expect(h.aml.requests.filter((r) => r.path.toLowerCase().includes(QA.resourceGroupName.toLowerCase()))).toEqual([]);
    expect(h.proxy.requests.filter((r) => r.url.includes("stmlopsqa"))).toEqual([]);
    expect(h.modelBodyRequests()).toEqual([]);
  });

  test("a second create adopts: no import, no job", async () => {
    const jobs = jobsRun.length;
    const imports = h.aml.registryImports.length;
    await provider.create(inputsFor("2", QA));
    expect(jobsRun).toHaveLength(jobs);
    expect(h.aml.registryImports).toHaveLength(imports);
  });

  test("bytes that differ from what qa approved are refused: nothing registered", async () => {
    const bad = `sha256:${"0".repeat(64)}`;
    await expect(provider.create(inputsFor("1", PROD, { expectedContentHash: bad }))).rejects.toThrow(/hash to sha256:[0-9a-f]{64}, but the approved copy hashed to sha256:0{64}; nothing registered/);
    expect(h.aml.get(`${ws(PROD)}/models/churn/versions/1`)).toBeUndefined();
  });

  test("batch-only (no Kubernetes import): shared into the registry only, nothing written to the workspace", async () => {
    h.resetCounters();
    const { outs } = await provider.create(inputsFor("1", QA, { workspaceImport: undefined }));
    expect((outs as RegistryModelOutputs).registryModelUri).toBe("azureml://registries/mlreg-mlops/models/churn/versions/1");
    expect(h.aml.writes(ws(QA))).toEqual([]);
    expect(h.modelBodyRequests()).toEqual([]);
  });

  test("rollback: revoking qa's approval on the origin resolves the previous version, a replace, adopted from the registry without a new import", async () => {
    // qa approved 1 and then 2; revoking 2's approval leaves 1 as the newest qa-approved version.
    const ml = h.ml(DEV.subscriptionId);
    for (const v of ["1", "2"]) {
      const cur = await ml.modelVersions.get(DEV.resourceGroupName, DEV.workspaceName, "churn", v);
      await ml.modelVersions.createOrUpdate(DEV.resourceGroupName, DEV.workspaceName, "churn", v, {
        properties: { ...cur.properties, tags: { ...cur.properties.tags, [ORIGIN_APPROVAL.key("qa")]: "production", [ORIGIN_APPROVAL.contentHash("qa")]: qaOuts.contentHash!, [ORIGIN_APPROVAL.at("qa")]: `2026-0${v}-02T00:00:00Z` } },
      });
    }
    expect((await approvalOf(ml, DEV, "churn", { key: "stage", value: "production" }, "qa")).version).toBe("2");
    const cur = await ml.modelVersions.get(DEV.resourceGroupName, DEV.workspaceName, "churn", "2");
    const tags = { ...cur.properties.tags } as Record<string, string>;
    for (const k of [ORIGIN_APPROVAL.key("qa"), ORIGIN_APPROVAL.contentHash("qa"), ORIGIN_APPROVAL.at("qa")]) delete tags[k];
    await ml.modelVersions.createOrUpdate(DEV.resourceGroupName, DEV.workspaceName, "churn", "2", { properties: { ...cur.properties, tags } });
    const back = await approvalOf(ml, DEV, "churn", { key: "stage", value: "production" }, "qa");
    expect(back.version).toBe("1");

    const olds = { ...inputsFor("2", QA), ...qaOuts };
    const diff = await provider.diff("id", olds, inputsFor(back.version, QA));
    expect(diff.replaces).toEqual(["version"]);
    const imports = h.aml.registryImports.length;
    h.resetCounters();
    const { outs } = await provider.create(inputsFor(back.version, QA));
    expect(h.aml.registryImports).toHaveLength(imports); // 1 is in the registry already
    expect((outs as RegistryModelOutputs).modelId).toMatch(/\/models\/churn\/versions\/1$/);
    // Pulumi then deletes the replaced resource: qa's version 2 is archived, the registry keeps 2.
    await provider.delete("id", olds);
    expect(h.aml.get(`${ws(QA)}/models/churn/versions/2`).properties.isArchived).toBe(true);
    expect(h.aml.get(regVersion("2"))).toBeDefined();
    expect(h.modelBodyRequests()).toEqual([]);
  });

  test("read reports an imported copy whose files changed; the next update re-imports it by a new job attempt", async () => {
    const olds = { ...inputsFor("1", QA), ...(await provider.create(inputsFor("1", QA))).outs };
    expect((await provider.read("id", olds)).props!.filesIntact).toBe(true);
    await h.qaContainer.getBlockBlobClient("promoted/churn/1/model.pkl").uploadData(Buffer.from("tampered!!"));
    const seen = await provider.read("id", olds);
    expect(seen.props!.filesIntact).toBe(false);
    expect((await provider.diff("id", seen.props, inputsFor("1", QA))).changes).toBe(true);
    const jobs = jobsRun.length;
    h.resetCounters();
    await provider.update("id", seen.props, inputsFor("1", QA));
    expect(jobsRun).toHaveLength(jobs + 1);
    expect(jobsRun.at(-1)!.path).toMatch(/-2$/);
    expect(await h.qaContainer.getBlobClient("promoted/churn/1/model.pkl").downloadToBuffer()).toEqual(Buffer.from("weights v1"));
    expect((await provider.read("id", olds)).props!.filesIntact).toBe(true);
    expect(h.modelBodyRequests()).toEqual([]);
  });
});

describe("the local server refuses what Azure refuses for registries", () => {
  const importUrl = () => `${h.aml.url}${h.aml.registryPath(REGISTRY.subscriptionId, REGISTRY.resourceGroupName, REGISTRY.registryName)}/import?api-version=2021-10-01-dataplanepreview`;
  const post = async (body: unknown) => {
    const token = await h.aml.credential.getToken("https://management.azure.com/.default");
    const { request } = await import("node:https");
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const u = new URL(importUrl());
      const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: "POST", agent: h.aml.tls.agent, headers: { authorization: `Bearer ${token!.token}`, "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  };
  const devGuid = () => h.aml.get(ws(DEV)).properties.workspaceId;

  test("an import of a version the registry already holds: 409 (registry versions are immutable)", async () => {
    const r = await post({ properties: { destinationName: "churn", destinationVersion: "2", sourceAssetId: `azureml://locations/westeurope/workspaces/${devGuid()}/models/churn/versions/2` } });
    expect(r.status).toBe(409);
  });

  test("a source that is not a workspace asset id, or missing fields: 400 naming each", async () => {
    const r = await post({ properties: { destinationName: "churn", sourceAssetId: "azureml://datastores/workspaceblobstore/paths/x" } });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/destinationVersion/);
    expect(r.text).toMatch(/sourceAssetId/);
  });

  test("a source version that does not exist, or a workspace in another region: 404", async () => {
    expect((await post({ properties: { destinationName: "churn", destinationVersion: "9", sourceAssetId: `azureml://locations/westeurope/workspaces/${devGuid()}/models/churn/versions/9` } })).status).toBe(404);
    expect((await post({ properties: { destinationName: "churn", destinationVersion: "9", sourceAssetId: `azureml://locations/eastus/workspaces/${devGuid()}/models/churn/versions/2` } })).status).toBe(404);
  });

  test("a job whose input names a registry version that does not exist: 400", async () => {
    const ml = h.ml(QA.subscriptionId);
    await expect(
      ml.jobs.createOrUpdate(QA.resourceGroupName, QA.workspaceName, "bad-import", {
        properties: {
          jobType: "Command",
          command: "true",
          environmentId: ENV_ID,
          computeId: `${ws(QA)}/computes/cpu-cluster`,
          inputs: { model: { jobInputType: "custom_model", uri: registryModelUri(REGISTRY.registryName, "churn", "99") } },
        } as any,
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  test("a Kubernetes online deployment of a registry model is refused (Attach Kubernetes anywhere: registry models are not supported)", async () => {
    const { servingContractRefusal } = await import("../../support/servingContract");
    const deployment = `${ws(QA)}/onlineEndpoints/ep/deployments/blue`;
    const refusal = servingContractRefusal("PUT", deployment, { properties: { endpointComputeType: "Kubernetes", model: registryModelUri(REGISTRY.registryName, "churn", "2") } }, () => undefined);
    expect(refusal?.status).toBe(400);
  });
});
