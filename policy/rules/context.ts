import type { Environment, NetworkMode, ResourceView, StackContext } from "./types";
import { at, sameText } from "./values";
import { TYPES } from "./typeTokens";

const ENVIRONMENTS: readonly Environment[] = ["dev", "qa", "prod"];

/** Models flow dev → qa → prod; each stack reads only its upstream (docs/architecture.md, "Stacks"). */
/**
 * Where each environment's models come from: always the origin (dev), since prod copies what qa
 * approved from dev and never reaches qa (docs/promotion.md, "The chain").
 */
const UPSTREAM: Record<Environment, Environment | null> = { dev: null, qa: "dev", prod: "dev" };

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** `dev`/`qa`/`prod` are environment stacks; any other stack name is a branch stack living in dev. */
export function environmentOfStack(stack: string): Pick<StackContext, "environment" | "stackKind"> {
  const short = stack.split("/").pop() ?? stack;
  return isEnvironment(short)
    ? { environment: short, stackKind: "environment" }
    : { environment: "dev", stackKind: "branch" };
}

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): string | null {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match ? match[1] : null;
}

/**
 * Private when the workspace turns public network access off or when the stack declares private
 * endpoints; a stack without a workspace (branch stacks) uses the dev workspace and counts as public.
 */
export function inferNetworkMode(resources: ResourceView[]): NetworkMode {
  const workspaces = resources.filter((r) => r.type === TYPES.workspace);
  if (workspaces.some((w) => sameText(at(w.inputs, "publicNetworkAccess"), "Disabled"))) return "private";
  if (resources.some((r) => r.type === TYPES.privateEndpoint)) return "private";
  return "public";
}

export function buildContext(
  resources: ResourceView[],
  environment: Environment,
  stackKind: StackContext["stackKind"],
  overrides: Partial<StackContext> = {},
): StackContext {
  return {
    environment,
    stackKind,
    networkMode: inferNetworkMode(resources),
    promotionSource: UPSTREAM[environment],
    ...overrides,
  };
}
