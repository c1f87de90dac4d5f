/**
 * The origin-copy chain (docs/promotion.md, "The chain"): qa promotes what dev approved; `npm run model -- approve
 * … --stack qa` approves qa's copy and records that approval, with the copy's content hash, on the
 * origin version in dev; prod resolves that record on dev, copies the bytes from dev and checks
 * them against qa's hash. Prod's clients refuse to reach qa at all and qa's storage account answers
 * every request with 403, and prod still converges; revoking qa's approval rolls prod back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, ModelCliDeps } from "../../../tools/model/approval";
import { approvalOf, resolveApproval, ResolvedApproval } from "../../../components/modelPromotion/resolve";
import { PromotedModelProvider } from "../../../components/modelPromotion/provider";
import type { PromotionClientFactory } from "../../../components/modelPromotion/clients";
import type { PromotedModelOutputs } from "../../../components/modelPromotion/types";
import { LINEAGE, ORIGIN_APPROVAL } from "../../../components/modelPromotion/types";
import { startHarness, Harness, DEV, DEV_ACCOUNT, PROD, PROD_ACCOUNT, PROD_CONTAINER, QA, QA_ACCOUNT } from "./harness";

let h: Harness;
let dir: string;
let qaOutputs: string;
let printed: string[];
beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(os.tmpdir(), "origin-copy-"));
  qaOutputs = path.join(dir, "qa.outputs.json");
  writeFileSync(qaOutputs, JSON.stringify({ ...QA, environment: "qa" }));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const versionPath = (ws: typeof DEV, name: string, version: string) =>
  `${h.aml.workspacePath(ws.subscriptionId, ws.resourceGroupName, ws.workspaceName)}/models/${name}/versions/${version}`;
const cliDeps = (): ModelCliDeps => ({ credential: h.aml.credential, additionalPolicies: h.aml.clientOptions.additionalPolicies, stdout: (t) => void printed.push(t) });
/** The qa release manager's step, run as qa (on qa's runner, with qa's identity). */
const qaCli = (...args: string[]) => main([...args, "--stack", "qa", "--outputs", qaOutputs, "--arm-endpoint", h.aml.url], cliDeps());

/** Prod's clients: the same servers, but any attempt to reach qa's workspace or storage fails loudly. */
const qaAttempts: string[] = [];
const prodFactory: PromotionClientFactory = (settings) => {
  const inner = h.factory(settings);
  return {
    ...inner,
    ml(sub) {
      if (sub === QA.subscriptionId) qaAttempts.push(`ml ${sub}`);
      return inner.ml(sub);
    },
    blob(account, endpoint) {
      if (account === QA_ACCOUNT) qaAttempts.push(`blob ${account}`);
      return inner.blob(account, endpoint);
    },
  };
};
const prodProvider = () => new PromotedModelProvider(prodFactory);

/** What prod's program resolves during `up`: read on the origin (dev) only. */
const resolveForProd = (modelName: string): Promise<ResolvedApproval> =>
  (resolveApproval({ source: DEV, modelName, approvedIn: "qa", offline: false, armEndpoint: h.aml.url, mlClient: (sub) => h.ml(sub) }) as any).promise();

const prodInputs = (modelName: string, a: ResolvedApproval) => ({
  ...h.inputs(modelName, a.version),
  target: { ...PROD, datastoreName: "workspaceblobstore" },
  expectedContentHash: a.expectedContentHash,
  approvals: a.approvals,
});

const qaCopies: Record<string, PromotedModelOutputs> = {};
const files = (v: string) => ({ "model.pkl": `weights-${v}-`.repeat(300), "MLmodel": `flavors: {v: ${v}}\n` });
/**
 * What the training pipeline leaves on each dev version: register_model's metric_* tags and
 * evaluate_model's comparison with the version approved when it ran (the first had none). They travel
 * to qa's copy, so `approve --stack qa` passes the real evaluation gate, no --force.
 */
const evaluated: Record<string, Record<string, string>> = {
  "1": { metric_f1: "0.8000", evaluation: "first", evaluation_detail: "no approved version to compare with; f1=0.8000" },
  "2": { metric_f1: "0.8500", evaluation: "passed", evaluation_baseline: "1", evaluation_detail: "f1 0.8500 vs approved 0.8000 (+0.0500, tolerance 0.0)" },
  "3": { metric_f1: "0.9000", evaluation: "passed", evaluation_baseline: "2", evaluation_detail: "f1 0.9000 vs approved 0.8500 (+0.0500, tolerance 0.0)" },
};

