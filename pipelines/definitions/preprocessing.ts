import type { ParallelStep } from "../spec/types";
import { CPU_IMAGE } from "./images";

/**
 * Videos → frames → bad-pixel candidates: the two steps training and scoring share. Scoring must
 * prepare videos exactly as training did, so both pipelines take them from here; only the scale
 * (nodes) differs. Expects the pipeline parameters `videos`, `frame_step` and `min_deviation`.
 */
export function preprocessingSteps(scale: { frameNodes: number; featureNodes: number }): ParallelStep[] {
  return [
    {
      name: "extract_frames",
      kind: "parallel",
      description: "Splits every video into greyscale frames",
      code: "pipelines/steps/extract_frames",
      entry: "extract_frames.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      nodes: scale.frameNodes,
      processesPerNode: 2,
      over: "videos",
      miniBatchSize: 1,
      retries: 2,
      timeoutSeconds: 600,
      inputs: { videos: { parameter: "videos" }, frame_step: { parameter: "frame_step" } },
      outputs: { frames: { type: "uri_folder" } },
    },
    {
      name: "frame_features",
      kind: "parallel",
      description: "Finds bad-pixel candidates in every frame",
      code: "pipelines/steps/frame_features",
      entry: "frame_features.py",
      environment: { image: CPU_IMAGE, conda: "conda.yml" },
      compute: "cpu",
      nodes: scale.featureNodes,
      processesPerNode: 4,
      over: "frames",
      miniBatchSize: 64,
      retries: 2,
      timeoutSeconds: 600,
      inputs: {
        frames: { step: "extract_frames", output: "frames" },
        min_deviation: { parameter: "min_deviation" },
      },
      outputs: { features: { type: "uri_folder" } },
    },
  ];
}
