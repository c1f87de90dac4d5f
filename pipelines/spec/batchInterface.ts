/**
 * The batch endpoint's interface, derived from the scoring pipeline's definition: what a caller
 * passes and gets back. Here, beside the definitions it reads, so the serving component takes plain data.
 */
import type { BatchInput, BatchInterface } from "../../components/serving/pinnedBatchComponent";
import type { PipelineDefinition } from "./types";

/** The batch interface of a scoring pipeline definition: its data and hyperparameter inputs, its outputs. */
export function batchInterfaceOf(def: PipelineDefinition): BatchInterface {
  const models = Object.keys(def.parameters.models ?? {});
  if (models.length !== 1) throw new Error(`internal: batch scoring pipeline '${def.name}' must take exactly one model input (found ${models.length})`);
  const inputs: Record<string, BatchInput> = {};
  for (const [k, v] of Object.entries(def.parameters.datasets)) inputs[k] = { type: v.type, ...(v.description ? { description: v.description } : {}) };
  for (const [k, v] of Object.entries(def.parameters.hyperparameters ?? {})) {
    inputs[k] = { type: v.type, ...(v.default !== undefined ? { default: v.default as string | number | boolean } : {}), ...(v.description ? { description: v.description } : {}) };
  }
  const outputs: Record<string, string> = {};
  for (const step of def.steps) for (const o of Object.values(step.outputs ?? {})) if (o.pipelineOutput) outputs[o.pipelineOutput] = o.type;
  return { inputs, outputs, modelInput: models[0] };
}
