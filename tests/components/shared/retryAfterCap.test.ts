/**
 * A Retry-After longer than the cap ends the call with a clear message instead of blocking; one
 * within the cap is still honoured (the SDK retries and succeeds). Through the shipped client factory.
 */
import { azureClients } from "../../../components/modelPromotion/clients";
import { createArmJsonClient } from "../../../components/serving/armJsonClient";
import { MAX_RETRY_AFTER_MS, requestedWaitMs } from "../../../components/shared/retryAfterCap";
import { AmlServer, startAmlServer } from "../../support/amlServer";
import { createHttpHeaders } from "@azure/core-rest-pipeline";

const ws = { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroupName: "rg", workspaceName: "mlw" };
let aml: AmlServer;

beforeAll(async () => {
  aml = await startAmlServer();
  aml.seedWorkspace({ ...ws, storageAccountName: "devstore" });
});
afterAll(() => aml.close());

const client = () => azureClients({ armEndpoint: aml.url }, { credential: aml.credential, armPolicies: aml.clientOptions.additionalPolicies }).ml(ws.subscriptionId);

test("Retry-After: 3600 on a 429 stops the call at once, saying what Azure asked and what the limit is", async () => {
  aml.inject({ path: "/workspaces/mlw", kind: "throttle", retryAfterSeconds: 3600, times: 1 });
  const err = await client().workspaces.get(ws.resourceGroupName, ws.workspaceName).catch((e) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err.code).toBe("RetryAfterTooLong");
  expect(err.message).toMatch(/answered 429 to GET .*\/workspaces\/mlw and asked to retry after 3600 s, longer than the 60 s this tool waits/);
  // One request: no retry was attempted after the refusal.
  expect(aml.requests.filter((r) => r.path.endsWith("/workspaces/mlw")).length).toBe(1);
});

test("a Retry-After within the cap is honoured and the call succeeds", async () => {
  aml.clearRequests();
  aml.inject({ path: "/workspaces/mlw", kind: "unavailable", retryAfterSeconds: 1, times: 1 });
  const got = await client().workspaces.get(ws.resourceGroupName, ws.workspaceName);
  expect(got.name).toBe("mlw");
  expect(aml.requests.filter((r) => r.path.endsWith("/workspaces/mlw")).map((r) => r.status)).toEqual([503, 200]);
});

test("the serving ARM client (safe rollout, endpoint command) applies the same cap", async () => {
  aml.clearRequests();
  aml.inject({ path: "/workspaces/mlw", kind: "throttle", retryAfterSeconds: 3600, times: 1 });
  const arm = createArmJsonClient(aml.url, { credential: aml.credential, additionalPolicies: aml.clientOptions.additionalPolicies });
  const url = `${aml.url}/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}?api-version=2024-10-01`;
  const err = await arm.send("GET", url).catch((e) => e);
  expect(err.code).toBe("RetryAfterTooLong");
  expect(aml.requests.filter((r) => r.path.endsWith("/workspaces/mlw")).length).toBe(1);
});

test("every Retry-After form the SDK honours is read: seconds, HTTP date, -ms headers", () => {
  const now = Date.UTC(2026, 0, 1);
  const res = (status: number, headers: Record<string, string>) => ({ status, headers: createHttpHeaders(headers), request: {} as never });
  expect(requestedWaitMs(res(429, { "retry-after": "3600" }), now)).toBe(3_600_000);
  expect(requestedWaitMs(res(503, { "retry-after": new Date(now + 7_200_000).toUTCString() }), now)).toBe(7_200_000);
  expect(requestedWaitMs(res(429, { "x-ms-retry-after-ms": "90000" }), now)).toBe(90_000);
  expect(requestedWaitMs(res(429, { "retry-after-ms": "5" }), now)).toBe(5);
  expect(requestedWaitMs(res(500, { "retry-after": "3600" }), now)).toBeUndefined();
  expect(MAX_RETRY_AFTER_MS).toBe(60_000);
});
