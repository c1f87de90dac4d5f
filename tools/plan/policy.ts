/**
 * Runs the policy pack (`policy/evaluate.ts`) on a plan. The pack is loaded when first needed, so a
 * checkout without it still plans (and says that no policy was evaluated).
 */
import * as path from "node:path";
import type { PlanDocument, Violation, Waiver } from "../../shared/plan";

export type PlanEvaluator = (plan: PlanDocument) => { violations: Violation[]; waivers: Waiver[] };

export const POLICY_MODULE = path.resolve(__dirname, "../../policy/evaluate");

/** The pack's `evaluatePlan`, or undefined when the pack is not part of this checkout. */
export function loadPolicyEvaluator(modulePath = POLICY_MODULE): PlanEvaluator | undefined {
  let resolved: string;
  try {
    resolved = require.resolve(modulePath);
  } catch {
    return undefined;
  }
  const mod = require(resolved) as { evaluatePlan?: PlanEvaluator };
  if (typeof mod.evaluatePlan !== "function") {
    throw new Error(`${path.relative(process.cwd(), resolved)} does not export evaluatePlan(plan)`);
  }
  return mod.evaluatePlan;
}
