/**
 * PublishedPipeline under the Pulumi runtime's mocks: what a plan (preview) sees for dev and for a
 * branch stack, and that a bad definition stops the program before anything registers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { ClusterMap, PipelineDefinition } from "../../../pipelines/spec/types";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const registered: Registered[] = [];
const clusters: ClusterMap = { cpu: { name: "mlops-dev-cpu", kind: "cpu" }, gpu: { name: "mlops-dev-gpu", kind: "gpu" } };
const workspace = { subscriptionId: "00000000-1111-2222-3333-444444444444", resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" };
const storage = { blobEndpoint: "https://stmlopsdev.blob.core.windows.net", container: "azureml-blobstore-1234" };

let mod: typeof import("../../../pipelines");

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "mlops",
    "dev",
    true,
  );
  mod = await import("../../../pipelines");
});

function outputOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function settle(resource: pulumi.Resource): Promise<Registered> {
  await outputOf((resource as any).urn as pulumi.Output<string>);
  const name = (await outputOf((resource as any).urn as pulumi.Output<string>)).split("::").pop()!;
  return registered.find((r) => r.name === name)!;
}

describe("PublishedPipeline in a plan", () => {
  test("dev: the training and scoring pipelines with their content hashes and cluster references", async () => {
    const common = { workspace, storage, clusters, branch: null, stack: "dev", tags: { environment: "dev", stack: "dev", "managed-by": "pulumi" } };
    const training = new mod.PublishedPipeline("training", { ...common, definition: mod.pipelineDefinitions.training });
    const scoring = new mod.PublishedPipeline("scoring", { ...common, definition: mod.pipelineDefinitions.scoring });
    const t = await settle(training);
    const s = await settle(scoring);

    expect(t.type).toBe("pulumi-nodejs:dynamic/mlops:PublishedPipeline");
    expect(t.inputs.pipelineName).toBe("training_badpixels");
    expect(s.inputs.pipelineName).toBe("scoring_badpixels");
    expect(t.inputs.contentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(t.inputs.plan.contentHash).toBe(t.inputs.contentHash);
    for (const c of t.inputs.plan.components) expect(c.version).toMatch(/^[0-9a-f]{16}$/);
    expect(t.inputs.plan.components.map((c: any) => [c.step, c.cluster.name])).toEqual([
      ["extract_frames", "mlops-dev-cpu"],
      ["frame_features", "mlops-dev-cpu"],
      ["train", "mlops-dev-gpu"],
      ["register_model", "mlops-dev-cpu"],
      ["evaluate_model", "mlops-dev-cpu"],
    ]);
    expect(t.inputs.pipelineComponentId).toBe(
      `/subscriptions/${workspace.subscriptionId}/resourceGroups/rg-mlops-dev/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-dev/components/training_badpixels/versions/${t.inputs.contentHash}`,
    );
    expect(t.inputs.tags).toEqual({ environment: "dev", stack: "dev", "managed-by": "pulumi", pipeline: "training" });
    expect(t.inputs.armEndpoint).toBe("https://management.azure.com");
    expect(t.inputs.clusterNames).toBe("cpu=mlops-dev-cpu, gpu=mlops-dev-gpu");
    expect(s.inputs.clusterNames).toBe("cpu=mlops-dev-cpu");
    expect(await outputOf(training.contentHash)).toBe(t.inputs.contentHash);
    expect(await outputOf(scoring.pipelineComponentId)).toBe(s.inputs.pipelineComponentId);
  });

  test("a branch stack: names carry the branch, assets carry branch tags, the serialized provider names no local path", async () => {
    const branch = { name: "feature/x", slug: "x" };
    const training = new mod.PublishedPipeline("training-x", {
      workspace,
      storage,
      clusters,
      branch,
      stack: "branch-x-1a2b3c",
      tags: { environment: "dev" },
      definition: mod.pipelineDefinitions.training,
    });
    const t = await settle(training);
    expect(t.inputs.pipelineName).toMatch(/^training_badpixels_x-[a-z2-7]{13}$/);
    expect(t.inputs.modelName.length).toBeLessThanOrEqual(30);
    expect(t.inputs.tags).toEqual({
      environment: "dev",
      "managed-by": "pulumi",
      stack: "branch-x-1a2b3c",
      pipeline: "training",
      branch: "feature/x",
      "branch-slug": "x",
    });
    const provider = String(t.inputs.__provider);
    expect(provider.length).toBeGreaterThan(0);
    expect(provider).not.toContain(path.resolve(__dirname, "../../.."));
  });

  test("the stack output for the run tool and a schedule's job definition", async () => {
    const scoring = new mod.PublishedPipeline("scoring-ref", {
      workspace,
      storage,
      clusters,
      branch: null,
      stack: "dev",
      tags: {},
      definition: mod.pipelineDefinitions.scoring,
    });
    const ref = await outputOf(mod.publishedPipelineRef(scoring));
    expect(ref).toMatchObject({ definition: "scoring", pipelineName: "scoring_badpixels", experimentName: "scoring_badpixels" });
    expect(ref.inputs.models.model.modelName).toBe("training_badpixels");
    const job = await outputOf(
      mod.scheduledPipelineJob(scoring, { datastore: "scoring", models: { model: "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/models/training_badpixels/versions/3" } }),
    );
    expect(job).toMatchObject({
      jobType: "Pipeline",
      experimentName: "scoring_badpixels",
      inputs: {
        videos: { jobInputType: "uri_folder", uri: "azureml://datastores/scoring/paths/videos", mode: "ReadOnlyMount" },
        threshold: { jobInputType: "literal", value: "0.5" },
      },
      jobs: { scoring: { type: "pipeline", componentId: ref.pipelineComponentId } },
    });
  });

  test("a retraining schedule: a native Schedule whose job runs the published pipeline on a cron", async () => {
    const ml = await import("@pulumi/azure-native/machinelearningservices");
    const training = new mod.PublishedPipeline("training-sched", {
      workspace,
      storage,
      clusters,
      branch: null,
      stack: "dev",
      tags: {},
      definition: mod.pipelineDefinitions.training,
    });
    const schedule = new ml.Schedule("retrain", {
      resourceGroupName: workspace.resourceGroupName,
      workspaceName: workspace.workspaceName,
      name: "retrain-badpixels",
      properties: mod.pipelineScheduleProperties(training, { cron: "0 3 * * 1", datastore: "training", tags: { stack: "dev" } }),
    });
    const r = await settle(schedule);
    expect(r.type).toBe("azure-native:machinelearningservices:Schedule");
    expect(r.inputs.properties).toMatchObject({
      isEnabled: true,
      trigger: { triggerType: "Cron", expression: "0 3 * * 1", timeZone: "UTC" },
      action: {
        actionType: "CreateJob",
        jobDefinition: {
          jobType: "Pipeline",
          experimentName: "training_badpixels",
          inputs: { videos: { jobInputType: "uri_folder", uri: "azureml://datastores/training/paths/videos", mode: "ReadOnlyMount" } },
          jobs: { training: { type: "pipeline", componentId: await outputOf(training.pipelineComponentId) } },
        },
      },
    });
  });

  test("a bad definition throws every problem before anything registers", () => {
    const before = registered.length;
    const bad: PipelineDefinition = structuredClone(mod.pipelineDefinitions.training);
    bad.steps[2].compute = "cpu";
    bad.steps[3].inputs = { model: { step: "trian", output: "model" } };
    let error: unknown;
    try {
      new mod.PublishedPipeline("bad", { workspace, storage, clusters, branch: null, stack: "dev", tags: {}, definition: bad });
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("InputError");
    expect((error as { problems: unknown[] }).problems).toEqual([
      expect.objectContaining({ file: "pipelines/definitions/training.ts", path: "steps[2].compute" }),
      expect.objectContaining({ file: "pipelines/definitions/training.ts", path: "steps[3].inputs.model.step" }),
    ]);
    expect(registered.length).toBe(before);
  });
});
