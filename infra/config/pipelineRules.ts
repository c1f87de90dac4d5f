import type { InputProblem } from "../../shared/errors";
import { pipelineDefinitions } from "../../pipelines/definitions";
import { validatePipelineDefinition } from "../../pipelines/spec/validate";
import type { PipelineDefinition } from "../../pipelines/spec/types";
import type { RawConfig } from "./types";

/**
 * The pipelines a stack publishes must exist, and must be valid against that stack's clusters
 * (unknown cluster, GPU step on a CPU cluster, more nodes than the cluster's maxNodes, …), before
 * anything is registered. Config problems name the stack file; definition problems name the
 * definition's file.
 */
export function pipelineSelectionProblems(
  cfg: RawConfig,
  at: (path: string, message: string) => void,
  definitions: Record<string, PipelineDefinition> = pipelineDefinitions,
): InputProblem[] {
  const known = Object.keys(definitions);
  const selected: Record<string, PipelineDefinition> = {};
  (cfg.pipelines?.publish ?? []).forEach((name, i) => {
    if (definitions[name]) selected[name] = definitions[name];
    else at(`pipelines.publish[${i}]`, `unknown pipeline '${name}' (known: ${known.join(", ")})`);
  });
  (cfg.pipelines?.schedules ?? []).forEach((s, i) => {
    const models = Object.keys(definitions[s.pipeline]?.parameters.models ?? {});
    // A schedule's inputs are fixed when it is created, so a model input would never follow promotion.
    if (models.length > 0) at(`pipelines.schedules[${i}].pipeline`, `'${s.pipeline}' takes model inputs (${models.join(", ")}); schedule a pipeline without model inputs`);
  });
  const clusters = Object.fromEntries((cfg.compute?.clusters ?? []).map((c) => [c.name, { name: c.name, kind: c.kind, maxNodes: c.maxNodes }]));
  // Model parameters may name any definition (scoring uses training's model), published here or not.
  return Object.entries(selected).flatMap(([key, def]) => validatePipelineDefinition(key, def, clusters, definitions, {}));
}
