/**
 * JSON Schema of a pipeline definition (Ajv 8). Shape only: references between steps, clusters and
 * files are checked by `validate.ts`, which has the context the schema lacks.
 */

const identifier = {
  type: "string",
  pattern: "^[a-z][a-z0-9_]{0,39}$",
  description: "a name of lowercase letters, digits and '_' (≤ 40, starting with a letter)",
} as const;

const relativePath = {
  type: "string",
  minLength: 1,
  maxLength: 260,
  pattern: "^(?![/\\\\])(?![A-Za-z]:)(?!.*(^|[/\\\\])\\.\\.([/\\\\]|$)).+$",
  description: "a relative path inside the project (no leading '/', no '..')",
} as const;

const assetType = { enum: ["uri_folder", "uri_file", "mltable", "custom_model", "mlflow_model"] } as const;

const inputBinding = {
  oneOf: [
    { type: "object", additionalProperties: false, required: ["parameter"], properties: { parameter: identifier } },
    {
      type: "object",
      additionalProperties: false,
      required: ["step", "output"],
      properties: { step: identifier, output: identifier },
    },
  ],
  description: "{ parameter: <name> } or { step: <step>, output: <output> }",
} as const;

const stepSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "kind", "code", "entry", "environment", "compute"],
  properties: {
    name: identifier,
    kind: { enum: ["command", "parallel", "distributed"] },
    displayName: { type: "string", maxLength: 256 },
    description: { type: "string", maxLength: 1024 },
    code: relativePath,
    entry: relativePath,
    environment: {
      type: "object",
      additionalProperties: false,
      required: ["image"],
      properties: {
        image: {
          type: "string",
          pattern: "^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$",
          description: "a container image reference, e.g. mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
        },
        conda: relativePath,
      },
    },
    compute: {
      type: "string",
      pattern: "^[a-z][a-z0-9-]{0,11}$",
      description: "a compute cluster key from the stack config (e.g. cpu, gpu)",
    },
    nodes: { type: "integer", minimum: 1, maximum: 100 },
    gpu: { type: "boolean" },
    inputs: { type: "object", propertyNames: identifier, additionalProperties: inputBinding },
    outputs: {
      type: "object",
      propertyNames: identifier,
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["type"],
        properties: { type: assetType, pipelineOutput: identifier, description: { type: "string", maxLength: 1024 } },
      },
    },
    args: { type: "array", items: { type: "string", maxLength: 256 }, maxItems: 50 },
    over: identifier,
    miniBatchSize: {
      oneOf: [
        { type: "integer", minimum: 1 },
        { type: "string", pattern: "^[0-9]+(kb|mb|gb)$", description: "a size such as 10mb" },
      ],
    },
    processesPerNode: { type: "integer", minimum: 1, maximum: 64 },
    errorThreshold: { type: "integer", minimum: -1 },
    retries: { type: "integer", minimum: 0, maximum: 10 },
    timeoutSeconds: { type: "integer", minimum: 1, maximum: 86400 },
    framework: { enum: ["pytorch", "tensorflow", "mpi"] },
  },
  allOf: [
    { if: { properties: { kind: { const: "parallel" } }, required: ["kind"] }, then: { required: ["over", "miniBatchSize"] } },
    {
      if: { properties: { kind: { const: "distributed" } }, required: ["kind"] },
      then: { required: ["framework", "processesPerNode"] },
    },
  ],
} as const;

export const pipelineDefinitionSchema = {
  $id: "https://mlops.local/schemas/pipeline-definition.json",
  type: "object",
  additionalProperties: false,
  required: ["name", "type", "base", "description", "parameters", "steps"],
  properties: {
    name: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,31}$", description: "a definition name (lowercase, ≤ 32)" },
    type: { enum: ["training", "scoring", "preprocessing", "evaluation"] },
    base: { type: "string", pattern: "^[a-z][a-z0-9]{0,11}$", description: "a short base name (lowercase letters/digits, ≤ 12)" },
    description: { type: "string", minLength: 1, maxLength: 1024 },
    parameters: {
      type: "object",
      additionalProperties: false,
      required: ["datasets"],
      properties: {
        datasets: {
          type: "object",
          propertyNames: identifier,
          minProperties: 1,
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            required: ["type", "datastore", "path"],
            properties: {
              type: { enum: ["uri_folder", "uri_file", "mltable"] },
              datastore: { type: "string", pattern: "^[a-z][a-z0-9_]{0,29}$", description: "a datastore name" },
              path: relativePath,
              description: { type: "string", maxLength: 1024 },
            },
          },
        },
        hyperparameters: {
          type: "object",
          propertyNames: identifier,
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            required: ["type", "default"],
            properties: {
              type: { enum: ["string", "number", "integer", "boolean"] },
              default: { type: ["string", "number", "boolean"] },
              description: { type: "string", maxLength: 1024 },
            },
          },
        },
        models: {
          type: "object",
          propertyNames: identifier,
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            required: ["type", "fromPipeline"],
            properties: {
              type: { enum: ["custom_model", "mlflow_model"] },
              fromPipeline: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,31}$" },
              description: { type: "string", maxLength: 1024 },
            },
          },
        },
      },
    },
    steps: { type: "array", minItems: 1, maxItems: 100, items: stepSchema },
  },
} as const;
