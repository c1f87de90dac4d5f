/**
 * A Mermaid flowchart of what a stack runs: resource groups holding the workspace, compute clusters,
 * AKS and endpoints, and the edge from the upstream stack that models are promoted from.
 */
import { armId } from "../armIds";
import type { PlanDocument, PlanResource, PlanValue } from "../../../shared/plan";

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

/** A label of several lines: kind, name, size, range each on its own line, never broken inside one. */
function lines(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === "string" && p !== "").map(label).join("<br/>");
}

/** Change marks for a pull-request diagram: what the head adds or changes, and what it removes. */
export interface DiagramMarks {
  added: Set<string>;
  changed: Set<string>;
  removed: { urn: string; type: string }[];
}

/** Identical clusters from this many on are drawn as one node ("47 × AmlCompute …"). */
export const GROUP_FROM = 3;

const KIND_NAMES: Record<string, string> = {
  [T.compute]: "compute cluster",
  [T.aks]: "AKS cluster",
  [T.online]: "online endpoint",
  [T.batch]: "batch endpoint",
  [T.workspace]: "ML workspace",
  [T.promotedModel]: "promoted model",
  [T.publishedPipeline]: "published pipeline",
};

/** The config key of a component child (`mlops-qa-cpu` → `cpu`), from its parent's name. */
function configKey(r: PlanResource, environment: string): string | undefined {
  const parent = r.parent?.split("::").pop();
  const m = parent ? new RegExp(`^[a-z0-9]+-${environment}-(.+)$`).exec(parent) : null;
  return m?.[1];
}

