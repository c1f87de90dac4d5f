
import type { RunInputs } from "./plan";
import { assetVersionId, type WorkspaceRef } from "../../shared/workspace";

/**
 * The pipeline job that runs a published pipeline component: one `pipeline` node pointing at the
 * component, with the job's inputs passed through. Used by the run tool (REST, api-version
 * `ML_API_VERSION`) and by schedules (the `jobDefinition` of a native `Schedule`). Asset inputs carry
 * `uri` and `mode`, which `@azure/arm-machinelearning` 2.1.1 would drop: send this body as is.
 */

/** What a run needs to know about a published pipeline (the `pipelines.<name>` stack output). */
export interface PublishedPipelineRef {
  definition: string;
  pipelineName: string;
  experimentName: string;
  pipelineComponentId: string;
  inputs: RunInputs;
  outputs: Record<string, string>;
}

export interface PipelineJobOptions {
  /** Datastore that replaces every dataset's default one (e.g. `toy`). */
  datastore?: string;
  /** Model input → ARM id of the model version to use. */
  models?: Record<string, string>;
  hyperparameters?: Record<string, string | number | boolean>;
  displayName?: string;
  description?: string;
  tags?: Record<string, string>;
}

const ASSET_MODE: Record<string, string> = {
  uri_folder: "ReadOnlyMount",
  uri_file: "ReadOnlyMount",
  mltable: "EvalMount",
  custom_model: "ReadOnlyMount",
  mlflow_model: "ReadOnlyMount",
};

/** `properties` of a PipelineJob (REST camelCase, also what azure-native's Schedule takes). */
export function pipelineJobProperties(ref: PublishedPipelineRef, options: PipelineJobOptions = {}): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(ref.inputs.datasets)) {
    const datastore = options.datastore ?? d.datastore;
    inputs[name] = { jobInputType: d.type, uri: `azureml://datastores/${datastore}/paths/${d.path}`, mode: ASSET_MODE[d.type] };
  }
  for (const [name, h] of Object.entries(ref.inputs.hyperparameters)) {
    inputs[name] = { jobInputType: "literal", value: String(options.hyperparameters?.[name] ?? h.default) };
  }
  for (const [name, m] of Object.entries(ref.inputs.models)) {
    const id = options.models?.[name];
    if (!id) throw new Error(`no version given for model input '${name}' (model ${m.modelName})`);
    inputs[name] = { jobInputType: m.type, uri: `azureml:${id}`, mode: ASSET_MODE[m.type] };
  }
  const outputs = Object.fromEntries(
    Object.entries(ref.outputs).map(([name, type]) => [
      name,
      type === "uri_folder" || type === "uri_file" ? { jobOutputType: type, mode: "ReadWriteMount" } : { jobOutputType: type },
    ]),
  );
  const node = {
    type: "pipeline",
    name: ref.definition,
    componentId: ref.pipelineComponentId,
    inputs: Object.fromEntries(
      Object.keys(inputs).map((k) => [k, { job_input_type: "literal", value: `\${{parent.inputs.${k}}}` }]),
    ),
    outputs: Object.fromEntries(Object.keys(outputs).map((k) => [k, { type: "literal", value: `\${{parent.outputs.${k}}}` }])),
    _source: "REMOTE.WORKSPACE.COMPONENT",
  };
  return {
    jobType: "Pipeline",
    displayName: options.displayName ?? ref.pipelineName,
    experimentName: ref.experimentName,
    ...(options.description ? { description: options.description } : {}),
    tags: options.tags ?? {},
    inputs,
    outputs,
    jobs: { [ref.definition]: node },
    settings: { _source: "REMOTE.WORKSPACE.COMPONENT" },
  };
}

/** Workspace coordinates parsed from any ARM id below a workspace (e.g. a component version id). */
export function workspaceOf(armId: string): WorkspaceRef | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)/i.exec(armId);
  return m ? { subscriptionId: m[1], resourceGroupName: m[2], workspaceName: m[3] } : undefined;
}

/** The studio link of a job, as Azure ML builds it. */
export function portalLink(ws: WorkspaceRef, jobName: string): string {
  return `https://ml.azure.com/runs/${jobName}?wsid=/subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroupName}/workspaces/${ws.workspaceName}`;
}

export function modelVersionId(ws: WorkspaceRef, name: string, version: string): string {
  return assetVersionId(ws, "models", name, version);
}
