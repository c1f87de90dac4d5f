/**
 * The storage emulator and the Azure ML server killed in the middle of a promotion and of a publish
 * (the real-kill companion of `outage.test.ts`, which only resets connections):
 *
 *   - Azurite runs with disk persistence (`location`) and is SIGKILLed by a request hook after some of
 *     the operation's blob writes went out, then started again on the same port with the same
 *     accounts. A crash loses what Azurite had not yet saved (its metadata autosaves every 5 s), so
 *     what was seeded before the operation is saved first by a clean restart.
 *   - The Azure ML server stops (listener closed, every open connection destroyed, the request that
 *     triggered it included) when a given registration arrives, and starts again on the same port
 *     with its store intact, as Azure's durable state survives the loss of a front end.
 *
 * After each failed run nothing is half-registered; the rerun converges to exactly one registration.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startHarness as startPromotion, Harness as PromotionHarness, QA } from "../../components/modelPromotion/harness";
import { startHarness as startPublisher, Harness as PublisherHarness, ws as publishWs, CONTAINER } from "../../pipelines/publisher/publisherHarness";
import { planRequests } from "../../../pipelines/publisher/restBodies";

jest.setTimeout(120_000);

/** Fails the test instead of hanging when an operation never settles. */
function bounded<T>(promise: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

describe("promotion with Azurite killed and the Azure ML server stopped mid-run", () => {
  let h: PromotionHarness;
  let location: string;
  beforeAll(async () => {
    location = mkdtempSync(path.join(os.tmpdir(), "mlops-killed-promotion-"));
    h = await startPromotion({ azurite: { location } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(location, { recursive: true, force: true });
  });

  const versions = () => `${h.aml.workspacePath(QA.subscriptionId, QA.resourceGroupName, QA.workspaceName)}/models/killed/versions`;

  test("a crashed storage service and a dead Azure ML host register nothing; the rerun converges to one registration", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 8; i++) files[`f${i}.bin`] = String(i).repeat(64 * 1024);
    await h.seedModel("killed", "1", files);
    // Save what seeding wrote (and the harness's containers) before crashing anything.
    await bounded(h.azurite.kill("SIGTERM"));
    await bounded(h.azurite.restart());
    h.resetCounters();

    // Run 1: Azurite is SIGKILLed as the third server-side copy into qa goes out.
    let copies = 0;
    let azuriteDead: Promise<void> | undefined;
    h.proxy.onRequest((r) => {
      if (azuriteDead || r.method !== "PUT" || typeof r.headers["x-ms-copy-source"] !== "string") return;
      if (!new URL(r.url).pathname.includes("/promoted/killed/1/")) return;
      if (++copies === 3) azuriteDead = h.azurite.kill();
    });
    await expect(bounded(h.provider.create(h.inputs("killed", "1")))).rejects.toThrow();
    expect(azuriteDead).toBeDefined();
    await bounded(azuriteDead!);
    expect(h.aml.list(versions())).toHaveLength(0);
    expect(h.aml.writes("/models/killed/versions/")).toHaveLength(0);
    await bounded(h.azurite.restart());

    // Run 2: the copies now succeed; the Azure ML host dies as the version's registration arrives.
    let amlDead: Promise<void> | undefined;
    h.aml.onRequest((method, p) => {
      if (!amlDead && method === "PUT" && p.endsWith("/models/killed/versions/1")) amlDead = h.aml.stop();
    });
    await expect(bounded(h.provider.create(h.inputs("killed", "1")))).rejects.toThrow();
    expect(amlDead).toBeDefined();
    await bounded(amlDead!);
    expect(h.aml.list(versions())).toHaveLength(0);
    await bounded(h.aml.start());

    // Run 3 converges.
    const result = await bounded(h.provider.create(h.inputs("killed", "1")));
    expect(result.outs.files).toBe(8);
    expect(h.aml.list(versions())).toHaveLength(1);
    // The PUT that died with the host (status 0, never stored), then exactly one registration.
    const puts = h.aml.writes("/models/killed/versions/").filter((r) => r.method === "PUT" && !r.fault);
    expect(puts.map((r) => r.status)).toEqual([0, 201]);
    for (const [name, content] of Object.entries(files)) {
      const copy = await h.qaContainer.getBlockBlobClient(`promoted/killed/1/${name}`).downloadToBuffer();
      expect(md5(copy)).toBe(md5(content));
    }
  });
});

describe("publishing with Azurite killed and the Azure ML server stopped mid-run", () => {
  let h: PublisherHarness;
  let location: string;
  beforeAll(async () => {
    location = mkdtempSync(path.join(os.tmpdir(), "mlops-killed-publish-"));
    h = await startPublisher({ azurite: { location } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(location, { recursive: true, force: true });
  });

  test("a crashed storage service and a dead Azure ML host leave no half-registered pipeline; the rerun converges without duplicates", async () => {
    const inputs = h.inputs("training", { name: "feature/killed", slug: "killed" });
    const req = planRequests(inputs.workspace, inputs.plan, inputs.storage, inputs.tags);
    expect(req.components.length).toBeGreaterThanOrEqual(2);
    await bounded(h.azurite.kill("SIGTERM"));
    await bounded(h.azurite.restart());
    h.clearRecords();

    // Run 1: Azurite is SIGKILLed as the second code upload goes out.
    let uploads = 0;
    let azuriteDead: Promise<void> | undefined;
    h.proxy.onRequest((r) => {
      if (azuriteDead || r.method !== "PUT" || !new URL(r.url).pathname.includes("/LocalUpload/")) return;
      if (++uploads === 2) azuriteDead = h.azurite.kill();
    });
    await expect(bounded(h.provider.create(inputs))).rejects.toThrow();
    expect(azuriteDead).toBeDefined();
    await bounded(azuriteDead!);
    expect(h.aml.get(req.pipeline.path)).toBeUndefined();
    await bounded(h.azurite.restart());

    // Run 2: the Azure ML host dies as the second component is registered.
    let amlDead: Promise<void> | undefined;
    const second = req.components[1].path;
    h.aml.onRequest((method, p) => {
      if (!amlDead && method === "PUT" && p === second) amlDead = h.aml.stop();
    });
    await expect(bounded(h.provider.create(inputs))).rejects.toThrow();
    expect(amlDead).toBeDefined();
    await bounded(amlDead!);
    // The pipeline (what a run would use) never exists without all of its components.
    expect(h.aml.get(req.pipeline.path)).toBeUndefined();
    expect(h.aml.get(second)).toBeUndefined();
    await bounded(h.aml.start());

    // Run 3 converges.
    const result = await bounded(h.provider.create(inputs));
    for (const r of [...req.codes, ...req.environments, ...req.components, req.pipeline]) expect(h.aml.get(r.path)).toBeDefined();
    // Each asset version was written successfully once: the reruns adopted what earlier runs published.
    const wsPath = h.aml.workspacePath(publishWs.subscriptionId, publishWs.resourceGroupName, publishWs.workspaceName);
    const okPuts = h.aml.writes(wsPath).filter((r) => r.method === "PUT" && !r.fault && r.status >= 200 && r.status < 300 && /\/versions\//.test(r.path));
    expect(okPuts.length).toBeGreaterThan(0);
    expect(new Set(okPuts.map((r) => r.path)).size).toBe(okPuts.length);
    // Every registered code version points at bytes that are in storage after the crash.
    for (const code of req.codes) {
      const codeUri: string = h.aml.get(code.path).properties.codeUri;
      const prefix = decodeURIComponent(new URL(codeUri).pathname).split(`/${CONTAINER}/`)[1];
      expect(prefix).toMatch(/^LocalUpload\/./);
      const blobs: string[] = [];
      for await (const b of h.container.listBlobsFlat({ prefix: `${prefix.replace(/\/+$/, "")}/` })) blobs.push(b.name);
      expect({ codeUri, blobs: blobs.length > 0 }).toEqual({ codeUri, blobs: true });
    }
    await h.provider.delete("id", result.outs!);
  });
});
