import type { PipelineDefinition } from "../spec/types";
import { CPU_IMAGE, GPU_IMAGE } from "./images";
import { preprocessingSteps } from "./preprocessing";

/**
 * The seed's training pipeline: raw videos → frames (parallel, many CPU nodes) → per-frame bad-pixel
 * candidates (parallel, more CPU nodes) → training (distributed, GPU) → model registration with
 * lineage tags (one node) → evaluation against the approved version, tagged on the new one. Copy this file to start a new pipeline.
 */
export const training: PipelineDefinition = {
  name: "training",
  type: "training",
  base: "badpixels",
  description: "Trains the bad-pixel detector on a folder of raw videos and registers the model.",
  parameters: {
    datasets: {
      videos: {
        type: "uri_folder",
        datastore: "training",
        path: "videos",
        description: "Folder of .y4m videos with labels.json (bad pixels per video)",
      },
    },
    hyperparameters: {
      frame_step: { type: "integer", default: 1, description: "Keep every n-th frame" },
      min_deviation: { type: "integer", default: 40, description: "Smallest neighbour deviation (0-255) kept as a candidate" },
      epochs: { type: "integer", default: 300 },
      learning_rate: { type: "number", default: 2.0 },
    },
  },
  steps: [
    ...preprocessingSteps({ frameNodes: 4, featureNodes: 8 }),
    {
      name: "train",
      kind: "distributed",
      description: "Trains the detector data-parallel across GPU nodes",
      code: "pipelines/steps/bad_pixels",
      entry: "train.py",
      environment: { image: GPU_IMAGE, conda: "conda-train.yml" },
      compute: "gpu",
      gpu: true,
      nodes: 2,
      framework: "pytorch",
      processesPerNode: 1,
      inputs: {
        features: { step: "frame_features", output: "features" },
        labels: { parameter: "videos" },
        epochs: { parameter: "epochs" },
        learning_rate: { parameter: "learning_rate" },
        min_deviation: { parameter: "min_deviation" },
      },
      outputs: { model: { type: "custom_model", pipelineOutput: "model" } },
    },
    {
      name: "register_model",
      kind: "command",
      description: "Registers the model under the branch-aware name, tagged with its lineage",
      code: "pipelines/steps/register_model",
      entry: "register_model.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      inputs: { model: { step: "train", output: "model" } },
      outputs: { registration: { type: "uri_folder" } },
      args: ["--model-name", "{modelName}", "--pipeline-name", "{pipelineName}", "--branch", "{branch}"],
    },
    {
      name: "evaluate_model",
      kind: "command",
      description: "Compares the new version's metrics with the approved version's and tags the result on it",
      code: "pipelines/steps/evaluate_model",
      entry: "evaluate_model.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      inputs: { registration: { step: "register_model", output: "registration" } },
      outputs: { evaluation: { type: "uri_folder", pipelineOutput: "evaluation" } },
      args: ["--primary-metric", "f1", "--approval-tag", "stage=production"],
    },
  ],
};
