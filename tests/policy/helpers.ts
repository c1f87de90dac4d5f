import { allRules, allWaivers } from "../../policy/rules";
import { buildContext } from "../../policy/rules/context";
import { evaluateResources } from "../../policy/rules/engine";
import type { Environment, ResourceView, Rule, StackContext } from "../../policy/rules/types";

export function ruleNamed(name: string): Rule {
  const rule = allRules.find((r) => r.name === name);
  if (!rule) throw new Error(`no rule named ${name}`);
  return rule;
}

export function stackUrnFor(env: string): string {
  return `urn:pulumi:${env}::mlops-azure::pulumi:pulumi:Stack::mlops-azure-${env}`;
}

/** Runs one rule (with the pack's waivers) on a stack of the given environment. */
export function runRule(name: string, stack: ResourceView[], env: Environment, overrides: Partial<StackContext> = {}) {
  const ctx = buildContext(stack, env, overrides.stackKind ?? "environment", overrides);
  return evaluateResources(stack, ctx, [ruleNamed(name)], allWaivers, stackUrnFor(env));
}

/** Environments in which the rule runs at all. */
export function enabledEnvironments(rule: Rule): Environment[] {
  return (["dev", "qa", "prod"] as const).filter((e) => rule.levels[e] !== "disabled");
}
