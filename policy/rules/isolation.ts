import { EVERYWHERE } from "./levels";
import { roleGuid } from "./identity";
import { TYPES } from "./typeTokens";
import type { Environment, ResourceView, StackContext, StackFinding, StackRule } from "./types";
import { at, isUnknown } from "./values";

const ENVIRONMENTS: readonly Environment[] = ["dev", "qa", "prod"];

/**
 * Roles a stack may hold on its promotion source: enough to list and read models and their blobs,
 * nothing that writes (Reader, Storage Blob Data Reader, Storage Blob Delegator for user-delegation
 * SAS, AcrPull).
 */
export const READ_ONLY_ROLES: Record<string, string> = {
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "db58b8e5-c6ad-4a2a-8342-4190687cbf4a": "Storage Blob Delegator",
  "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
};

/** The environment a name belongs to in the naming scheme (`rg-<prefix>-<env>[-…]`), if any. */
export function environmentOfName(name: string): Environment | null {
  const tokens = name.toLowerCase().split(/[-_.]/);
  return ENVIRONMENTS.find((e) => tokens.includes(e)) ?? null;
}

const ARM_RESOURCE_GROUP = /\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/gi;
/** Inputs that hold a bare resource-group name (not an ARM id). */
const GROUP_KEYS = /^(\w*resourceGroup|\w*resourceGroupName)$/i;
/** Inputs that hold another resource's bare name; only an environment token in it can place it. */
const NAME_KEYS = /^(workspaceName|clusterName)$/i;

interface Reference {
  path: string;
  /** The resource group or name that places the value in an environment. */
  place: string;
  kind: "group" | "name";
}

/** Every ARM id (by its resource group) and every bare resource-group/workspace name in the inputs. */
function referencesIn(value: unknown, path: string, key: string, out: Reference[]): void {
  if (typeof value === "string") {
    if (isUnknown(value)) return;
    for (const m of value.matchAll(ARM_RESOURCE_GROUP)) out.push({ path, place: m[1], kind: "group" });
    if (!value.includes("/")) {
      if (GROUP_KEYS.test(key)) out.push({ path, place: value, kind: "group" });
      else if (NAME_KEYS.test(key)) out.push({ path, place: value, kind: "name" });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => referencesIn(v, `${path}[${i}]`, key, out));
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // Tags are labels, judged by the tags rule; they never make a resource reach another one.
      if (k === "tags" || k === "__provider") continue;
      referencesIn(v, path ? `${path}.${k}` : k, k, out);
    }
  }
}

/** Resource groups the stack itself declares (plus AKS node resource groups it names). */
function declaredResourceGroups(resources: ResourceView[]): Set<string> {
  const names = new Set<string>();
  for (const r of resources) {
    const name =
      r.type === TYPES.resourceGroup ? at(r.inputs, "resourceGroupName") : r.type === TYPES.managedCluster ? at(r.inputs, "nodeResourceGroup") : undefined;
    if (typeof name === "string" && !isUnknown(name)) names.add(name.toLowerCase());
  }
  return names;
}

/** AKS-managed node resource groups (`MC_…`) belong to their cluster. */
const AKS_NODE_GROUP = /^MC_/i;
/**
 * Azure's own per-region Network Watcher group: one watcher per region and subscription, created by
 * Azure, so a stack's VNet flow log must live there ("Enable or disable Azure Network Watcher").
 */
const NETWORK_WATCHER_GROUP = /^NetworkWatcherRG$/i;

/** Where a reference lands: this stack, another environment (named), or somewhere undeclared. */
function placeOf(ref: Reference, declared: Set<string>, ctx: StackContext): Environment | "elsewhere" | "here" {
  if (ref.kind === "group" && declared.has(ref.place.toLowerCase())) return "here";
  const env = environmentOfName(ref.place);
  if (env === ctx.environment) return "here";
  if (env) return env;
  // A group without an environment token is judged only when the stack declares groups of its own
  // (branch stacks declare none: they live in dev's).
  return ref.kind === "group" && declared.size > 0 && !AKS_NODE_GROUP.test(ref.place) && !NETWORK_WATCHER_GROUP.test(ref.place) ? "elsewhere" : "here";
}

/**
 * The one write a stack may hold on the origin: qa's CI records its approvals as tags on the
 * origin's model versions (infra/stack/promotion.ts `APPROVAL_RECORDER_ACTIONS`), so production
 * reads them there and never reaches qa.
 */
export const APPROVAL_RECORDER_ACTIONS = new Set([
  "Microsoft.MachineLearningServices/workspaces/read",
  "Microsoft.MachineLearningServices/workspaces/models/read",
  "Microsoft.MachineLearningServices/workspaces/models/versions/read",
  "Microsoft.MachineLearningServices/workspaces/models/versions/write",
]);

