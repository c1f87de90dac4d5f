import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";

/**
 * A branch stack owns no infrastructure: it reads the dev stack's outputs and publishes the branch's
 * pipelines into dev's workspace under branch-marked names.
 */
export function composeBranch(spec: EnvironmentSpec): Record<string, pulumi.Input<unknown>> {
  const dev = new pulumi.StackReference(`${spec.prefix}-dev-ref`, { name: upstreamStackName(spec, "dev") });
  return {
    branch: spec.branch?.name ?? null,
    branchSlug: spec.branch?.slug ?? null,
    devWorkspaceName: dev.getOutput("workspaceName"),
  };
}

/** Fully qualified `<org>/<project>/<stack>`; self-managed backends use the literal org `organization`. */
export function upstreamStackName(spec: EnvironmentSpec, stack: string): string {
  return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${spec.project}/${stack}`;
}
