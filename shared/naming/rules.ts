/**
 * Azure's naming rules for every physical name the project derives (docs/architecture.md, "Names"). Where sources
 * disagree the stricter rule is kept, so a name that passes here is accepted by ARM.
 */

export type NameKind =
  | "stack"
  | "experiment"
  | "pipeline"
  | "model"
  | "component"
  | "batchEndpoint"
  | "onlineEndpoint"
  | "computeCluster"
  | "workspace"
  | "storageAccount"
  | "keyVault"
  | "containerRegistry"
  | "aksCluster"
  | "datastore"
  | "resourceGroup";

export interface NameRule {
  min: number;
  max: number;
  pattern: RegExp;
  /** Human description used in error messages. */
  describe: string;
}

const assetPattern = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

export const nameRules: Record<NameKind, NameRule> = {
  // Pulumi allows longer stack names; 100 keeps backends and URLs comfortable.
  stack: { min: 1, max: 100, pattern: /^[a-zA-Z0-9_.-]+$/, describe: "letters, digits, '-', '_', '.'" },
  // The process keeps experiments ≤ 36 and models ≤ 30 (older Azure ML limits the seed records).
  experiment: { min: 1, max: 36, pattern: assetPattern, describe: "letters, digits, '_', '-', starting alphanumeric" },
  pipeline: { min: 1, max: 255, pattern: assetPattern, describe: "letters, digits, '_', '-', starting alphanumeric" },
  model: { min: 1, max: 30, pattern: assetPattern, describe: "letters, digits, '_', '-', starting alphanumeric" },
  // Azure ML component YAML reference (command/parallel/pipeline components): "Must start with lowercase
  // letter. Allowed characters are lowercase letters, numbers, and underscore(_). Maximum length is 255."
  component: { min: 1, max: 255, pattern: /^[a-z][a-z0-9_]*$/, describe: "lowercase letters, digits, '_', starting with a letter" },
  batchEndpoint: {
    min: 3,
    max: 32,
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    describe: "starts with a letter, letters/digits/single hyphens, ends alphanumeric",
  },
  onlineEndpoint: {
    min: 3,
    max: 32,
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    describe: "starts with a letter, letters/digits/single hyphens, ends alphanumeric",
  },
  // 3–24 is the documented rule; 16 is what every compute type accepts, so we keep to it.
  computeCluster: {
    min: 3,
    max: 16,
    pattern: /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    describe: "starts with a letter, letters/digits/hyphens, ends alphanumeric",
  },
  workspace: { min: 3, max: 33, pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, describe: "letters, digits, '_', '-', starting alphanumeric" },
  storageAccount: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, describe: "lowercase letters and digits" },
  keyVault: {
    min: 3,
    max: 24,
    pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    describe: "starts with a letter, letters/digits/hyphens, no '--', ends alphanumeric",
  },
  containerRegistry: { min: 5, max: 50, pattern: /^[a-zA-Z0-9]+$/, describe: "letters and digits" },
  aksCluster: {
    min: 1,
    max: 63,
    pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]*[a-zA-Z0-9])?$/,
    describe: "letters, digits, '_', '-', starting and ending alphanumeric",
  },
  datastore: { min: 1, max: 255, pattern: /^[a-z0-9_]+$/, describe: "lowercase letters, digits, '_'" },
  resourceGroup: { min: 1, max: 90, pattern: /^[-\w._()]*[-\w_()]$/, describe: "letters, digits, '-', '_', '.', '(', ')', not ending with '.'" },
};

/** Returns why `value` is not a valid `kind` name, or null when it is valid. */
export function checkName(kind: NameKind, value: string): string | null {
  const rule = nameRules[kind];
  if (value.length < rule.min || value.length > rule.max) {
    return `${kind} name '${value}' must be ${rule.min}–${rule.max} characters (is ${value.length})`;
  }
  if (!rule.pattern.test(value)) return `${kind} name '${value}' must be ${rule.describe}`;
  return null;
}