function isApprovalRecorder(r: ResourceView): boolean {
  if (r.type !== TYPES.roleDefinition) return false;
  const perms = (at(r.inputs, "permissions") ?? []) as { actions?: string[]; dataActions?: string[]; notActions?: string[] }[];
  const actions = perms.flatMap((p) => [...(p.actions ?? []), ...(p.dataActions ?? [])]);
  return actions.length > 0 && actions.every((a) => APPROVAL_RECORDER_ACTIONS.has(a));
}

/** "AzureML Registry User": shares into and reads the origin's Azure ML registry (registry strategy). */
export const REGISTRY_USER_ROLE = "1823dd4f-9b8c-4ab6-ab4e-7397a3684615";
const REGISTRY_ID = /\/providers\/Microsoft\.MachineLearningServices\/registries\/[^/]+$/i;

/**
 * The origin's Azure ML registry, the one shared resource of the registry strategy: reached through
 * this stack's own private endpoint (group `amlregistry`) or managed-network rule, and used under
 * "AzureML Registry User" assigned on the registry itself (never on the origin's group or workspace).
 */
function isRegistryAccess(r: ResourceView): boolean {
  if (r.type === TYPES.registryModel) return true;
  if (r.type === TYPES.privateEndpoint) {
    const conns = (at(r.inputs, "privateLinkServiceConnections") ?? []) as { groupIds?: string[] }[];
    return conns.length > 0 && conns.every((c) => (c.groupIds ?? []).length > 0 && (c.groupIds ?? []).every((g) => g === "amlregistry"));
  }
  if (r.type === TYPES.managedNetworkRule) return at(r.inputs, "properties.destination.subresourceTarget") === "amlregistry";
  if (r.type === TYPES.roleAssignment) {
    const scope = String(at(r.inputs, "scope") ?? "");
    return roleGuid(at(r.inputs, "roleDefinitionId")) === REGISTRY_USER_ROLE && (REGISTRY_ID.test(scope) || isUnknown(scope));
  }
  return false;
}

/** The declared exceptions: the promotion source, read by the model copy and by read-only roles. */
function allowed(r: ResourceView, env: Environment | "elsewhere", ctx: StackContext, resources: ResourceView[]): boolean {
  if (env === "elsewhere" || env !== ctx.promotionSource) return false;
  if (r.type === TYPES.promotedModel) return true;
  if (isApprovalRecorder(r)) return true;
  if (isRegistryAccess(r)) return true;
  if (r.type === TYPES.roleAssignment) {
    const guid = roleGuid(at(r.inputs, "roleDefinitionId"));
    if (guid === null) return false;
    return guid in READ_ONLY_ROLES || resources.some((d) => isApprovalRecorder(d) && String(at(d.inputs, "roleDefinitionId")).toLowerCase() === guid);
  }
  return false;
}

export const environmentIsolation: StackRule = {
  scope: "stack",
  name: "environment-isolation",
  description:
    "No resource references another environment's resources, except the promotion source, the origin (models read by the promoted-model resource, read-only role assignments on it, qa's role that records approvals as model-version tags, and with the registry strategy the origin's Azure ML registry: the registry-model resource, private endpoints and managed-network rules to it, AzureML Registry User on it).",
  anchors: ["custom"],
  levels: EVERYWHERE,
  remediation:
    "reference only this stack's resource groups; read the upstream environment only through the promoted-model resource or a read-only role (Reader, Storage Blob Data Reader, Storage Blob Delegator, AcrPull)",
  check(resources, ctx) {
    const declared = declaredResourceGroups(resources);
    const findings: StackFinding[] = [];
    for (const r of resources) {
      const refs: Reference[] = [];
      referencesIn(r.inputs, "", "", refs);
      const reported = new Set<string>();
      for (const ref of refs) {
        const env = placeOf(ref, declared, ctx);
        if (env === "here" || allowed(r, env, ctx, resources) || reported.has(ref.path)) continue;
        reported.add(ref.path);
        const where = env === "elsewhere" ? `resource group '${ref.place}', which this stack does not declare` : `the ${env} environment ('${ref.place}')`;
        const why =
          env !== "elsewhere" && env === ctx.promotionSource
            ? ` (${ctx.environment} may read ${env} only through a promoted model or a read-only role)`
            : "";
        findings.push({ urn: r.urn, message: `${ref.path} references ${where}${why}` });
      }
    }
    return findings;
  },
};

export const isolationRules = [environmentIsolation];