export function renderMermaid(plan: PlanDocument, marks?: DiagramMarks): string {
  const byType = (type: string) => plan.resources.filter((r) => r.type === type && !r.read);
  const nodes: (Node & { cls?: string })[] = [];
  const edges: string[] = [];
  let seq = 0;
  const markOf = (urns: string[]): { prefix?: string; cls?: string } => {
    if (!marks) return {};
    const added = urns.filter((u) => marks.added.has(u)).length;
    const changed = urns.filter((u) => marks.changed.has(u)).length;
    if (added === urns.length) return { prefix: urns.length > 1 ? `+ ${added} added` : "+ added", cls: "added" };
    if (added || changed) return { prefix: [added && `+ ${added} added`, changed && `~ ${changed} changed`].filter(Boolean).join(", "), cls: "changed" };
    return {};
  };
  const add = (members: PlanResource[], parts: (string | undefined | false)[], shape: Node["shape"] = "box"): string => {
    const id = `n${seq++}`;
    const mark = markOf(members.map((m) => m.urn));
    nodes.push({ id, label: lines(mark.prefix, ...parts), shape, group: str(members[0].inputs.resourceGroupName), ...(mark.cls ? { cls: mark.cls } : {}) });
    return id;
  };

  const groups = byType(T.resourceGroup).map((r) => ({ name: str(r.inputs.resourceGroupName) ?? r.name, id: `g${seq++}` }));
  const workspaces = byType(T.workspace).map((r) => {
    const pna = str(r.inputs.publicNetworkAccess);
    const isolation = str(at(r, "managedNetwork.isolationMode"));
    const hardening = [pna && `public network ${pna}`, isolation && isolation !== "Disabled" && `managed network ${isolation}`, r.protect && "protected"].filter(Boolean).join(", ");
    return { r, name: str(r.inputs.workspaceName), id: add([r], ["ML workspace", str(r.inputs.workspaceName) ?? r.name, hardening]) };
  });
  const workspaceOf = (r: PlanResource) => workspaces.find((w) => w.name !== undefined && w.name === str(r.inputs.workspaceName)) ?? (workspaces.length === 1 ? workspaces[0] : undefined);

  const aks = byType(T.aks).map((r) => {
    const pools = Array.isArray(r.inputs.agentPoolProfiles) ? r.inputs.agentPoolProfiles.length : 0;
    const ranges = at(r, "apiServerAccessProfile.authorizedIPRanges");
    const apiServer = at(r, "apiServerAccessProfile.enablePrivateCluster") === true
      ? "private API server"
      : Array.isArray(ranges) && ranges.length ? `API server: ${ranges.length} authorized range${ranges.length === 1 ? "" : "s"}` : "public API server";
    const id = add([r], ["AKS", str(r.inputs.resourceName) ?? r.name, pools ? `${pools} node pool${pools === 1 ? "" : "s"}` : undefined, apiServer, r.protect && "protected"]);
    return { id, armId: armId(r.type, r.inputs) };
  });

  // Clusters: identical ones (type, size, range) are one node from GROUP_FROM on.
  const computeNodes = new Map<string, string>();
  const signature = (r: PlanResource) =>
    JSON.stringify([str(at(r, "properties.computeType")), str(at(r, "properties.properties.vmSize")), at(r, "properties.properties.scaleSettings.minNodeCount"), at(r, "properties.properties.scaleSettings.maxNodeCount"), workspaceOf(r)?.id]);
  const bySignature = new Map<string, PlanResource[]>();
  for (const r of byType(T.compute)) bySignature.set(signature(r), [...(bySignature.get(signature(r)) ?? []), r]);
  for (const members of bySignature.values()) {
    const r = members[0];
    const kind = str(at(r, "properties.computeType")) ?? "compute";
    const size = str(at(r, "properties.properties.vmSize"));
    const min = at(r, "properties.properties.scaleSettings.minNodeCount");
    const max = at(r, "properties.properties.scaleSettings.maxNodeCount");
    const range = typeof max === "number" ? `${typeof min === "number" ? min : 0}–${max} nodes` : undefined;
    const drawn = members.length >= GROUP_FROM ? [members] : members.map((m) => [m]);
    for (const set of drawn) {
      const one = set[0];
      const name = str(one.inputs.computeName) ?? one.name;
      const key = configKey(one, plan.environment);
      const keys = set.map((m) => configKey(m, plan.environment) ?? str(m.inputs.computeName) ?? m.name);
      const title = set.length > 1 ? `${set.length} × ${kind}` : kind;
      const who = set.length > 1 ? `${keys.slice(0, 3).join(", ")}${keys.length > 3 ? `, … (+${keys.length - 3})` : ""}` : key && key !== name ? `${key} · ${name}` : name;
      const id = add(set, [title, who, size, range]);
      for (const m of set) computeNodes.set(m.urn, id);
      const ws = workspaceOf(one);
      if (ws) edges.push(`  ${ws.id} --> ${id}`);
      if (/kubernetes/i.test(kind)) {
        const target = str(at(one, "properties.resourceId"));
        const cluster = aks.find((a) => a.armId !== undefined && a.armId === target) ?? (aks.length === 1 ? aks[0] : undefined);
        if (cluster) edges.push(`  ${id} -->|attached| ${cluster.id}`);
      }
    }
  }
  const computeByArmId = new Map(byType(T.compute).map((r) => [armId(r.type, r.inputs), computeNodes.get(r.urn)!] as const));

  for (const [type, kind, configName] of [[T.online, "online endpoint", "onlineEndpoint"], [T.batch, "batch endpoint", "batchEndpoint"]] as const) {
    for (const r of byType(type)) {
      const name = str(r.inputs.endpointName) ?? r.name;
      const id = add([r], [kind, `${configName} · ${name}`, str(at(r, "properties.authMode"))], "stadium");
      const ws = workspaceOf(r);
      if (ws) edges.push(`  ${ws.id} --> ${id}`);
      // Serving: the endpoint runs on a Kubernetes compute (attached AKS) or a cluster.
      const served = computeByArmId.get(str(at(r, "properties.compute")));
      if (served) edges.push(`  ${id} -->|served by| ${served}`);
    }
  }

  const promoted = byType(T.promotedModel);
  const pipelines = byType(T.publishedPipeline);
  let pipelineNode: string | undefined;
  if (pipelines.length) {
    const names = pipelines.map((p) => str(p.inputs.pipelineName) ?? p.name);
    pipelineNode = add(pipelines, [`${pipelines.length} published pipeline${pipelines.length === 1 ? "" : "s"}`, ...names.slice(0, 5), names.length > 5 && `… (+${names.length - 5})`], "round");
    if (workspaces.length) edges.push(`  ${workspaces[0].id} --> ${pipelineNode}`);
  }
  for (const ref of plan.resources.filter((r) => r.type === T.stackReference)) {
    const id = add([ref], ["upstream stack", str(ref.inputs.name) ?? ref.name], "round");
    if (promoted.length && workspaces.length) {
      edges.push(`  ${id} -.->|promotes ${promoted.length} model${promoted.length === 1 ? "" : "s"}| ${workspaces[0].id}`);
    } else if (pipelineNode && !workspaces.length) {
      edges.push(`  ${pipelineNode} -.->|published into its workspace| ${id}`);
    } else if (workspaces.length) {
      edges.push(`  ${id} -.->|outputs| ${workspaces[0].id}`);
    }
  }

  // Removed resources of the kinds drawn, one node per kind.
  const removedByKind = new Map<string, number>();
  for (const r of marks?.removed ?? []) if (KIND_NAMES[r.type]) removedByKind.set(KIND_NAMES[r.type], (removedByKind.get(KIND_NAMES[r.type]) ?? 0) + 1);
  for (const [kind, n] of removedByKind) nodes.push({ id: `n${seq++}`, label: lines(`− ${n} removed`, `${kind}${n === 1 ? "" : "s"}`), shape: "box", cls: "removed" });

  const out = ["flowchart LR"];
  const draw = (n: Node & { cls?: string }, indent: string) => {
    const text = n.label;
    const shape = n.shape === "round" ? `("${text}")` : n.shape === "stadium" ? `(["${text}"])` : `["${text}"]`;
    out.push(`${indent}${n.id}${shape}${n.cls ? `:::${n.cls}` : ""}`);
  };
  for (const g of groups) {
    out.push(`  subgraph ${g.id}["resource group ${label(g.name)}"]`);
    for (const n of nodes.filter((n) => n.group === g.name)) draw(n, "    ");
    out.push("  end");
  }
  const grouped = new Set(groups.map((g) => g.name));
  for (const n of nodes.filter((n) => !n.group || !grouped.has(n.group))) draw(n, "  ");
  out.push(...new Set(edges));
  if (nodes.length === 0 && groups.length === 0) out.push('  empty["no resource groups, workspaces, clusters or endpoints"]');
  if (marks) {
    out.push("  classDef added fill:#e6ffed,stroke:#2da44e,stroke-width:2px");
    out.push("  classDef changed fill:#fff8c5,stroke:#bf8700,stroke-width:2px");
    out.push("  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3");
  }
  return out.join("\n");
}
