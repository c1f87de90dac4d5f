/**
 * Faults through the client factories the providers use in production (`azureClients()` for
 * promotion, `defaultClients()` for publishing), aimed at the local Azure ML server: 429 with
 * Retry-After, 503, connection resets and slow answers. Only the credential and the test server's
 * certificate trust are swapped in; retry settings are the shipped ones, so setting their retry count
 * to zero (or lowering it) fails here.
 */
import { ARM_RETRY, azureClients } from "../../../components/modelPromotion/clients";
import { ArmRest } from "../../../components/shared/armRest";
import { defaultClients } from "../../../components/mlAssets/publish";
import { PublishedPipelineProvider } from "../../../pipelines/publisher/provider";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { startHarness, Harness } from "../../pipelines/publisher/publisherHarness";

const SUB = "00000000-0000-0000-0000-0000000000f1";
const RG = "rg-faults";
const WS = "mlw-faults";

describe("promotion's azureClients()", () => {
  let aml: AmlServer;
  let versionPath: string;
  const ml = () => azureClients({ armEndpoint: aml.url }, { credential: aml.credential, armPolicies: aml.clientOptions.additionalPolicies }).ml(SUB);

  beforeAll(async () => {
    aml = await startAmlServer();
    aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, storageAccountName: "faultstore" });
    versionPath = `${aml.workspacePath(SUB, RG, WS)}/models/churn/versions/1`;
    aml.seed(versionPath, { properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/m/1", tags: {} } });
  });
  afterAll(() => aml.close());
  beforeEach(() => aml.clearRequests());

  test("a read survives 429 with Retry-After, 503, a connection reset and a slow answer", async () => {
    aml.inject({ method: "GET", path: versionPath, kind: "throttle", retryAfterSeconds: 1 });
    aml.inject({ method: "GET", path: versionPath, kind: "unavailable", retryAfterSeconds: 0 });
    aml.inject({ method: "GET", path: versionPath, kind: "reset" });
    aml.inject({ method: "GET", path: versionPath, kind: "slow", delayMs: 1500 });
    const version = await ml().modelVersions.get(RG, WS, "churn", "1");
    expect(version.properties.modelUri).toBe("azureml://datastores/workspaceblobstore/paths/m/1");
    expect(aml.requests.map((r) => r.fault ?? r.status)).toEqual(["throttle", "unavailable", "reset", "slow"]);
    expect(aml.requests.at(-1)!.status).toBe(200);
  });

  test(`retries exactly the shipped ${ARM_RETRY.maxRetries} times, then reports the 503`, async () => {
    expect(ARM_RETRY.maxRetries).toBeGreaterThanOrEqual(3);
    aml.inject({ method: "GET", path: versionPath, kind: "unavailable", retryAfterSeconds: 0, times: ARM_RETRY.maxRetries });
    await expect(ml().modelVersions.get(RG, WS, "churn", "1")).resolves.toMatchObject({ name: "1" });
    expect(aml.requests).toHaveLength(ARM_RETRY.maxRetries + 1);

    aml.clearRequests();
    aml.inject({ method: "GET", path: versionPath, kind: "unavailable", retryAfterSeconds: 0, times: ARM_RETRY.maxRetries + 1 });
    await expect(ml().modelVersions.get(RG, WS, "churn", "1")).rejects.toMatchObject({ statusCode: 503 });
    expect(aml.requests).toHaveLength(ARM_RETRY.maxRetries + 1);
  });

  test("a write cut off by a reset is sent again and lands once", async () => {
    const v2 = versionPath.replace(/1$/, "2");
    aml.inject({ method: "PUT", path: v2, kind: "reset" });
    await ml().modelVersions.createOrUpdate(RG, WS, "churn", "2", { properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/m/2", tags: {} } });
    expect(aml.writes().map((r) => r.fault ?? r.status)).toEqual(["reset", 201]);
    expect(aml.get(v2).properties.modelUri).toMatch(/m\/2$/);
  });
});

describe("the publisher's defaultClients()", () => {
  let h: Harness;
  let wsPath: string;
  const arm = () => new ArmRest(defaultClients({ credential: h.aml.credential, armPolicies: h.aml.clientOptions.additionalPolicies }).arm(h.aml.url, SUB), h.aml.url);

  beforeAll(async () => {
    h = await startHarness();
    h.aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, storageAccountName: "devstore" });
    wsPath = h.aml.workspacePath(SUB, RG, WS);
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearRecords());

  test(`retries exactly the shipped ${ARM_RETRY.maxRetries} times on 429, then reports it`, async () => {
    expect(ARM_RETRY.maxRetries).toBeGreaterThanOrEqual(3);
    const path = `${wsPath}/datastores/workspaceblobstore`;
    h.aml.inject({ method: "GET", path, kind: "throttle", retryAfterSeconds: 0, times: ARM_RETRY.maxRetries });
    expect(await arm().get(path)).toMatchObject({ name: "workspaceblobstore" });
    expect(h.aml.requests).toHaveLength(ARM_RETRY.maxRetries + 1);
    h.clearRecords();
    h.aml.inject({ method: "GET", path, kind: "throttle", retryAfterSeconds: 0, times: ARM_RETRY.maxRetries + 1 });
    await expect(arm().get(path)).rejects.toThrow(/429 TooManyRequests/);
  });

  test("a whole publish goes through throttling, outages, resets and slow answers on its writes", async () => {
    const provider = new PublishedPipelineProvider({
      root: h.root,
      clients: { arm: defaultClients({ credential: h.aml.credential, armPolicies: h.aml.clientOptions.additionalPolicies }).arm, container: h.containerFor },
    });
    h.aml.inject({ method: "PUT", path: "/codes/", kind: "throttle", retryAfterSeconds: 1 });
    h.aml.inject({ method: "PUT", path: "/environments/", kind: "unavailable", retryAfterSeconds: 0, times: 2 });
    h.aml.inject({ method: "PUT", path: "/components/", kind: "reset" });
    h.aml.inject({ method: "PUT", path: "/components/", kind: "slow", delayMs: 1200 });
    const { outs } = await provider.create(h.inputs("training"));
    expect(h.aml.pendingFaults()).toBe(0);
    for (const a of outs!.published) expect(h.aml.get(a.path)).toBeDefined();
    expect(h.aml.writes().filter((r) => r.fault && r.fault !== "slow").length).toBe(4);
  });
});
