/**
 * The `mlops:EndpointTraffic` dynamic provider, called directly against the local Azure ML REST server
 * (HTTPS, long-running operations, fault injection) through the real Azure SDK pipeline.
 */
import { startAmlServer, AmlServer } from "../support/amlServer";
import {
  checkTrafficInputs,
  createArmJsonClient,
  EndpointTrafficInputs,
  EndpointTrafficOutputs,
  EndpointTrafficProvider,
  ENDPOINT_API_VERSION,
} from "../../components/serving/endpointTrafficProvider";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const RG = "rg-acme-qa";
const WS = "mlw-acme-qa";

let aml: AmlServer;
let provider: EndpointTrafficProvider;
let endpointPath: string;

beforeAll(async () => {
  aml = await startAmlServer({ lroPolls: 2 });
  provider = new EndpointTrafficProvider({
    clientFactory: (arm) =>
      createArmJsonClient(arm, {
        credential: aml.credential,
        additionalPolicies: aml.clientOptions.additionalPolicies,
        retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      }),
    pollIntervalMs: 5,
  });
  aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS });
  endpointPath = `${aml.workspacePath(SUB, RG, WS)}/onlineEndpoints/ep-acme-qa`;
});

afterAll(async () => {
  await aml.close();
});

/** A Kubernetes online endpoint as Azure returns it (computed fields included), and its deployment. */
function seedEndpoint(traffic: Record<string, number> = {}): void {
  aml.seed(endpointPath, {
    location: "westeurope",
    kind: "K8S",
    identity: { type: "UserAssigned", userAssignedIdentities: { "/subscriptions/x/id-ep": {} } },
    tags: { environment: "qa" },
    properties: {
      authMode: "AADToken",
      compute: `${aml.workspacePath(SUB, RG, WS)}/computes/acme-qa-aks`,
      publicNetworkAccess: "Disabled",
      traffic,
      provisioningState: "Succeeded",
      scoringUri: "https://10.20.16.5/api/v1/endpoint/ep-acme-qa/score",
    },
  });
  // Azure lists in `traffic` only deployments that exist under the endpoint.
  for (const d of new Set(["live", ...Object.keys(traffic)])) {
    aml.seed(`${endpointPath}/deployments/${d}`, { location: "westeurope", properties: { endpointComputeType: "Kubernetes", model: "m" } });
  }
}

const inputs = (traffic: Record<string, number>, revision = "r1"): EndpointTrafficInputs => ({ endpointId: endpointPath, traffic, endpointRevision: revision, armEndpoint: aml.url });

beforeEach(() => {
  aml.clearRequests();
});

test("create routes all traffic to the deployment with one PUT that keeps the endpoint's other settings, and waits for the operation", async () => {
  seedEndpoint({});
  const result = await provider.create(inputs({ live: 100 }));
  expect(result.id).toBe(`${endpointPath}/traffic`);
  expect(result.outs).toMatchObject({ traffic: { live: 100 }, appliedTraffic: { live: 100 } });
  const stored = aml.get(endpointPath);
  expect(stored.properties.traffic).toEqual({ live: 100 });
  const puts = aml.writes("onlineEndpoints");
  expect(puts.map((r) => r.method)).toEqual(["PUT"]);
  expect(puts[0].query["api-version"]).toBe(ENDPOINT_API_VERSION);
  const body = puts[0].body as any;
  expect(body).toMatchObject({ location: "westeurope", kind: "K8S", tags: { environment: "qa" }, identity: { type: "UserAssigned" } });
  expect(body.properties).toEqual({ authMode: "AADToken", compute: expect.stringContaining("/computes/acme-qa-aks"), publicNetworkAccess: "Disabled", traffic: { live: 100 } });
  // The operation was polled to completion (lroPolls: 2 → at least three status reads).
  expect(aml.reads("mfeOperationsStatus").length).toBeGreaterThanOrEqual(3);
});

test("a retried create finds the traffic already set and writes nothing", async () => {
  seedEndpoint({ live: 100 });
  const result = await provider.create(inputs({ live: 100 }));
  expect(result.outs.appliedTraffic).toEqual({ live: 100 });
  expect(aml.writes()).toEqual([]);
});

