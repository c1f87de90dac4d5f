/**
 * Outages in the middle of a promotion and of a publish: the storage service and the Azure ML
 * service stop answering (every connection reset) part-way through, for longer than the SDK's
 * retries last, and come back. After every failed run nothing is half-registered (no model version
 * whose bytes are not all verified in place, no pipeline whose components are missing), and rerunning
 * the same operation converges to exactly one registration.
 *
 * Here the services are made unreachable by injected connection resets, which can be placed on exact
 * requests and repeated for several runs; `killedServices.test.ts` kills the processes for real
 * (Azurite SIGKILLed with disk persistence and restarted on the same port, the Azure ML server
 * stopped and started again with its store intact).
 */
import { createHash } from "node:crypto";
import { startHarness as startPromotion, Harness as PromotionHarness, DEV, QA } from "../../components/modelPromotion/harness";
import { startHarness as startPublisher, Harness as PublisherHarness, ws as publishWs } from "../../pipelines/publisher/publisherHarness";
import { planRequests } from "../../../pipelines/publisher/restBodies";

/** Reruns `attempt` until it succeeds (the outage ends when the injected faults are used up). */
async function rerunUntilConverged<T>(attempt: () => Promise<T>, afterFailure: (err: Error) => void, maxRuns = 12): Promise<{ result: T; failures: number }> {
  for (let run = 1; run <= maxRuns; run++) {
    try {
      return { result: await attempt(), failures: run - 1 };
    } catch (err) {
      afterFailure(err as Error);
    }
  }
  throw new Error(`did not converge in ${maxRuns} runs`);
}

describe("promotion through a storage and Azure ML outage", () => {
  let h: PromotionHarness;
  beforeAll(async () => {
    h = await startPromotion();
  });
  afterAll(() => h.close());

  const versionPath = (name: string, version: string) => `${h.aml.workspacePath(QA.subscriptionId, QA.resourceGroupName, QA.workspaceName)}/models/${name}/versions/${version}`;

  test("copies cut off half-way and a registration cut off register nothing; the rerun converges", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 6; i++) files[`f${i}.bin`] = String(i).repeat(2048);
    await h.seedModel("outage", "1", files);
    h.resetCounters();
    // Storage goes away after the first files are copied: every copy of f3..f6 is reset, longer
    // than the blob client's 4 tries.
    h.proxy.inject({ method: "PUT", path: /\/promoted\/outage\/1\/f[3-6]\.bin/, kind: "reset", times: 14 });
    // Then Azure ML goes away just when the version would be registered.
    h.aml.inject({ method: "PUT", path: "/models/outage/versions/1", kind: "reset", times: 9 });

    const seenFailures: string[] = [];
    const { result, failures } = await rerunUntilConverged(
      () => h.provider.create(h.inputs("outage", "1")),
      (err) => {
        seenFailures.push(err.message.split("\n")[0]);
        // Nothing half-registered: the target has no version until every byte is verified.
        expect(h.aml.get(versionPath("outage", "1"))).toBeUndefined();
      },
    );
    expect(failures).toBeGreaterThanOrEqual(2); // both outages were felt
    expect(h.proxy.pendingFaults()).toBe(0);
    expect(h.aml.pendingFaults()).toBe(0);
    expect(result.outs.files).toBe(6);

    const registered = h.aml.list(`${h.aml.workspacePath(QA.subscriptionId, QA.resourceGroupName, QA.workspaceName)}/models/outage/versions`);
    expect(registered).toHaveLength(1);
    const puts = h.aml.writes("/models/outage/versions/").filter((r) => r.method === "PUT" && !r.fault);
    expect(puts.map((r) => r.status)).toEqual([201]);
    for (const [name, content] of Object.entries(files)) {
      const copy = await h.qaContainer.getBlockBlobClient(`promoted/outage/1/${name}`).downloadToBuffer();
      expect(createHash("md5").update(copy).digest("hex")).toBe(createHash("md5").update(content).digest("hex"));
    }
    expect(DEV.workspaceName).not.toBe(QA.workspaceName);
  });
});

describe("publishing through a storage and Azure ML outage", () => {
  let h: PublisherHarness;
  beforeAll(async () => {
    h = await startPublisher();
  });
  afterAll(() => h.close());

  test("uploads and registrations cut off register no pipeline; the rerun converges without duplicates", async () => {
    const inputs = h.inputs("training", { name: "feature/outage", slug: "outage" });
    const req = planRequests(inputs.workspace, inputs.plan, inputs.storage, inputs.tags);
    h.clearRecords();
    // Storage goes away while the train step's code is uploaded (longer than the blob client's
    // retries, for two runs), then Azure ML while the pipeline itself would be registered.
    h.proxy.inject({ method: "PUT", path: /\/LocalUpload\/[^/]*_train\//, kind: "reset", times: 8 });
    h.aml.inject({ method: "PUT", path: req.pipeline.path, kind: "reset", times: 10 });

    const { result, failures } = await rerunUntilConverged(
      () => h.provider.create(inputs),
      () => {
        // The pipeline (what a run would use) never exists without all of its components.
        expect(h.aml.get(req.pipeline.path)).toBeUndefined();
      },
    );
    expect(failures).toBeGreaterThanOrEqual(2);
    expect(h.proxy.pendingFaults()).toBe(0);
    expect(h.aml.pendingFaults()).toBe(0);
    for (const r of [...req.codes, ...req.environments, ...req.components, req.pipeline]) expect(h.aml.get(r.path)).toBeDefined();
    // Each asset version was written successfully once: the reruns adopted what earlier runs published.
    const wsPath = h.aml.workspacePath(publishWs.subscriptionId, publishWs.resourceGroupName, publishWs.workspaceName);
    const okPuts = h.aml.writes(wsPath).filter((r) => r.method === "PUT" && !r.fault && /\/versions\//.test(r.path));
    expect(new Set(okPuts.map((r) => r.path)).size).toBe(okPuts.length);
    await h.provider.delete("id", result.outs!);
  });
});
