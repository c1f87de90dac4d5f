import type { EnvironmentName } from "../kinds";

/**
 * Which stacks are environments. `dev`, `qa` and `prod` are; so is every `prod-<name>` (one
 * production environment per partner or department, docs/architecture.md, "Stacks"): each runs the prod settings in
 * its own resource groups, network, AKS and identities, promoting from qa. Any other name is a branch
 * stack.
 *
 * `<name>` is 1–8 lowercase letters or digits starting with a letter: short enough that every derived
 * name that carries the stack (workspace ≤ 33, endpoints ≤ 32, key vault ≤ 24) stays within Azure's
 * limits for the longest prefix, and free of separators so `prod-eu` never reads as `prod` + suffix.
 */
export const PRODUCTION_STACK_PATTERN = /^prod-([a-z][a-z0-9]{0,7})$/;

/** The environment a stack runs as, or null for a branch stack. */
export function environmentOfStack(stack: string): EnvironmentName | null {
  if (stack === "dev" || stack === "qa" || stack === "prod") return stack;
  return PRODUCTION_STACK_PATTERN.test(stack) ? "prod" : null;
}

/** `prod` and every `prod-<name>`. */
export function isProductionStack(stack: string): boolean {
  return environmentOfStack(stack) === "prod";
}

/**
 * Why a stack that looks like a production stack (`prod-…`) is not a valid one, or null. Such a name
 * must not silently become a branch stack planned with dev's settings.
 */
export function productionStackNameProblem(stack: string): string | null {
  if (!stack.startsWith("prod-") || PRODUCTION_STACK_PATTERN.test(stack)) return null;
  return `invalid production stack name '${stack}': production stacks are 'prod-<name>', <name> 1–8 lowercase letters or digits starting with a letter (e.g. prod-eu)`;
}

/**
 * The stem that tells environments apart in names scoped to a subscription or region (resource
 * groups, workspace, network, AKS, Entra display names): the environment for dev, qa, prod and branch
 * stacks (which use dev's), the stack itself for `prod-<name>`.
 */
export function environmentLabel(stack: string, environment: EnvironmentName): string {
  return environment === "prod" && PRODUCTION_STACK_PATTERN.test(stack) ? stack : environment;
}

/**
 * Stem of the stack's logical resource names (`mlops-prod-eu-workspace`): unchanged for dev, qa, prod
 * and branch stacks; a production stack's own name for `prod-<name>`, so URNs and mock ids say which
 * production environment they belong to.
 */
export function logicalBase(spec: { prefix: string; stack: string; environment: EnvironmentName }): string {
  return `${spec.prefix}-${environmentLabel(spec.stack, spec.environment)}`;
}
