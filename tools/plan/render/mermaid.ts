/**
 * A Mermaid flowchart of what a stack runs: resource groups holding the workspace, compute clusters,
 * AKS and endpoints, and the edge from the upstream stack that models are promoted from.
 */
import { armId } from "../armIds";
import type { PlanDocument, PlanResource, PlanValue } from "../types";

const T = {
  resourceGroup: "azure-native:resources:ResourceGroup",
  workspace: "azure-native:machinelearningservices:Workspace",
  compute: "azure-native:machinelearningservices:Compute",
  aks: "azure-native:containerservice:ManagedCluster",
  online: "azure-native:machinelearningservices:OnlineEndpoint",
  batch: "azure-native:machinelearningservices:BatchEndpoint",
  stackReference: "pulumi:pulumi:StackReference",
  promotedModel: "pulumi-nodejs:dynamic/mlops:PromotedModel",
  publishedPipeline: "pulumi-nodejs:dynamic/mlops:PublishedPipeline",
};

interface Node {
  id: string;
  label: string;
  shape: "box" | "round" | "stadium";
  group?: string;
}

function str(v: PlanValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function at(r: PlanResource, path: string): PlanValue | undefined {
  let cur: PlanValue | undefined = r.inputs;
  for (const key of path.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Mermaid labels are quoted; quotes and angle brackets inside must be entities. */
function label(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

export function renderMermaid(plan: PlanDocument): string {
  const byType = (type: string) => plan.resources.filter((r) => r.type === type && !r.read);
  const nodes: Node[] = [];
  const edges: string[] = [];
  const ids = new Map<string, string>();
  let seq = 0;
  const add = (r: PlanResource, text: string, shape: Node["shape"] = "box"): string => {
    const id = `n${seq++}`;
    ids.set(r.urn, id);
    nodes.push({ id, label: text, shape, group: str(r.inputs.resourceGroupName) });
    return id;
  };

  const groups = byType(T.resourceGroup).map((r) => ({ name: str(r.inputs.resourceGroupName) ?? r.name, id: `g${seq++}` }));
  const workspaces = byType(T.workspace).map((r) => ({ r, name: str(r.inputs.workspaceName), id: add(r, `ML workspace ${str(r.inputs.workspaceName) ?? r.name}`) }));
  const workspaceOf = (r: PlanResource) => workspaces.find((w) => w.name !== undefined && w.name === str(r.inputs.workspaceName)) ?? (workspaces.length === 1 ? workspaces[0] : undefined);

  const aks = byType(T.aks).map((r) => {
    const pools = Array.isArray(r.inputs.agentPoolProfiles) ? r.inputs.agentPoolProfiles.length : 0;
    const id = add(r, `AKS ${str(r.inputs.resourceName) ?? r.name}${pools ? ` (${pools} pool${pools === 1 ? "" : "s"})` : ""}`);
    return { id, armId: armId(r.type, r.inputs) };
  });

  for (const r of byType(T.compute)) {
    const kind = str(at(r, "properties.computeType")) ?? "compute";
    const size = str(at(r, "properties.properties.vmSize"));
    const min = at(r, "properties.properties.scaleSettings.minNodeCount");
    const max = at(r, "properties.properties.scaleSettings.maxNodeCount");
    const range = typeof max === "number" ? ` ${typeof min === "number" ? min : 0}–${max} nodes` : "";
    const id = add(r, `${kind} ${str(r.inputs.computeName) ?? r.name}${size ? ` ${size}` : ""}${range}`);
    const ws = workspaceOf(r);
    if (ws) edges.push(`  ${ws.id} --> ${id}`);
    if (/kubernetes/i.test(kind)) {
      const target = str(at(r, "properties.resourceId"));
      const cluster = aks.find((a) => a.armId !== undefined && a.armId === target) ?? (aks.length === 1 ? aks[0] : undefined);
      if (cluster) edges.push(`  ${id} -->|attached| ${cluster.id}`);
    }
  }
  for (const [type, kind] of [[T.online, "online endpoint"], [T.batch, "batch endpoint"]] as const) {
    for (const r of byType(type)) {
      const id = add(r, `${kind} ${str(r.inputs.endpointName) ?? r.name}`, "stadium");
      const ws = workspaceOf(r);
      if (ws) edges.push(`  ${ws.id} --> ${id}`);
    }
  }

  const promoted = byType(T.promotedModel);
  const pipelines = byType(T.publishedPipeline);
  let pipelineNode: string | undefined;
  if (pipelines.length) {
    pipelineNode = `n${seq++}`;
    nodes.push({ id: pipelineNode, label: `${pipelines.length} published pipeline${pipelines.length === 1 ? "" : "s"}`, shape: "round" });
    if (workspaces.length) edges.push(`  ${workspaces[0].id} --> ${pipelineNode}`);
  }
  for (const ref of plan.resources.filter((r) => r.type === T.stackReference)) {
    const id = add(ref, `upstream stack ${str(ref.inputs.name) ?? ref.name}`, "round");
    if (promoted.length && workspaces.length) {
      edges.push(`  ${id} -.->|promotes ${promoted.length} model${promoted.length === 1 ? "" : "s"}| ${workspaces[0].id}`);
    } else if (pipelineNode && !workspaces.length) {
      edges.push(`  ${pipelineNode} -.->|published into its workspace| ${id}`);
    } else if (workspaces.length) {
      edges.push(`  ${id} -.->|outputs| ${workspaces[0].id}`);
    }
  }

  const lines = ["flowchart LR"];
  const draw = (n: Node, indent: string) => {
    const text = label(n.label);
    const shape = n.shape === "round" ? `("${text}")` : n.shape === "stadium" ? `(["${text}"])` : `["${text}"]`;
    lines.push(`${indent}${n.id}${shape}`);
  };
  for (const g of groups) {
    lines.push(`  subgraph ${g.id}["resource group ${label(g.name)}"]`);
    for (const n of nodes.filter((n) => n.group === g.name)) draw(n, "    ");
    lines.push("  end");
  }
  const grouped = new Set(groups.map((g) => g.name));
  for (const n of nodes.filter((n) => !n.group || !grouped.has(n.group))) draw(n, "  ");
  lines.push(...edges);
  if (nodes.length === 0 && groups.length === 0) lines.push('  empty["no resource groups, workspaces, clusters or endpoints"]');
  return lines.join("\n");
}