describe("qa promotes from dev, prod promotes what qa approved from dev", () => {
  beforeAll(async () => {
    printed = [];
    // qa's side happens before qa's storage starts refusing requests (the prod phase).
    for (const [v, at] of [["1", "2024-01-01T00:00:00Z"], ["2", "2024-02-01T00:00:00Z"], ["3", "2024-03-01T00:00:00Z"]]) {
      await h.seedModel("churn", v, files(v), { tags: { ...evaluated[v], stage: "production" }, createdAt: at });
      qaCopies[v] = (await h.provider.create(h.inputs("churn", v))).outs;
    }
  });

  it("approving qa's copy tags it in qa and records the approval with the copy's hash on the origin version", async () => {
    expect(await qaCli("approve", "churn", "1")).toBe(0);
    expect(await qaCli("approve", "churn", "2")).toBe(0);
    const origin = h.aml.get(versionPath(DEV, "churn", "2")).properties.tags;
    expect(origin).toMatchObject({
      stage: "production",
      [ORIGIN_APPROVAL.key("qa")]: "production",
      [ORIGIN_APPROVAL.contentHash("qa")]: qaCopies["2"].contentHash,
      [ORIGIN_APPROVAL.at("qa")]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(h.aml.get(versionPath(QA, "churn", "2")).properties.tags.stage).toBe("production");
    expect(h.aml.get(versionPath(QA, "churn", "2")).properties.tags).not.toHaveProperty("approval_forced"); // the evaluation gate passed
    expect(printed.join("")).toMatch(/recorded as approval\.qa on the origin workspace 'mlw-mlops-dev'/);
  });

  let prod: { id: string; outs: PromotedModelOutputs };

  it("prod resolves the newest qa-approved version on the origin and copies it from dev while qa's storage refuses every request", async () => {
    h.resetCounters();
    h.proxy.inject({ path: new RegExp(`^/${QA_ACCOUNT}(/|$)`), kind: "status", status: 403, code: "AuthorizationFailure", times: 10_000 });
    const approved = await resolveForProd("churn");
    expect(approved).toEqual({
      version: "2",
      expectedContentHash: qaCopies["2"].contentHash,
      approvals: { dev: "stage=production", qa: expect.stringMatching(/^approval\.qa=production at \d{4}-/) },
    });

    const created = await prodProvider().create(prodInputs("churn", approved));
    prod = { id: created.id, outs: created.outs as PromotedModelOutputs };
    expect(prod.outs.contentHash).toBe(qaCopies["2"].contentHash); // the bytes qa tested
    expect(h.copies().sort()).toEqual(["MLmodel", "model.pkl"].map((f) => `/${PROD_ACCOUNT}/${PROD_CONTAINER}/promoted/churn/2/${f}`));
    const sources = h.proxy.requests.filter((r) => typeof r.headers["x-ms-copy-source"] === "string").map((r) => new URL(String(r.headers["x-ms-copy-source"])).pathname);
    expect(sources.every((s) => s.startsWith(`/${DEV_ACCOUNT}/`))).toBe(true);
    expect(h.modelBodyRequests()).toEqual([]);

    // Not one request towards qa: no client was even asked for, and qa's refusals were never met.
    expect(qaAttempts).toEqual([]);
    expect(h.proxy.requests.filter((r) => new URL(r.url).pathname.startsWith(`/${QA_ACCOUNT}/`))).toEqual([]);
    expect(h.proxy.pendingFaults()).toBe(10_000);
    expect(h.aml.requests.filter((r) => r.path.toLowerCase().includes(QA.resourceGroupName))).toEqual([]);

    const tags = h.aml.get(versionPath(PROD, "churn", "2")).properties.tags;
    expect(tags).toMatchObject({
      [LINEAGE.sourceWorkspace]: h.aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName),
      [LINEAGE.sourceVersion]: "2",
      [LINEAGE.contentHash]: qaCopies["2"].contentHash,
      [`${LINEAGE.approvalPrefix}dev`]: "stage=production",
      [`${LINEAGE.approvalPrefix}qa`]: expect.stringMatching(/^approval\.qa=production at /),
    });
    expect(Object.keys(tags).filter((k) => k.startsWith("approval.") || k === "stage")).toEqual([]); // prod approves its own
  });

  it("revoking qa's approval rolls prod back to the previous qa-approved version on the next up", async () => {
    expect(await qaCli("revoke", "churn", "2")).toBe(0);
    const origin = h.aml.get(versionPath(DEV, "churn", "2")).properties.tags;
    expect(Object.keys(origin).filter((k) => k.startsWith("approval.qa"))).toEqual([]);
    expect(origin.stage).toBe("production"); // dev's own approval stays: qa still has it

    const approved = await resolveForProd("churn");
    expect(approved).toMatchObject({ version: "1", expectedContentHash: qaCopies["1"].contentHash });
    const provider = prodProvider();
    const diff = await provider.diff(prod.id, prod.outs, prodInputs("churn", approved));
    expect(diff).toMatchObject({ changes: true, replaces: ["version"] });
    const back = await provider.create(prodInputs("churn", approved));
    expect(back.outs).toMatchObject({ version: "1", contentHash: qaCopies["1"].contentHash });
    expect(h.aml.get(versionPath(PROD, "churn", "1")).properties.tags[LINEAGE.sourceVersion]).toBe("1");
    expect(qaAttempts).toEqual([]);
  });

  it("origin bytes that no longer match qa's tested copy are refused: nothing copied or registered in prod", async () => {
    expect(await qaCli("approve", "churn", "3")).toBe(0);
    // Same length, different bytes, after qa tested it.
    await h.devContainer.getBlockBlobClient("models/churn/3/MLmodel").uploadData(Buffer.from("flavors: {v: 9}\n"));

    const approved = await resolveForProd("churn");
    expect(approved.version).toBe("3");
    h.resetCounters();
    await expect(prodProvider().create(prodInputs("churn", approved))).rejects.toThrow(/hash to sha256:\w+, but the approved copy hashed to sha256:\w+; nothing copied or registered/);
    expect(h.copies()).toEqual([]);
    expect(h.aml.get(versionPath(PROD, "churn", "3"))).toBeUndefined();
  });

  it("prod fails to resolve, naming the approve command, when qa approved nothing", async () => {
    await h.seedModel("fresh", "1", { "a.bin": "a" }, { tags: { stage: "production" } });
    await expect(approvalOf(h.ml(DEV.subscriptionId), DEV, "fresh", { key: "stage", value: "production" }, "qa")).rejects.toThrow(
      /carries a qa approval.*npm run model -- approve fresh <version> --stack qa/,
    );
  });
});
