/**
 * The rule model shared by the offline plan and the Pulumi policy pack. Rules are plain functions over
 * plain data so both adapters (plan, `@pulumi/policy`) run exactly the same code.
 */

export type Environment = "dev" | "qa" | "prod";
/** `disabled` means the rule does not run in that environment (e.g. cost rules outside prod). */
export type Level = "mandatory" | "advisory" | "disabled";
export type NetworkMode = "public" | "private";

/** One resource as a rule sees it: its type token and its declared inputs (azure-native v3 shape). */
export interface ResourceView {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Whether the resource is protected from deletion (`protect` option); undefined when not known. */
  protect?: boolean;
  /** URNs this resource depends on, when known (the plan and the policy engine both report them). */
  dependsOn?: string[];
}

export interface StackContext {
  environment: Environment;
  stackKind: "environment" | "branch";
  /** Inferred from the workspace (public network access / managed network) unless given. */
  networkMode: NetworkMode;
  /** The environment whose resources this stack may read (docs/architecture.md, "Stacks": qa ← dev, prod ← qa). */
  promotionSource: Environment | null;
}

export interface RuleMeta {
  /** Policy name, kebab-case; unique across the pack. */
  name: string;
  description: string;
  /** Scanner / Azure Policy IDs this rule implements (listed per rule in policy/README.md). */
  anchors: string[];
  levels: Record<Environment, Level>;
  remediation: string;
}

/** Checks one resource; returns one message per problem (empty when it passes). */
export interface ResourceRule extends RuleMeta {
  scope: "resource";
  /** Type tokens the rule applies to. */
  types: string[];
  check(resource: ResourceView, ctx: StackContext): string[];
}

export interface StackFinding {
  /** The offending resource; the stack URN-less findings use null. */
  urn: string | null;
  message: string;
}

/** Checks the stack as a whole (relations between resources). */
export interface StackRule extends RuleMeta {
  scope: "stack";
  check(resources: ResourceView[], ctx: StackContext): StackFinding[];
}

export type Rule = ResourceRule | StackRule;

/** A finding with the rule's name and the level that applies in this environment. */
export interface Finding {
  policy: string;
  level: Exclude<Level, "disabled">;
  urn: string;
  message: string;
}

/**
 * A recorded exception: a rule that cannot be met for a documented reason. `matches` sees the whole
 * stack because the reason usually lives in another resource (e.g. the Azure ML extension on a cluster).
 */
export interface WaiverRule {
  policy: string;
  reason: string;
  matches(resource: ResourceView, all: ResourceView[], ctx: StackContext): boolean;
  /** What must also hold for the exception to stand (compensating controls); all are checked. */
  conditions: WaiverCondition[];
  /** ISO date (YYYY-MM-DD) after which the waiver no longer applies until someone reviews it. */
  reviewBy: string;
}

export interface WaiverCondition {
  /** What the condition requires, as the plan and the README show it. */
  description: string;
  holds(resource: ResourceView, all: ResourceView[], ctx: StackContext): boolean;
}

export interface AppliedWaiver {
  policy: string;
  urn: string;
  reason: string;
}