test("diff is pure: it compares recorded outputs with new inputs without calling Azure", async () => {
  const olds: EndpointTrafficOutputs = { ...inputs({ live: 100 }), appliedTraffic: { live: 100 } };
  expect(await provider.diff("id", olds, inputs({ live: 100 }))).toMatchObject({ changes: false, replaces: [] });
  expect(await provider.diff("id", olds, inputs({ live: 90, canary: 10 }))).toMatchObject({ changes: true, replaces: [] });
  // An endpoint PUT may reset traffic: a new revision re-applies it.
  expect(await provider.diff("id", olds, inputs({ live: 100 }, "r2"))).toMatchObject({ changes: true });
  // Drift seen by refresh (appliedTraffic differs from the declared traffic) is corrected on the next up.
  expect(await provider.diff("id", { ...olds, appliedTraffic: { other: 100 } }, inputs({ live: 100 }))).toMatchObject({ changes: true });
  expect(await provider.diff("id", olds, { ...inputs({ live: 100 }), endpointId: `${endpointPath}-2` })).toMatchObject({ changes: true, replaces: ["endpointId"] });
  expect(aml.requests).toEqual([]);
});

test("read reports traffic moved outside Pulumi, as state and as inputs, so refresh shows the drift", async () => {
  seedEndpoint({ live: 20, hotfix: 80 });
  const olds: EndpointTrafficOutputs = { ...inputs({ live: 100 }), appliedTraffic: { live: 100 } };
  const read = await provider.read(`${endpointPath}/traffic`, olds);
  expect(read.props).toMatchObject({ traffic: { live: 20, hotfix: 80 }, appliedTraffic: { live: 20, hotfix: 80 } });
  expect(read.inputs).toEqual({ endpointId: endpointPath, traffic: { live: 20, hotfix: 80 }, endpointRevision: "r1", armEndpoint: aml.url });
  expect(aml.writes()).toEqual([]);
});

test("update moves traffic back, sending other deployments to 0", async () => {
  seedEndpoint({ live: 20, hotfix: 80 });
  const olds: EndpointTrafficOutputs = { ...inputs({ live: 100 }), appliedTraffic: { live: 20, hotfix: 80 } };
  const result = await provider.update(`${endpointPath}/traffic`, olds, inputs({ live: 100 }));
  expect(result.outs).toMatchObject({ appliedTraffic: { live: 100, hotfix: 0 } });
  expect(aml.get(endpointPath).properties.traffic).toEqual({ live: 100, hotfix: 0 });
});

test("delete drains its deployments (Azure refuses to delete a deployment that takes traffic); a gone endpoint needs nothing", async () => {
  seedEndpoint({ live: 100 });
  await provider.delete(`${endpointPath}/traffic`, { ...inputs({ live: 100 }), appliedTraffic: { live: 100 } });
  expect(aml.get(endpointPath).properties.traffic).toEqual({ live: 0 });
  aml.remove(endpointPath);
  aml.clearRequests();
  await expect(provider.delete(`${endpointPath}/traffic`, { ...inputs({ live: 100 }), appliedTraffic: { live: 100 } })).resolves.toBeUndefined();
  expect(aml.writes()).toEqual([]);
});

test("delete never names a deployment the endpoint no longer lists, and leaves a split others fully carry", async () => {
  // `live` was deleted outside Pulumi and `hotfix` took all traffic: nothing to drain, no PUT.
  seedEndpoint({ hotfix: 100 });
  await provider.delete(`${endpointPath}/traffic`, { ...inputs({ live: 100 }), appliedTraffic: { live: 100 } });
  expect(aml.writes()).toEqual([]);
  expect(aml.get(endpointPath).properties.traffic).toEqual({ hotfix: 100 });
  // A split ours shares cannot stay (Azure accepts only a total of 100, or nothing routed).
  seedEndpoint({ live: 20, hotfix: 80 });
  aml.clearRequests();
  await provider.delete(`${endpointPath}/traffic`, { ...inputs({ live: 100 }), appliedTraffic: { live: 20, hotfix: 80 } });
  expect(aml.writes("onlineEndpoints").map((r) => (r.body as any).properties.traffic)).toEqual([{ live: 0, hotfix: 0 }]);
});

