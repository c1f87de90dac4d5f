/**
 * The local Azure ML server refuses what Azure refuses (tests/support/contract/azureml.json names the
 * specification item behind each rule). Requests are sent raw, so each test controls exactly what
 * goes on the wire.
 */
import * as https from "node:https";
import { startAmlServer, AmlServer } from "./amlServer";
import { contract } from "./contract";
import { mintToken } from "./tokens";

const SUB = "00000000-0000-0000-0000-0000000000c7";
const RG = "rg-contract";
const WS = "mlw-contract";
const V24 = "2024-10-01";
const V25 = "2025-12-01";

let aml: AmlServer;
let ws: string;
const armToken = () => `Bearer ${mintToken({ audience: "https://management.azure.com" }).token}`;

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

function call(method: string, path: string, opts: { body?: unknown; apiVersion?: string | null; authorization?: string | null; headers?: Record<string, string>; absolute?: boolean } = {}): Promise<Answer> {
  const target = new URL(opts.absolute ? path : `${aml.url}${path}`);
  if (opts.apiVersion !== null && !target.searchParams.has("api-version")) target.searchParams.set("api-version", opts.apiVersion ?? V24);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.authorization !== null) headers.authorization = opts.authorization ?? armToken();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = https.request(target, { method, agent: aml.tls.agent, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const codeBody = (uri = "https://devstore.blob.core.windows.net/c/code") => ({ properties: { codeUri: uri, tags: {} } });
const envBody = { properties: { image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04", osType: "Linux" } };
const endpointBody = (traffic?: Record<string, number>) => ({ location: "westeurope", properties: { authMode: "AADToken", ...(traffic ? { traffic } : {}) } });
const deploymentBody = { location: "westeurope", properties: { endpointComputeType: "Kubernetes" } };

/** Runs a long-running operation to its end the way a client does: poll until a terminal status. */
async function pollToEnd(answer: Answer): Promise<string> {
  const statusUrl = String(answer.headers["azure-asyncoperation"]);
  for (let i = 0; i < 20; i++) {
    const poll = await call("GET", statusUrl, { absolute: true });
    if (poll.body.status !== "InProgress") return poll.body.status;
  }
  throw new Error("operation never ended");
}

beforeAll(async () => {
  aml = await startAmlServer({ lroPolls: 1 });
  aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, storageAccountName: "devstore" });
  ws = aml.workspacePath(SUB, RG, WS);
});
afterAll(() => aml.close());

describe("the contract data", () => {
  test("every type names its specification item, and the api-versions the product sends are served", () => {
    for (const [ns, n] of Object.entries(contract.namespaces)) {
      expect(n.apiVersionsSource).toBeTruthy();
      for (const [type, rule] of Object.entries(n.types)) expect([ns, type, rule.spec]).toEqual([ns, type, expect.stringMatching(/\S/)]);
    }
    const ml = contract.namespaces["Microsoft.MachineLearningServices"].apiVersions;
    for (const v of ["2022-10-01", V24, V25]) expect(ml).toContain(v);
  });
});

describe("Azure Resource Manager front door", () => {
  test("bearer tokens: a signed JWT for the ARM audience passes; anything else is 401 with ARM's code", async () => {
    expect((await call("GET", ws)).status).toBe(200);
    expect((await call("GET", ws, { authorization: null })).body.error.code).toBe("AuthenticationFailed");
    expect((await call("GET", ws, { authorization: "Bearer local-test-token" })).body.error.code).toBe("InvalidAuthenticationToken");
    const storage = await call("GET", ws, { authorization: `Bearer ${mintToken({ audience: "https://storage.azure.com" }).token}` });
    expect([storage.status, storage.body.error.code]).toEqual([401, "InvalidAuthenticationTokenAudience"]);
    const expired = await call("GET", ws, { authorization: `Bearer ${mintToken({ audience: "https://management.azure.com", expiresInSeconds: -10 }).token}` });
    expect(expired.body.error.code).toBe("ExpiredAuthenticationToken");
    // Same claims, signature not ours: refused.
    const [h, , s] = mintToken({ audience: "https://management.azure.com" }).token.split(".");
    const forged = Buffer.from(JSON.stringify({ aud: "https://management.azure.com", exp: Date.now() / 1000 + 600 })).toString("base64url");
    expect((await call("GET", ws, { authorization: `Bearer ${h}.${forged}.${s}` })).body.error.code).toBe("InvalidAuthenticationToken");
    expect((await call("GET", ws, { authorization: null })).headers["www-authenticate"]).toMatch(/^Bearer /);
  });

  test("the server's credential mints a token for the scope each client asks for", async () => {
    const token = await aml.credential.getToken("https://management.azure.com/.default");
    const claims = JSON.parse(Buffer.from(token!.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ aud: "https://management.azure.com", tid: expect.any(String) });
    await expect(aml.credential.getToken(["a/.default", "b/.default"])).rejects.toThrow(/one '<resource>\/\.default' scope/);
  });

  test("api-versions, namespaces and types ARM does not serve are refused before the provider sees them", async () => {
    const missing = await call("GET", ws, { apiVersion: null });
    expect([missing.status, missing.body.error.code]).toEqual([400, "MissingApiVersionParameter"]);
    const future = await call("GET", ws, { apiVersion: "2099-01-01" });
    expect([future.status, future.body.error.code]).toEqual([400, "NoRegisteredProviderFound"]);
    expect(future.body.error.message).toContain("2024-10-01");
    const storageWithMlVersion = await call("GET", `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/devstore`, { apiVersion: V25 });
    expect(storageWithMlVersion.body.error.code).toBe("NoRegisteredProviderFound");
    const namespace = await call("GET", `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.MachineLearning/workspaces/${WS}`);
    expect([namespace.status, namespace.body.error.code]).toEqual([400, "InvalidResourceNamespace"]);
    const type = await call("GET", `${ws}/gadgets/g1`);
    expect([type.status, type.body.error.code]).toEqual([400, "InvalidResourceType"]);
  });
});

describe("request bodies", () => {
  test("required properties, enums and discriminators are checked, every problem named at once", async () => {
    const onlyProperties = await call("PUT", `${ws}/onlineEndpoints/ep-bodies`, { body: { properties: {} }, apiVersion: V25 });
    expect(onlyProperties.status).toBe(400);
    expect(onlyProperties.body.error.message).toMatch(/'location' is required.*'properties\.authMode' is required/);
    const badEnum = await call("PUT", `${ws}/onlineEndpoints/ep-bodies`, { body: { location: "westeurope", properties: { authMode: "Password", publicNetworkAccess: "Open" } }, apiVersion: V25 });
    expect(badEnum.body.error.message).toMatch(/'properties\.authMode' must be one of AMLToken, Key, AADToken.*'properties\.publicNetworkAccess' must be one of/);
    const noJobType = await call("PUT", `${ws}/jobs/job-no-type`, { body: { properties: { experimentName: "x" } } });
    expect(noJobType.body.error.message).toMatch(/'properties\.jobType' is required/);
    const badJobType = await call("PUT", `${ws}/jobs/job-bad-type`, { body: { properties: { jobType: "Batch" } } });
    expect(badJobType.body.error.message).toMatch(/'properties\.jobType' must be one of/);
    const badInput = await call("PUT", `${ws}/jobs/job-bad-input`, {
      body: { properties: { jobType: "Pipeline", inputs: { a: { jobInputType: "uri_folder" }, b: { jobInputType: "literal" }, c: { jobInputType: "folder", uri: "x" } } } },
    });
    expect(badInput.body.error.message).toMatch(/'properties\.inputs\.c\.jobInputType' must be one of/);
    const badInputRefs = await call("PUT", `${ws}/jobs/job-bad-input2`, { body: { properties: { jobType: "Pipeline", inputs: { a: { jobInputType: "uri_folder" }, b: { jobInputType: "literal" } } } } });
    expect(badInputRefs.body.error.message).toMatch(/'inputs\.a\.uri' is required.*'inputs\.b\.value' is required/);
    const noImage = await call("PUT", `${ws}/environments/env_x/versions/1`, { body: { properties: { osType: "Linux" } } });
    expect(noImage.body.error.message).toMatch(/exactly one of 'properties\.image', 'properties\.build'/);
    const noSpec = await call("PUT", `${ws}/components/comp_x/versions/1`, { body: { properties: { description: "x" } } });
    expect(noSpec.body.error.message).toMatch(/'properties\.componentSpec' is required/);
    const datastore = await call("PUT", `${ws}/datastores/ds_x`, { body: { properties: { datastoreType: "AzureBlob" } } });
    expect(datastore.body.error.message).toMatch(/'properties\.credentials' is required/);
  });

  test("read-only properties are ignored, not stored", async () => {
    await call("PUT", `${ws}/codes/ro_code/versions/1`, { body: { properties: { codeUri: "https://x/c", provisioningState: "Succeeded" } } });
    expect(aml.get(`${ws}/codes/ro_code/versions/1`).properties.provisioningState).toBeUndefined();
    await call("PUT", `${ws}/jobs/ro-job`, { body: { properties: { jobType: "Command", status: "Completed", command: "x", environmentId: "e" } } });
    expect(aml.get(`${ws}/jobs/ro-job`).properties.status).toBe("Starting");
  });

  test("names follow each type's rule, container names in a version path included", async () => {
    const branchComponent = await call("PUT", `${ws}/components/training_badpixels_churn-model-98c5cc/versions/1`, { body: { properties: { componentSpec: { type: "pipeline" } } } });
    expect([branchComponent.status, branchComponent.body.error.message]).toEqual([400, expect.stringMatching(/components name 'training_badpixels_churn-model-98c5cc' does not match/)]);
    expect((await call("PUT", `${ws}/components/1step/versions/1`, { body: { properties: { componentSpec: { type: "command" } } } })).status).toBe(400);
    expect((await call("PUT", `${ws}/components/step_1/versions/1`, { body: { properties: { componentSpec: { type: "command" } } } })).status).toBe(201);
    expect((await call("PUT", `${ws}/environments/env.x/versions/1`, { body: envBody })).status).toBe(400);
    expect((await call("PUT", `${ws}/onlineEndpoints/1ep`, { body: endpointBody(), apiVersion: V25 })).status).toBe(400);
    expect((await call("PUT", `${ws}/onlineEndpoints/ep--x`, { body: endpointBody(), apiVersion: V25 })).status).toBe(400);
    expect((await call("PUT", `${ws}/models/m/versions/v 1`, { body: { properties: {} } })).status).toBe(400);
  });
});

describe("references that must exist", () => {
  test("a component's code and environment, a pipeline component's step components", async () => {
    const code = `${ws}/codes/ref_code/versions/1`;
    const env = `${ws}/environments/ref_env/versions/1`;
    const spec = { type: "command", command: "python x.py", code: `azureml:${code}`, environment: `azureml:${env}` };
    const early = await call("PUT", `${ws}/components/ref_step/versions/1`, { body: { properties: { componentSpec: spec } } });
    expect(early.body.error.message).toMatch(/componentSpec\.code .* does not exist; componentSpec\.environment .* does not exist/);
    await call("PUT", code, { body: codeBody() });
    await call("PUT", env, { body: envBody });
    expect((await call("PUT", `${ws}/components/ref_step/versions/1`, { body: { properties: { componentSpec: spec } } })).status).toBe(201);
    const parallel = { type: "parallel", task: { type: "run_function", code: `azureml:${ws}/codes/nope/versions/1`, environment: `azureml:${env}` } };
    expect((await call("PUT", `${ws}/components/ref_par/versions/1`, { body: { properties: { componentSpec: parallel } } })).body.error.message).toMatch(/task\.code/);
    const pipeline = { type: "pipeline", jobs: { a: { componentId: `${ws}/components/ref_step/versions/1` }, b: { componentId: `${ws}/components/ref_step/versions/2` } } };
    const p = await call("PUT", `${ws}/components/ref_pipe/versions/1`, { body: { properties: { componentSpec: pipeline } } });
    expect(p.body.error.message).toMatch(/jobs\.b\.componentId .*versions\/2' does not exist/);
    expect(p.body.error.message).not.toMatch(/jobs\.a/);
  });

  test("a model's datastore, in the short and the long modelUri form", async () => {
    const short = await call("PUT", `${ws}/models/ref_model/versions/1`, { body: { properties: { modelUri: "azureml://datastores/nostore/paths/m/" } } });
    expect(short.body.error.message).toMatch(/datastore 'nostore', which does not exist/);
    const long = `azureml://subscriptions/${SUB}/resourcegroups/${RG}/workspaces/${WS}/datastores/workspaceblobstore/paths/m/`;
    expect((await call("PUT", `${ws}/models/ref_model/versions/1`, { body: { properties: { modelUri: long } } })).status).toBe(201);
  });

  test("a deployment's endpoint; traffic that adds up to 100 or 0 and names existing deployments", async () => {
    const orphan = await call("PUT", `${ws}/onlineEndpoints/ep-missing/deployments/blue`, { body: deploymentBody, apiVersion: V25 });
    expect([orphan.status, orphan.body.error.code]).toEqual([404, "ParentResourceNotFound"]);
    const ep = `${ws}/onlineEndpoints/ep-traffic`;
    await pollToEnd(await call("PUT", ep, { body: endpointBody(), apiVersion: V25 }));
    await pollToEnd(await call("PUT", `${ep}/deployments/blue`, { body: deploymentBody, apiVersion: V25 }));
    await pollToEnd(await call("PUT", `${ep}/deployments/green`, { body: deploymentBody, apiVersion: V25 }));
    const thirty = await call("PUT", ep, { body: endpointBody({ blue: 30 }), apiVersion: V25 });
    expect([thirty.status, thirty.body.error.message]).toEqual([400, expect.stringMatching(/add up to 100 or 0 \(found 30\)/)]);
    const ghost = await call("PUT", ep, { body: endpointBody({ blue: 50, ghost: 50 }), apiVersion: V25 });
    expect(ghost.body.error.message).toMatch(/deployment 'ghost', which does not exist/);
    expect(await pollToEnd(await call("PUT", ep, { body: endpointBody({ blue: 70, green: 30 }), apiVersion: V25 }))).toBe("Succeeded");
    expect(await pollToEnd(await call("PUT", ep, { body: endpointBody({ blue: 0, green: 0 }), apiVersion: V25 }))).toBe("Succeeded");
  });
});

describe("immutability and delete rules", () => {
  test("an asset version's content cannot change (409); tags and archiving can", async () => {
    const v = `${ws}/codes/imm_code/versions/1`;
    expect((await call("PUT", v, { body: codeBody() })).status).toBe(201);
    const changed = await call("PUT", v, { body: codeBody("https://elsewhere/c") });
    expect([changed.status, changed.body.error.code]).toEqual([409, "UserError"]);
    expect((await call("PUT", v, { body: { properties: { codeUri: "https://devstore.blob.core.windows.net/c/code", tags: { a: "b" }, isArchived: true } } })).status).toBe(200);
  });

  test("code, component and environment versions are archived, not deleted; a container with versions stays; model versions delete", async () => {
    await call("PUT", `${ws}/codes/del_code/versions/1`, { body: codeBody() });
    const codeDelete = await call("DELETE", `${ws}/codes/del_code/versions/1`);
    expect([codeDelete.status, codeDelete.body.error.message]).toEqual([400, expect.stringMatching(/archive/)]);
    expect((await call("DELETE", `${ws}/codes/del_code`)).status).toBe(409);
    await call("PUT", `${ws}/models/del_model/versions/1`, { body: { properties: {} } });
    expect((await call("DELETE", `${ws}/models/del_model`)).status).toBe(409);
    expect((await call("DELETE", `${ws}/models/del_model/versions/1`)).status).toBe(200);
    expect((await call("DELETE", `${ws}/models/del_model`)).status).toBe(200);
    expect((await call("DELETE", `${ws}/models/del_model`)).status).toBe(204);
  });

  test("a deployment that takes traffic cannot be deleted", async () => {
    const ep = `${ws}/onlineEndpoints/ep-del`;
    await pollToEnd(await call("PUT", ep, { body: endpointBody(), apiVersion: V25 }));
    await pollToEnd(await call("PUT", `${ep}/deployments/blue`, { body: deploymentBody, apiVersion: V25 }));
    await pollToEnd(await call("PUT", ep, { body: endpointBody({ blue: 100 }), apiVersion: V25 }));
    const busy = await call("DELETE", `${ep}/deployments/blue`, { apiVersion: V25 });
    expect([busy.status, busy.body.error.message]).toEqual([400, expect.stringMatching(/takes 100% .* set it to 0/)]);
    await pollToEnd(await call("PUT", ep, { body: endpointBody({ blue: 0 }), apiVersion: V25 }));
    expect((await call("DELETE", `${ep}/deployments/blue`, { apiVersion: V25 })).status).toBe(202);
  });
});

describe("ETags", () => {
  test("a write with a stale If-Match is refused with 412; the current ETag passes", async () => {
    const path = `${ws}/models/etag_model/versions/1`;
    const created = await call("PUT", path, { body: { properties: { tags: {} } } });
    const first = String(created.headers.etag);
    expect(first).toMatch(/^".+"$/);
    expect((await call("GET", path)).headers.etag).toBe(first);
    const second = String((await call("PUT", path, { body: { properties: { tags: { a: "1" } } }, headers: { "if-match": first } })).headers.etag);
    expect(second).not.toBe(first);
    const stale = await call("PUT", path, { body: { properties: { tags: { a: "2" } } }, headers: { "if-match": first } });
    expect([stale.status, stale.body.error.code]).toEqual([412, "PreconditionFailed"]);
    expect(aml.get(path).properties.tags).toEqual({ a: "1" });
    expect((await call("PUT", path, { body: { properties: { tags: {} } }, headers: { "if-none-match": "*" } })).status).toBe(412);
    expect((await call("DELETE", path, { headers: { "if-match": first } })).status).toBe(412);
    expect((await call("DELETE", path, { headers: { "if-match": second } })).status).toBe(200);
  });
});

describe("long-running operations", () => {
  test("stay in progress until polled, with Azure-AsyncOperation on PUT and Location on DELETE and PATCH", async () => {
    const ep = `${ws}/onlineEndpoints/ep-lro`;
    const created = await call("PUT", ep, { body: endpointBody(), apiVersion: V25 });
    expect(created.status).toBe(201);
    expect(created.body.properties.provisioningState).toBe("Creating");
    expect(String(created.headers["azure-asyncoperation"])).toMatch(/\/mfeOperationsStatus\/.+\?api-version=2025-12-01$/);
    expect((await call("GET", ep, { apiVersion: V25 })).body.properties.provisioningState).toBe("Creating");
    const busy = await call("PUT", ep, { body: endpointBody(), apiVersion: V25 });
    expect(busy.status).toBe(409);
    const statusUrl = String(created.headers["azure-asyncoperation"]);
    expect((await call("GET", statusUrl, { absolute: true })).body.status).toBe("InProgress");
    expect((await call("GET", ep, { apiVersion: V25 })).body.properties.provisioningState).toBe("Creating");
    expect((await call("GET", statusUrl, { absolute: true })).body.status).toBe("Succeeded");
    expect((await call("GET", ep, { apiVersion: V25 })).body.properties.provisioningState).toBe("Succeeded");

    const patched = await call("PATCH", ep, { body: { tags: { a: "b" } }, apiVersion: V25 });
    expect(patched.status).toBe(202);
    expect(patched.headers.location).toMatch(/\/mfeOperationResults\//);
    await pollToEnd(patched);

    const deleted = await call("DELETE", ep, { apiVersion: V25 });
    expect(deleted.status).toBe(202);
    const location = String(deleted.headers.location);
    expect((await call("GET", ep, { apiVersion: V25 })).body.properties.provisioningState).toBe("Deleting");
    expect((await call("GET", location, { absolute: true })).status).toBe(202);
    expect((await call("GET", location, { absolute: true })).status).toBe(204);
    expect((await call("GET", ep, { apiVersion: V25 })).status).toBe(404);
  });

  test("asset versions and jobs are synchronous", async () => {
    const put = await call("PUT", `${ws}/environments/sync_env/versions/1`, { body: envBody });
    expect([put.status, put.headers["azure-asyncoperation"]]).toEqual([201, undefined]);
  });
});
