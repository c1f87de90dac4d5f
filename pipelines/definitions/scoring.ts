import type { PipelineDefinition } from "../spec/types";
import { CPU_IMAGE } from "./images";

/**
 * Batch scoring: the same frame and candidate steps as training, then the latest registered model of
 * the training pipeline (same branch) marks the bad pixels of every video.
 */
export const scoring: PipelineDefinition = {
  name: "scoring",
  type: "scoring",
  base: "badpixels",
  description: "Scores a folder of videos with the latest registered bad-pixel model.",
  parameters: {
    datasets: {
      videos: { type: "uri_folder", datastore: "scoring", path: "videos", description: "Folder of .y4m videos to score" },
    },
    models: {
      model: { type: "custom_model", fromPipeline: "training", description: "Latest version of the training pipeline's model" },
    },
    hyperparameters: {
      frame_step: { type: "integer", default: 1 },
      min_deviation: { type: "integer", default: 40 },
      threshold: { type: "number", default: 0.5, description: "Probability from which a pixel is reported bad" },
    },
  },
  steps: [
    {
      name: "extract_frames",
      kind: "parallel",
      code: "pipelines/steps/extract_frames",
      entry: "extract_frames.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      nodes: 4,
      processesPerNode: 2,
      over: "videos",
      miniBatchSize: 1,
      inputs: { videos: { parameter: "videos" }, frame_step: { parameter: "frame_step" } },
      outputs: { frames: { type: "uri_folder" } },
    },
    {
      name: "frame_features",
      kind: "parallel",
      code: "pipelines/steps/frame_features",
      entry: "frame_features.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      nodes: 4,
      processesPerNode: 4,
      over: "frames",
      miniBatchSize: 64,
      inputs: {
        frames: { step: "extract_frames", output: "frames" },
        min_deviation: { parameter: "min_deviation" },
      },
      outputs: { features: { type: "uri_folder" } },
    },
    {
      name: "score",
      kind: "command",
      code: "pipelines/steps/bad_pixels",
      entry: "score.py",
      environment: { image: CPU_IMAGE, conda: "conda-score.yml" },
      compute: "cpu",
      inputs: {
        features: { step: "frame_features", output: "features" },
        model: { parameter: "model" },
        threshold: { parameter: "threshold" },
      },
      outputs: { predictions: { type: "uri_folder", pipelineOutput: "predictions" } },
    },
  ],
};
