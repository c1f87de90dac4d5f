/**
 * The rules as `@pulumi/policy` policies, so `pulumi preview --policy-pack policy` enforces exactly
 * what the offline plan reports. Resource rules become resource policies; stack rules, and resource
 * rules with a waiver (the waiver's reason lives in another resource), become stack policies.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Secret } from "@pulumi/policy";
import { allRules, allWaivers } from "./rules";
import { isDeployed } from "./rules/typeTokens";
import { buildContext, environmentOfStack, stackOfUrn } from "./rules/context";
import { describe, evaluateResources } from "./rules/engine";
import type { Environment, ResourceRule, ResourceView, Rule, StackContext, WaiverRule } from "./rules/types";
import { SECRET, UNKNOWN } from "./rules/values";

/** The engine's markers for values unknown during preview (Pulumi's wire-protocol sentinels). */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
/** `@pulumi/policy` wraps props in a proxy that throws on unknowns; this key returns the raw object. */
const PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * Props as plain data with unknowns shown as the plan shows them, so a rule reading one unknown
 * value is not aborted (the policy SDK would skip the whole check) and decides as in the plan.
 */
export function plainProps(props: unknown): Record<string, unknown> {
  const raw = props && typeof props === "object" ? ((props as Record<string, unknown>)[PROXY_TARGET] ?? props) : props;
  const plain = (v: unknown): unknown => {
    if (typeof v === "string") return UNKNOWN_SENTINELS.has(v) ? UNKNOWN : v;
    // Duck-typed too: a pack installed standalone may load its own copy of @pulumi/policy.
    if (v instanceof Secret || (v && typeof v === "object" && v.constructor?.name === "Secret" && "value" in v)) return SECRET;
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
    }
    return v;
  };
  const result = plain(raw);
  return result && typeof result === "object" && !Array.isArray(result) ? (result as Record<string, unknown>) : {};
}

function viewOf(r: { urn: string; type: string; name: string; props: unknown; opts?: { protect?: boolean } }, dependsOn?: string[]): ResourceView {
  return { urn: r.urn, type: r.type, name: r.name, inputs: plainProps(r.props), protect: r.opts?.protect, ...(dependsOn ? { dependsOn } : {}) };
}

function contextFor(urn: string, resources: ResourceView[], environment: Environment | undefined): StackContext {
  const fromUrn = environmentOfStack(stackOfUrn(urn) ?? "dev");
  return buildContext(resources, environment ?? fromUrn.environment, fromUrn.stackKind);
}

function levelOf(rule: Rule, environment: Environment | undefined): EnforcementLevel {
  if (environment) return rule.levels[environment];
  // Stack not known when the pack loads: enforce as the strictest environment does.
  return rule.levels.prod;
}

function policyDescription(rule: Rule): string {
  return `${rule.description} [${rule.anchors.join(", ")}]`;
}

function resourcePolicy(rule: ResourceRule, environment: Environment | undefined): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: policyDescription(rule),
    enforcementLevel: levelOf(rule, environment),
    validateResource(args: ResourceValidationArgs, reportViolation: ReportViolation) {
      if (!rule.types.includes(args.type)) return;
      const view = viewOf(args);
      const ctx = contextFor(args.urn, [view], environment);
      for (const problem of rule.check(view, ctx)) reportViolation(describe(rule, view, problem), args.urn);
    },
  };
}

function stackPolicy(rule: Rule, waivers: readonly WaiverRule[], environment: Environment | undefined): StackValidationPolicy {
  return {
    name: rule.name,
    description: policyDescription(rule),
    enforcementLevel: levelOf(rule, environment),
    validateStack(args: StackValidationArgs, reportViolation: ReportViolation) {
      const managed = args.resources.filter((r: PolicyResource) => isDeployed(r.type));
      const views = managed.map((r) => viewOf(r, (r.dependencies ?? []).map((d) => d.urn)));
      if (views.length === 0) return;
      const stackResource = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
      const ctx = contextFor(views[0].urn, views, environment);
      // The policy's enforcement level decides what a finding does; the engine only skips disabled rules.
      const { findings } = evaluateResources(views, ctx, [rule], waivers, stackResource?.urn ?? "");
      for (const f of findings) reportViolation(f.message, f.urn || undefined);
    },
  };
}

/** The pack's policies for a stack of `environment` (undefined: decided per resource from its URN). */
export function buildPolicies(environment?: Environment, rules: readonly Rule[] = allRules, waivers: readonly WaiverRule[] = allWaivers): Policies {
  return rules.map((rule) => {
    const ruleWaivers = waivers.filter((w) => w.policy === rule.name);
    return rule.scope === "resource" && ruleWaivers.length === 0
      ? resourcePolicy(rule, environment)
      : stackPolicy(rule, ruleWaivers, environment);
  });
}

/** The environment of the stack the CLI runs the pack for, or undefined when it cannot be told. */
export function environmentForPack(getStack: () => string): Environment | undefined {
  try {
    return environmentOfStack(getStack()).environment;
  } catch {
    return undefined;
  }
}
