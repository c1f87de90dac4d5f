/**
 * Golden request bodies (see golden.ts): the distinct REST bodies of publishing, running and promoting,
 * captured on the wire at the local Azure ML server while the real code runs.
 * The safe rollout's deployment and traffic bodies are pinned in tests/components/serving/modelRollout.test.ts,
 * the model CLI's approval tag and the stale-asset cleaner's archive bodies are pinned in their own
 * suites (tests/tools/model/cli.test.ts, tests/tools/drift/staleAssets.test.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startHarness as startPublisher, Harness as PublisherHarness } from "../../pipelines/publisher/publisherHarness";
import { startHarness as startPromotion, Harness as PromotionHarness } from "../../components/modelPromotion/harness";
import type { RecordedRequest } from "../../support/amlServer";
import { pipelineCommand, RunDeps, RUN_EXIT } from "../../../tools/pipeline/run";
import { expectGolden } from "./golden";

const put = (reqs: RecordedRequest[], pattern: RegExp) => reqs.find((r) => r.method === "PUT" && pattern.test(r.path) && r.status < 300);

describe("publishing a pipeline", () => {
  let h: PublisherHarness;
  beforeAll(async () => {
    h = await startPublisher();
  });
  afterAll(() => h.close());

  test("code, environment, command/parallel/distributed components, pipeline component, archive", async () => {
    const inputs = h.inputs("training", { name: "feature/golden", slug: "golden" });
    const { outs } = await h.provider.create(inputs);
    const reqs = h.aml.requests;
    expectGolden("publish-code-version", put(reqs, /\/codes\/[^/]+_register_model\/versions\//));
    expectGolden("publish-environment-version", put(reqs, /\/environments\/[^/]+_register_model_env\/versions\//));
    expectGolden("publish-component-command", put(reqs, /\/components\/[^/]+_register_model\/versions\//));
    expectGolden("publish-component-parallel", put(reqs, /\/components\/[^/]+_extract_frames\/versions\//));
    expectGolden("publish-component-distributed", put(reqs, /\/components\/[^/]+_train\/versions\//));
    expectGolden("publish-pipeline-component", put(reqs, /\/components\/training_badpixels_golden_[a-z0-9]+\/versions\//));
    h.clearRecords();
    await h.provider.delete("id", outs!);
    expectGolden("publish-archive-version", put(h.aml.requests, /\/codes\/[^/]+_register_model\/versions\//));
  });
});

describe("running a published pipeline", () => {
  let h: PublisherHarness;
  let dir: string;
  beforeAll(async () => {
    h = await startPublisher();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-golden-"));
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the pipeline job of the run tool, with a model input", async () => {
    const refs: Record<string, unknown> = {};
    for (const def of ["training", "scoring"]) {
      const { outs } = await h.provider.create(h.inputs(def));
      refs[def] = { definition: def, pipelineName: outs!.pipelineName, experimentName: outs!.experimentName, pipelineComponentId: outs!.pipelineComponentId, inputs: outs!.plan.inputs, outputs: outs!.plan.outputs };
    }
    const wsPath = h.aml.workspacePath(h.inputs("training").workspace.subscriptionId, "rg-mlops-dev", "mlw-mlops-dev");
    const model = (refs.scoring as any).inputs.models.model.modelName;
    h.aml.seed(`${wsPath}/models/${model}/versions/4`, { properties: { modelType: "custom_model" } });
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify({ workspaceName: "mlw-mlops-dev", publishedPipelines: refs }));
    h.clearRecords();
    const deps: RunDeps = {
      sender: (_endpoint, sub) => h.aml.client(sub),
      stackOutputs: () => ({}),
      sleep: async () => undefined,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      out: () => undefined,
      err: () => undefined,
      progressStream: { write: () => true, isTTY: false },
      uniqueSuffix: () => "golden",
    };
    const argv = ["run", "scoring", "--stack", "dev", "--outputs", outputsFile, "--arm-endpoint", h.aml.url, "--dataset", "toy"];
    expect(await pipelineCommand(argv, deps)).toBe(RUN_EXIT.completed);
    expectGolden("run-pipeline-job", put(h.aml.requests, /\/jobs\//));
  });
});

describe("promoting a model", () => {
  let h: PromotionHarness;
  beforeAll(async () => {
    h = await startPromotion();
  });
  afterAll(() => h.close());

  test("the registered model version with lineage, and its archive on delete", async () => {
    await h.seedModel("churn", "3", { "model.pkl": "weights", MLmodel: "flavors: {}" }, { tags: { stage: "production" } });
    h.resetCounters();
    const { outs } = await h.provider.create(h.inputs("churn", "3"));
    expectGolden("promote-model-version", put(h.aml.requests, /\/workspaces\/mlw-mlops-qa\/models\/churn\/versions\/3$/));
    h.resetCounters();
    await h.provider.delete(outs!.modelId, outs!);
    expectGolden("promote-archive-model-version", put(h.aml.requests, /\/workspaces\/mlw-mlops-qa\/models\/churn\/versions\/3$/));
  });
});
