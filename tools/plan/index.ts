/** The offline plan's public surface (docs/architecture.md, "Command contracts"). Importing `run` loads the Pulumi SDK. */
export * from "../../shared/plan";
export { planStack, runPlan, DEFAULT_PROGRAM, OFFLINE_ENV, PLAN_ORGANIZATION } from "./run";
export type { PlanStackOptions, PlanRunResult } from "./run";
export { prepareStack } from "./prepare";
export type { PrepareOptions, PreparedStack } from "./prepare";
export { diffPlans, readPlanFile, resourceKey, isEmptyDiff } from "./diff";
export { renderPlanMarkdown } from "./render/markdown";
export { renderPlanText } from "./render/text";
export { renderMermaid } from "./render/mermaid";
export { stackReferencePlaceholder, STACK_REFERENCE_TYPE } from "./mocks";
export { loadPolicyEvaluator } from "./policy";
export type { PlanEvaluator } from "./policy";
