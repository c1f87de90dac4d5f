/**
 * The batch deployment's model binding. A pipeline-component batch deployment carries no inputs of
 * its own: `BatchPipelineComponentDeploymentConfiguration` has only `componentId`, `description`,
 * `settings` and `tags` (Azure/azure-rest-api-specs
 * specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-12-01/mfe.json;
 * the same in `@pulumi/azure-native` types/input.d.ts `BatchPipelineComponentDeploymentConfigurationArgs`).
 * Azure's documented way to fix a model for such a deployment is a pipeline component whose job
 * binds the model as an input ("How to deploy a pipeline to perform batch scoring with
 * preprocessing": the score job's `model` input names a registered model). So the promoted version
 * gets its own small pipeline component wrapping the published scoring pipeline with `model` bound;
 * every other input stays open for the caller of `npm run endpoint -- invoke --batch`.
 */
import { createHash } from "node:crypto";

export interface BatchInput {
  type: string;
  default?: string | number | boolean;
  description?: string;
}

/** What a caller of the batch endpoint passes and gets back; the model input is bound, not open. */
export interface BatchInterface {
  inputs: Record<string, BatchInput>;
  outputs: Record<string, string>;
  /** The scoring pipeline's model input the wrapper binds. */
  modelInput: string;
}

/** Component name rule: lowercase letter first, then lowercase letters, digits and `_`. */
export const pinnedComponentName = (prefix: string) => `${prefix}_batch_scoring`.replace(/-/g, "_").toLowerCase();

/** A version per (scoring component, model version): `m<version>-<hash>`, immutable like every component version. */
export function pinnedComponentVersion(scoringComponentId: string, modelUri: string, modelVersion: string): string {
  const hash = createHash("sha256").update(JSON.stringify([scoringComponentId.toLowerCase(), modelUri.toLowerCase()])).digest("hex").slice(0, 10);
  return `m${modelVersion}-${hash}`;
}

/**
 * The wrapper's `componentSpec` in the REST shape Azure ML stores for pipeline components (node
 * inputs `{ job_input_type, value|uri }`, as `pipelines/publisher/plan.ts` writes them).
 */
export function pinnedComponentSpec(args: {
  name: string;
  version: string;
  scoringComponentId: string;
  /** `azureml:<workspace model version id>`, or the registry version `azureml://registries/…`. */
  modelUri: string;
  iface: BatchInterface;
  description: string;
}): Record<string, unknown> {
  const { iface } = args;
  const open = Object.keys(iface.inputs);
  return {
    $schema: "https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json",
    type: "pipeline",
    name: args.name,
    version: args.version,
    description: args.description,
    inputs: iface.inputs,
    outputs: Object.fromEntries(Object.entries(iface.outputs).map(([k, t]) => [k, { type: t }])),
    jobs: {
      scoring: {
        type: "pipeline",
        componentId: args.scoringComponentId,
        inputs: {
          ...Object.fromEntries(open.map((k) => [k, { job_input_type: "literal", value: `\${{parent.inputs.${k}}}` }])),
          [iface.modelInput]: { job_input_type: "custom_model", uri: args.modelUri },
        },
        outputs: Object.fromEntries(Object.keys(iface.outputs).map((k) => [k, { type: "literal", value: `\${{parent.outputs.${k}}}` }])),
      },
    },
  };
}
