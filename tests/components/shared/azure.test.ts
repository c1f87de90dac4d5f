/**
 * The shared ARM long-running-operation wait (core-lro behind `waitForArmOperation`): which URL it
 * polls for each of ARM's patterns, when it stops, and how a failure reads.
 */
import { ArmJsonResponse, waitForArmOperation } from "../../../components/shared/azure";

const RESOURCE = "https://arm.test/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e/deployments/d?api-version=2025-12-01";
const STATUS = "https://arm.test/subscriptions/s/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/op1?api-version=2025-12-01";
const ok = (status: number, body: unknown = {}, headers: Record<string, string> = {}): ArmJsonResponse => ({ status, headers, body });

/** A GET answering from a script of responses per URL; records every URL asked. */
function scripted(answers: Record<string, ArmJsonResponse[]>) {
  const asked: string[] = [];
  const get = async (url: string) => {
    asked.push(url);
    const queue = answers[url];
    if (!queue?.length) throw new Error(`unexpected GET ${url}`);
    return queue.length > 1 ? queue.shift()! : queue[0];
  };
  return { get, asked };
}

test("Azure-AsyncOperation: polls the status URL until Succeeded, then reads the resource a PUT created", async () => {
  const { get, asked } = scripted({
    [STATUS]: [ok(200, { status: "InProgress" }), ok(200, { status: "Succeeded" })],
    [RESOURCE]: [ok(200, { properties: { provisioningState: "Succeeded" } })],
  });
  await waitForArmOperation(get, { method: "PUT", url: RESOURCE, response: ok(201, { properties: { provisioningState: "Creating" } }, { "Azure-AsyncOperation": STATUS }) }, { what: "creating d", intervalInMs: 1 });
  expect(asked).toEqual([STATUS, STATUS, RESOURCE]);
});

test("Location: a DELETE's 202 is polled at its Location until it stops answering 202", async () => {
  const location = "https://arm.test/operationResults/op2?api-version=2025-12-01";
  const { get, asked } = scripted({ [location]: [ok(202, undefined, { location }), ok(200)] });
  await waitForArmOperation(get, { method: "DELETE", url: RESOURCE, response: ok(202, undefined, { Location: location }) }, { what: "deleting d", intervalInMs: 1 });
  expect(asked).toEqual([location, location]);
});

test("an answer that carries no operation finishes without a poll", async () => {
  const { get, asked } = scripted({});
  await waitForArmOperation(get, { method: "DELETE", url: RESOURCE, response: ok(200) }, { what: "deleting d", intervalInMs: 1 });
  expect(asked).toEqual([]);
});

test("a failed operation fails with what was being done and Azure's error", async () => {
  const { get } = scripted({ [STATUS]: [ok(200, { status: "Failed", error: { code: "DeploymentFailed", message: "image pull failed" } })] });
  await expect(
    waitForArmOperation(get, { method: "PUT", url: RESOURCE, response: ok(201, {}, { "azure-asyncoperation": STATUS }) }, { what: "creating d", intervalInMs: 1 }),
  ).rejects.toThrow(/^creating d: .*image pull failed/);
});

test("an operation that never ends stops after maxPolls polls", async () => {
  const { get, asked } = scripted({ [STATUS]: [ok(200, { status: "InProgress" })] });
  await expect(
    waitForArmOperation(get, { method: "PUT", url: RESOURCE, response: ok(201, {}, { "azure-asyncoperation": STATUS }) }, { what: "creating d", intervalInMs: 1, maxPolls: 3 }),
  ).rejects.toThrow("creating d: did not finish after 3 polls");
  expect(asked).toHaveLength(3);
});

test("a poll Azure refuses fails instead of waiting on", async () => {
  const { get } = scripted({ [STATUS]: [ok(403, { error: { code: "AuthorizationFailed", message: "no read on operations" } })] });
  await expect(
    waitForArmOperation(get, { method: "PUT", url: RESOURCE, response: ok(201, {}, { "azure-asyncoperation": STATUS }) }, { what: "creating d", intervalInMs: 1 }),
  ).rejects.toThrow("creating d: poll answered 403: no read on operations");
});
