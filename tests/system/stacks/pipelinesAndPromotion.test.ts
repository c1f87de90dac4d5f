import type { PlanDocument } from "../../../shared/plan";
import { ofType, one, planJson } from "../../support/plans";

/** The pipelines and promotion layers as the real program declares them, planned offline. */
const PIPELINE = "pulumi-nodejs:dynamic/mlops:PublishedPipeline";
const PROMOTED = "pulumi-nodejs:dynamic/mlops:PromotedModel";
const STACK_REF = "pulumi:pulumi:StackReference";

let dev: PlanDocument;
let branch: PlanDocument;
let qa: PlanDocument;

beforeAll(async () => {
  [dev, branch, qa] = await Promise.all([planJson("dev"), planJson("branch-x", ["--branch", "feature/x"]), planJson("qa")]);
}, 120_000);

describe("published pipelines", () => {
  test("dev publishes training and scoring under plain names, with content hashes and physical cluster names", () => {
    const pipelines = ofType(dev, PIPELINE);
    expect(pipelines.map((p) => p.inputs.pipelineName).sort()).toEqual(["scoring_badpixels", "training_badpixels"]);
    for (const p of pipelines) {
      expect(p.inputs.contentHash).toMatch(/^[0-9a-f]{16,}$/);
      // `key=name` pairs: the config key steps use and the physical cluster it resolves to.
      const pairs = String(p.inputs.clusterNames).split(", ").map((kv) => kv.split("="));
      expect(pairs.length).toBeGreaterThan(0);
      for (const [, name] of pairs) expect(name).toMatch(/^mlops-dev-/);
      expect(p.inputs).not.toHaveProperty("__provider");
      expect(p.inputs.workspace).toMatchObject({ workspaceName: "mlw-mlops-dev", resourceGroupName: "rg-mlops-dev" });
    }
    const training = pipelines.find((p) => p.inputs.pipelineName === "training_badpixels")!;
    expect(String(training.inputs.clusterNames)).toContain("gpu=mlops-dev-gpu");
    // Clusters exist before pipelines that name them.
    // (Depending on a component means depending on its children.)
    const clusterUrns = dev.resources.filter((r) => r.type === "azure-native:machinelearningservices:Compute").map((r) => r.urn);
    expect(clusterUrns.length).toBeGreaterThan(1);
    expect(training.dependsOn).toEqual(expect.arrayContaining(clusterUrns));
  });

  test("a branch stack owns no infrastructure and publishes branch-marked pipelines into dev's workspace", () => {
    expect(branch.kind).toBe("branch");
    expect(branch.branch).toBe("feature/x");
    const custom = branch.resources.filter((r) => r.custom && !r.read);
    expect(new Set(custom.map((r) => r.type))).toEqual(new Set([PIPELINE]));
    const ref = one(branch, STACK_REF);
    expect(ref.inputs.name).toBe("organization/mlops/dev");
    for (const p of custom) {
      expect(p.inputs.pipelineName).toMatch(/_badpixels_x-[a-z2-7]{13}$/);
      expect(p.inputs.workspace).toMatchObject({ workspaceName: "organization/mlops/dev:workspaceName" });
      expect(p.dependsOn).toContain(ref.urn);
    }
  });

  test("branch assets carry the markers the stale-asset audit looks for", () => {
    for (const p of ofType(branch, PIPELINE)) expect(p.inputs.tags).toMatchObject({ branch: "feature/x", stack: "branch-x", "managed-by": "pulumi" });
  });
});

describe("model promotion", () => {
  test("qa promotes from dev: the model's version is resolved at deploy time, the source is dev's workspace", () => {
    const ref = ofType(qa, STACK_REF).find((r) => r.inputs.name === "organization/mlops/dev");
    expect(ref).toBeDefined();
    const promoted = one(qa, PROMOTED);
    expect(promoted.inputs.modelName).toBe("training_badpixels");
    expect(promoted.inputs.version).toBe("[unknown]");
    expect(promoted.inputs.source).toMatchObject({ workspaceName: "organization/mlops/dev:workspaceName" });
    expect(promoted.inputs.target).toMatchObject({ workspaceName: "mlw-mlops-qa", resourceGroupName: "rg-mlops-qa" });
    expect(promoted.inputs.approvalTag).toEqual({ key: "stage", value: "production" });
    expect(promoted.dependsOn).toContain(ref!.urn);
  });

  test("the online rollout serves the promoted model", () => {
    const promoted = one(qa, PROMOTED);
    const rollout = one(qa, "pulumi-nodejs:dynamic/mlops:ModelRollout");
    expect(rollout.dependsOn).toContain(promoted.urn);
    expect(qa.outputs.promotedModels).toMatchObject({ training_badpixels: { version: "[unknown]" } });
  });

  test("dev promotes nothing", () => {
    expect(ofType(dev, PROMOTED)).toHaveLength(0);
    expect(ofType(dev, STACK_REF)).toHaveLength(0);
  });
});
