/**
 * One definition of where an Azure ML workspace is, shared by the components, the dynamic providers
 * and the tools, and the ARM ids derived from it. ARM resource ids follow
 * `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{name}/…`
 * (Azure/azure-rest-api-specs, specification/machinelearningservices/resource-manager).
 */
import type * as pulumi from "@pulumi/pulumi";

export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

/** The same coordinates as component or resource args: each may be another resource's output. */
export type WorkspaceRefInput = { [K in keyof WorkspaceRef]: pulumi.Input<WorkspaceRef[K]> };

/** Asset families that have versions under a workspace. */
export type AssetKind = "codes" | "environments" | "components" | "models" | "data";

export function workspaceId(ws: WorkspaceRef): string {
  return `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspaceName}`;
}

export function assetVersionId(ws: WorkspaceRef, kind: AssetKind, name: string, version: string): string {
  return `${workspaceId(ws)}/${kind}/${name}/versions/${version}`;
}

export function computeId(ws: WorkspaceRef, cluster: string): string {
  return `${workspaceId(ws)}/computes/${cluster}`;
}
