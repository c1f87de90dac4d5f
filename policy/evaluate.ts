/**
 * The offline plan's entry to the policy pack: the same rules `pulumi preview --policy-pack policy`
 * runs, applied to a plan document.
 */
import type { PlanDocument, Violation, Waiver } from "../shared/plan";
import { allRules, allWaivers } from "./rules";
import { buildContext, environmentOfStack, isEnvironment } from "./rules/context";
import { evaluateResources } from "./rules/engine";
import { isDeployed } from "./rules/typeTokens";
import type { ResourceView } from "./rules/types";

export { allRules, allWaivers } from "./rules";
export { renderRulesTable, renderWaiversList } from "./rules/table";

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * Evaluates every rule on the resources the stack deploys (components, providers and read-only
 * lookups such as stack references are not judged).
 */
export function evaluatePlan(plan: PlanDocument): { violations: Violation[]; waivers: Waiver[] } {
  const resources: ResourceView[] = plan.resources
    .filter((r) => r.custom && !r.read && isDeployed(r.type))
    .map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: r.inputs ?? {}, protect: r.protect, dependsOn: r.dependsOn ?? [] }));
  const fromStack = environmentOfStack(plan.stack);
  const environment = isEnvironment(plan.environment) ? plan.environment : fromStack.environment;
  const ctx = buildContext(resources, environment, plan.kind ?? fromStack.stackKind);
  const stackUrn =
    plan.resources.find((r) => r.type === STACK_TYPE)?.urn ??
    `urn:pulumi:${plan.stack}::${plan.project}::${STACK_TYPE}::${plan.project}-${plan.stack}`;
  const { findings, waivers } = evaluateResources(resources, ctx, allRules, allWaivers, stackUrn);
  return { violations: findings, waivers };
}
