/**
 * The offline plan's document (docs/architecture.md, "Command contracts"; `schemaVersion` 1). The policy pack reads the same
 * shape, so these types are the contract between `tools/plan` and `policy/`.
 */

/** Shown instead of a value that is known only after deployment (an output Azure computes). */
export const UNKNOWN = "[unknown]";
/** Shown instead of a secret value; the clear value never enters the plan. */
export const SECRET = "[secret]";

/** A JSON value as it appears in a plan (secrets and unknowns already replaced by the markers above). */
export type PlanValue = null | boolean | number | string | PlanValue[] | { [key: string]: PlanValue };

export interface PlanResource {
  urn: string;
  /** Type token, e.g. `azure-native:machinelearningservices:Workspace`, `mlops:compute:ComputeCluster`. */
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  /** URN of the parent resource; null for resources parented to the stack. */
  parent: string | null;
  /** true for provider-managed resources, false for components. */
  custom: boolean;
  protect: boolean;
  /** URNs this resource depends on (explicit `dependsOn` and those implied by its inputs), sorted. */
  dependsOn: string[];
  /** Inputs as registered. Dynamic providers' serialized `__provider` is left out. */
  inputs: Record<string, PlanValue>;
  /** Present and true for resources that are read, not managed (e.g. stack references, `.get()`). */
  read?: boolean;
}

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  urn: string;
  message: string;
}

export interface Waiver {
  policy: string;
  urn: string;
  reason: string;
}

export interface PlanDocument {
  schemaVersion: 1;
  project: string;
  stack: string;
  kind: "environment" | "branch";
  environment: string;
  /** The git branch of a branch stack, else null. */
  branch: string | null;
  resources: PlanResource[];
  /** Stack outputs (the program's module exports). */
  outputs: Record<string, PlanValue>;
  violations: Violation[];
  waivers: Waiver[];
}

/** One changed property between two plans of the same resource. */
export interface PropertyChange {
  /** Dotted path with `[i]` for array items, e.g. `inputs.sku.name`, `protect`, `dependsOn`. */
  path: string;
  /** Absent when the property is new. */
  before?: PlanValue;
  /** Absent when the property was removed. */
  after?: PlanValue;
}

export interface PlanDiff {
  base: { stack: string };
  head: { stack: string };
  added: { urn: string; type: string }[];
  removed: { urn: string; type: string }[];
  changed: { urn: string; type: string; changes: PropertyChange[] }[];
  unchanged: number;
  /** Stack output changes (paths start with `outputs.`). */
  outputs: PropertyChange[];
}
