import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { declarePipelines } from "./pipelines";
import { requiredText } from "./stackOutputs";

/**
 * A branch stack owns no infrastructure: it reads the dev stack's outputs and publishes the branch's
 * pipelines into dev's workspace under branch-marked names. Destroying it removes exactly those.
 */
export function composeBranch(spec: EnvironmentSpec): Record<string, pulumi.Input<unknown>> {
  const devStack = upstreamStackName(spec, "dev");
  const dev = new pulumi.StackReference(`${spec.stack}-dev`, { name: devStack });
  const text = requiredText(dev, devStack, `branch stack ${spec.stack}`);
  const pipelines = declarePipelines(spec, {
    workspace: { subscriptionId: text("subscriptionId"), resourceGroupName: text("resourceGroupName"), workspaceName: text("workspaceName") },
    storage: { blobEndpoint: text("blobEndpoint"), container: text("defaultBlobContainer") },
  });
  return {
    branch: spec.branch?.name ?? null,
    branchSlug: spec.branch?.slug ?? null,
    subscriptionId: text("subscriptionId"),
    resourceGroupName: text("resourceGroupName"),
    workspaceName: text("workspaceName"),
    publishedPipelines: pipelines.outputs,
  };
}

/** Fully qualified `<org>/<project>/<stack>`; self-managed backends use the literal org `organization`. */
export function upstreamStackName(spec: EnvironmentSpec, stack: string): string {
  return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${spec.project}/${stack}`;
}
