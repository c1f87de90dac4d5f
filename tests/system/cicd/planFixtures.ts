/**
 * Small plans in the plan tool's schema (shared/plan.ts): a dev stack and a branch stack as the
 * target branch and a pull request would plan them.
 */
import type { PlanDocument, PlanResource, PlanValue } from "../../../shared/plan";
import { plan as basePlan } from "../../tools/plan/helpers";

const PROJECT = "mlops";

function urn(stack: string, type: string, name: string, parentType?: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

function resource(stack: string, type: string, name: string, inputs: Record<string, PlanValue>, parent?: PlanResource): PlanResource {
  const parentType = parent ? parent.urn.split("::")[2] : undefined;
  return {
    urn: urn(stack, type, name, parentType),
    type,
    name,
    parent: parent?.urn ?? null,
    custom: !type.startsWith("mlops:"),
    protect: false,
    dependsOn: [],
    inputs,
  };
}

function plan(stack: string, kind: "environment" | "branch", resources: PlanResource[], extra: Partial<PlanDocument> = {}): PlanDocument {
  return basePlan(resources, { project: PROJECT, stack, kind, ...extra });
}

export function devPlan(opts: { gpuMaxNodes: number; withScoringCluster: boolean }): PlanDocument {
  const stack = "dev";
  const rg = resource(stack, "azure-native:resources:ResourceGroup", "mlops-dev-rg", { resourceGroupName: "rg-mlops-dev", location: "westeurope" });
  const ws = resource(stack, "azure-native:machinelearningservices:Workspace", "mlops-dev-workspace", {
    resourceGroupName: "rg-mlops-dev",
    workspaceName: "mlw-mlops-dev",
    publicNetworkAccess: "Enabled",
  });
  const cluster = (name: string, vmSize: string, maxNodeCount: number) =>
    resource(stack, "azure-native:machinelearningservices:Compute", name, {
      resourceGroupName: "rg-mlops-dev",
      workspaceName: "mlw-mlops-dev",
      computeName: name,
      properties: { computeType: "AmlCompute", properties: { vmSize, scaleSettings: { minNodeCount: 0, maxNodeCount } } },
    });
  const resources = [rg, ws, cluster("mlops-dev-cpu", "Standard_DS3_v2", 4), cluster("mlops-dev-gpu", "Standard_NC6s_v3", opts.gpuMaxNodes)];
  if (opts.withScoringCluster) resources.push(cluster("mlops-dev-score", "Standard_DS3_v2", 2));
  return plan(stack, "environment", resources, { outputs: { workspaceName: "mlw-mlops-dev" } });
}

export const BRANCH = "feature/churn-model";

export function branchPlan(stack: string, opts: { trainingHash: string; mandatoryViolation?: boolean }): PlanDocument {
  const ref = resource(stack, "pulumi:pulumi:StackReference", "mlops-dev-ref", { name: "organization/mlops/dev" });
  ref.read = true;
  const pipeline = (kind: string, hash: string) =>
    resource(stack, "pulumi-nodejs:dynamic/mlops:PublishedPipeline", `${kind}-pipeline`, {
      pipelineName: `${kind}_churn_churn-model-1a2b3c`,
      workspaceName: "organization/mlops/dev:workspaceName",
      contentHash: hash,
      tags: { branch: BRANCH, stack },
    });
  const resources = [ref, pipeline("training", opts.trainingHash), pipeline("scoring", "sha256:5c0e")];
  const violations = opts.mandatoryViolation
    ? [{ policy: "pipeline-compute-exists", level: "mandatory" as const, urn: resources[1].urn, message: "step train runs on unknown cluster 'tpu'" }]
    : [];
  return plan(stack, "branch", resources, { branch: BRANCH, violations });
}
