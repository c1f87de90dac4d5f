/**
 * Kinds the whole project shares, each defined once: the config schema's enums, the spec's types,
 * the components' args and the pipeline definitions all derive from these lists.
 */

/** The environments a stack can be (a `prod-<name>` stack is a `prod`; a branch stack is a `dev`). */
export const ENVIRONMENT_NAMES = ["dev", "qa", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The environment each one's models are promoted from: dev → qa → prod. */
export const UPSTREAM_ENVIRONMENT: Record<EnvironmentName, EnvironmentName | null> = { dev: null, qa: "dev", prod: "qa" };

/** What a compute cluster's or node pool's nodes are: `gpu` needs a GPU VM family (NC, ND, NV). */
export const NODE_KINDS = ["cpu", "gpu"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
