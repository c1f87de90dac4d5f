import type { PipelineDefinition } from "../spec/types";
import { CPU_IMAGE } from "./images";
import { preprocessingSteps } from "./preprocessing";

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
    ...preprocessingSteps({ frameNodes: 4, featureNodes: 4 }),
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
