/**
 * A pipeline definition is data: what the steps are, where each runs and how data flows between them.
 * The publisher turns it into Azure ML assets (code, environments, components, a pipeline component);
 * the validator checks it before anything is registered.
 */
import type { NodeKind } from "../../shared/kinds";

/** Placeholders a step's `args` may use; the publisher fills in the branch-aware names. */
export const ARG_PLACEHOLDERS = ["modelName", "pipelineName", "experimentName", "branch"];

export type PipelineType = "training" | "scoring" | "preprocessing" | "evaluation";

/** Data asset types a step input or output can carry. */
export type AssetType = "uri_folder" | "uri_file" | "mltable" | "custom_model" | "mlflow_model";

/** Literal (parameter) types a pipeline input can carry. */
export type LiteralType = "string" | "number" | "integer" | "boolean";

/**
 * A dataset the pipeline reads, as a path inside a datastore. The run tool may swap the datastore
 * (`--dataset toy`) so a pull request runs on the small toy copy of the same layout.
 */
export interface DatasetParameter {
  type: "uri_folder" | "uri_file" | "mltable";
  /** Datastore name (`training`, `scoring`, `toy`, …) the dataset lives in by default. */
  datastore: string;
  /** Path inside the datastore, e.g. `videos`. */
  path: string;
  description?: string;
}

export interface Hyperparameter {
  type: LiteralType;
  default: string | number | boolean;
  description?: string;
}

/** A registered model the pipeline consumes: the latest version of another pipeline's model. */
export interface ModelParameter {
  type: "custom_model" | "mlflow_model";
  /** Definition name of the pipeline whose model is used (its branch-aware model name). */
  fromPipeline: string;
  description?: string;
}

export interface PipelineParameters {
  datasets: Record<string, DatasetParameter>;
  hyperparameters?: Record<string, Hyperparameter>;
  models?: Record<string, ModelParameter>;
}

/**
 * Where a step input comes from: a pipeline parameter (dataset, hyperparameter, model) by name, or
 * the output of an earlier step.
 */
export type InputBinding = { parameter: string } | { step: string; output: string };

export interface StepOutput {
  type: AssetType;
  /** Also expose this output on the pipeline (e.g. the trained model), under this name. */
  pipelineOutput?: string;
  description?: string;
}

/** Container image, optionally with a conda file (path relative to the step's code folder). */
export interface StepEnvironment {
  image: string;
  conda?: string;
}

interface StepBase {
  /** Unique within the pipeline: lowercase letters, digits, `_`. */
  name: string;
  displayName?: string;
  description?: string;
  /** Code folder, relative to the project root (e.g. `pipelines/steps/extract_frames`). */
  code: string;
  /** Entry script, relative to the code folder. */
  entry: string;
  environment: StepEnvironment;
  /** Compute cluster by its config key (`cpu`, `gpu`, …); the environment maps keys to clusters. */
  compute: string;
  /** Nodes of the cluster the step uses (default 1). */
  nodes?: number;
  /** The step cannot run without a GPU (a CPU cluster is a validation error). */
  gpu?: boolean;
  inputs?: Record<string, InputBinding>;
  outputs?: Record<string, StepOutput>;
  /**
   * Extra command-line arguments after the generated `--<input>`/`--<output>` ones. May name the
   * published names: `{modelName}`, `{pipelineName}`, `{experimentName}`, `{branch}`.
   */
  args?: string[];
}

/** One script on one or more nodes. */
export interface CommandStep extends StepBase {
  kind: "command";
}

/**
 * The same script over a folder of files (or an MLTable file list), split into mini-batches spread
 * over `nodes` × `processesPerNode` workers. The entry script defines `init()` and `run(mini_batch)`.
 */
export interface ParallelStep extends StepBase {
  kind: "parallel";
  /** Input (a `uri_folder` or `mltable`) whose files are split into mini-batches. */
  over: string;
  /** Files per mini-batch (folder input) or a size such as `"10mb"` (MLTable). */
  miniBatchSize: number | string;
  processesPerNode?: number;
  /** Failed items tolerated before the step fails; -1 tolerates all. */
  errorThreshold?: number;
  retries?: number;
  /** Seconds one mini-batch may take. */
  timeoutSeconds?: number;
}

/** Data-parallel training over `nodes` × `processesPerNode` processes. */
export interface DistributedStep extends StepBase {
  kind: "distributed";
  framework: "pytorch" | "tensorflow" | "mpi";
  processesPerNode: number;
}

export type StepDefinition = CommandStep | ParallelStep | DistributedStep;
export type StepKind = StepDefinition["kind"];

export interface PipelineDefinition {
  /** Definition name, the key in `pipelineDefinitions` and the file name in `pipelines/definitions`. */
  name: string;
  type: PipelineType;
  /** Base of the published names: `<type>_<base>_<branch>` (pipeline, experiment, model). */
  base: string;
  description: string;
  parameters: PipelineParameters;
  steps: StepDefinition[];
}

/** What the validator and the publisher know of a cluster: its physical name and node kind. */
export interface ClusterRef {
  name: string;
  kind: NodeKind;
  /** The cluster's node limit, when known (a stack's config): a step may not ask for more nodes. */
  maxNodes?: number;
}

export type ClusterMap = Record<string, ClusterRef>;
