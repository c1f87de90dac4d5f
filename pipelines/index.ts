/** Pipelines as code: definitions (data), their validation, and the publisher. */
export { pipelineDefinitions } from "./definitions";
export { validatePipelineDefinitions, validatePipelineDefinition, definitionFile } from "./spec/validate";
export type * from "./spec/types";
export * from "./publisher";