test("create leaves out a 0 for a deployment the endpoint does not list", async () => {
  seedEndpoint({});
  await provider.create(inputs({ live: 100, retired: 0 }));
  expect(aml.writes("onlineEndpoints").map((r) => (r.body as any).properties.traffic)).toEqual([{ live: 100 }]);
});

test("an operation reported only by a Location header is polled until it stops answering 202", async () => {
  seedEndpoint({});
  const statusReads: number[] = [];
  // The same server and SDK pipeline, with Azure-AsyncOperation hidden: the Location protocol only.
  const locationOnly = new EndpointTrafficProvider({
    clientFactory: (arm) => {
      const real = createArmJsonClient(arm, { credential: aml.credential, additionalPolicies: aml.clientOptions.additionalPolicies });
      return {
        async send(method, url, body) {
          const res = await real.send(method, url, body);
          if (/mfeOperationResults/.test(url)) statusReads.push(res.status);
          const asyncUrl = res.headers["azure-asyncoperation"];
          if (method === "PUT" && asyncUrl) {
            // The same operation's result URL, as a Location header (what many ARM services send).
            return { ...res, status: 202, headers: { ...res.headers, "azure-asyncoperation": undefined, location: asyncUrl.replace("mfeOperationsStatus", "mfeOperationResults") } };
          }
          return res;
        },
      };
    },
    pollIntervalMs: 5,
  });
  const result = await locationOnly.create(inputs({ live: 100 }));
  expect(result.outs.appliedTraffic).toEqual({ live: 100 });
  expect(statusReads.length).toBeGreaterThanOrEqual(2);
  expect(statusReads.slice(0, -1).every((s) => s === 202)).toBe(true);
  expect(statusReads[statusReads.length - 1]).not.toBe(202);
  expect(aml.reads("mfeOperationsStatus")).toEqual([]);
});

test("a throttled PUT is retried by the SDK pipeline (Retry-After honoured) and still succeeds", async () => {
  seedEndpoint({});
  aml.inject({ method: "PUT", path: "onlineEndpoints", kind: "throttle", retryAfterSeconds: 1 });
  const result = await provider.create(inputs({ live: 100 }));
  expect(result.outs.appliedTraffic).toEqual({ live: 100 });
  const puts = aml.requests.filter((r) => r.method === "PUT");
  expect(puts.map((r) => r.fault ?? r.status)).toEqual(["throttle", 200]);
});

test("a failed operation fails the create with Azure's message (nothing is recorded as done)", async () => {
  seedEndpoint({});
  aml.inject({ method: "PUT", path: "onlineEndpoints", kind: "lroFailure" });
  await expect(provider.create(inputs({ live: 100 }))).rejects.toThrow(/traffic failed: The operation failed \(injected\)/);
});

test("a missing endpoint fails the create naming the HTTP status", async () => {
  aml.remove(endpointPath);
  await expect(provider.create(inputs({ live: 100 }))).rejects.toThrow(/could not read the online endpoint: HTTP 404/);
});

test("check reports every bad input at once", async () => {
  expect(checkTrafficInputs(inputs({ live: 100 }))).toEqual([]);
  const failures = checkTrafficInputs({ endpointId: "/subscriptions/x/resourceGroups/y", traffic: { a: 60, b: 30.5 }, armEndpoint: "http://127.0.0.1:1" });
  expect(failures.map((f) => f.property).sort()).toEqual(["armEndpoint", "endpointId", "traffic", "traffic.b"].sort());
  expect((await provider.check({}, { endpointId: endpointPath, traffic: { live: 100 }, endpointRevision: "r" })).inputs.armEndpoint).toBe("https://management.azure.com");
});

test("the resource exposes appliedTraffic as an output (a plain ES2022 class field would reset it to undefined)", async () => {
  const pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, appliedTraffic: { live: 100 } } }), call: (a) => a.inputs },
    "project",
    "stack",
    false,
  );
  const { EndpointTraffic } = await import("../../components/serving/endpointTraffic");
  const resource = new EndpointTraffic("traffic", { endpointId: endpointPath, traffic: { live: 100 }, endpointRevision: "r1" });
  expect(pulumi.Output.isInstance(resource.appliedTraffic)).toBe(true);
  await expect(new Promise((resolve) => resource.appliedTraffic.apply(resolve))).resolves.toEqual({ live: 100 });
});
