import { PRIVATE_NETWORK } from "./levels";
import { TYPES } from "./typeTokens";
import type { Environment, ResourceRule, ResourceView, StackFinding, StackRule } from "./types";
import { asArray, at, isBool, isUnknown, sameText, show } from "./values";

/**
 * Where each resource type's resource logs come from: the resource itself, or (storage) its blob
 * service sub-resource. `nameInput` is the input carrying the physical name.
 */
const SOURCES: { type: string; armType: string; nameInput: string; suffix?: string; required?: RegExp[] }[] = [
  { type: TYPES.workspace, armType: "Microsoft.MachineLearningServices/workspaces", nameInput: "workspaceName" },
  { type: TYPES.vault, armType: "Microsoft.KeyVault/vaults", nameInput: "vaultName" },
  { type: TYPES.registry, armType: "Microsoft.ContainerRegistry/registries", nameInput: "registryName" },
  { type: TYPES.storageAccount, armType: "Microsoft.Storage/storageAccounts", nameInput: "accountName", suffix: "/blobServices/default" },
  // Audit (with or without get/list) and guard (Entra ID / Azure RBAC decisions) are what an
  // investigation of the cluster's admin path needs (PSRule Azure.AKS.AuditLogs).
  { type: TYPES.managedCluster, armType: "Microsoft.ContainerService/managedClusters", nameInput: "resourceName", required: [/^kube-audit(-admin)?$/i, /^guard$/i] },
];

/** The diagnostic settings whose `resourceUri` is this resource (by ARM ID, or by dependency when unknown). */
export function diagnosticSettingsOf(resource: ResourceView, all: ResourceView[], suffix = ""): ResourceView[] {
  const source = SOURCES.find((s) => s.type === resource.type);
  const name = source ? at(resource.inputs, source.nameInput) : undefined;
  return all.filter((d) => {
    if (d.type !== TYPES.diagnosticSetting) return false;
    const uri = at(d.inputs, "resourceUri");
    if (typeof uri === "string" && !isUnknown(uri) && typeof name === "string" && !isUnknown(name) && source) {
      return uri.toLowerCase().endsWith(`/providers/${source.armType}/${name}${suffix}`.toLowerCase());
    }
    return d.dependsOn?.includes(resource.urn) ?? false;
  });
}

/** Enabled log categories (and category groups, as `group:<name>`) of a diagnostic setting. */
export function enabledLogCategories(setting: ResourceView): string[] {
  return asArray(at(setting.inputs, "logs"))
    .filter((l) => !isBool(at(l, "enabled"), false))
    .map((l) => {
      const category = at(l, "category");
      const group = at(l, "categoryGroup");
      return typeof category === "string" ? category : typeof group === "string" ? `group:${group}` : "";
    })
    .filter((c) => c !== "");
}

/** True when some setting sends audit (kube-audit or kube-audit-admin) and guard logs to a workspace. */
export function hasKubeAudit(cluster: ResourceView, all: ResourceView[]): boolean {
  return diagnosticSettingsOf(cluster, all).some((d) => {
    const cats = enabledLogCategories(d);
    const toWorkspace = at(d.inputs, "workspaceId") !== undefined;
    const allLogs = cats.some((c) => sameText(c, "group:allLogs") || sameText(c, "group:audit"));
    return toWorkspace && (allLogs || [/^kube-audit(-admin)?$/i, /^guard$/i].every((re) => cats.some((c) => re.test(c))));
  });
}

export const diagnosticSettingsPresent: StackRule = {
  scope: "stack",
  name: "diagnostic-settings",
  description:
    "The workspace, key vault, registry, storage (blob service) and AKS cluster send resource logs to Log Analytics through a diagnostic setting; AKS includes kube-audit(-admin) and guard.",
  anchors: ["afe0c3be", "cf820ca0", "245fc9df", "Azure.AKS.AuditLogs"],
  levels: PRIVATE_NETWORK,
  remediation:
    "pass diagnosticSettings to the component (infra/stack does so when spec.monitoring.diagnosticSettings is on): a monitor.DiagnosticSetting on the resource with workspaceId and enabled log categories",
  check(resources) {
    const findings: StackFinding[] = [];
    for (const source of SOURCES) {
      for (const r of resources.filter((x) => x.type === source.type)) {
        const settings = diagnosticSettingsOf(r, resources, source.suffix ?? "");
        const where = source.suffix ? `${source.suffix.slice(1)} of this resource` : "this resource";
        const useful = settings.filter((d) => at(d.inputs, "workspaceId") !== undefined && enabledLogCategories(d).length > 0);
        if (useful.length === 0) {
          findings.push({ urn: r.urn, message: `no diagnostic setting sends resource logs of ${where} to a Log Analytics workspace` });
          continue;
        }
        if (source.required && !hasKubeAudit(r, resources)) {
          const cats = useful.flatMap(enabledLogCategories);
          findings.push({ urn: r.urn, message: `diagnostic settings send ${show(cats.join(", "))} but not both kube-audit(-admin) and guard` });
        }
      }
    }
    return findings;
  },
};

/** Minimum Log Analytics retention (days) per environment. */
export const MIN_LOG_RETENTION: Record<Environment, number> = { dev: 30, qa: 30, prod: 90 };

export const logAnalyticsRetention: ResourceRule = {
  scope: "resource",
  name: "log-analytics-retention",
  description: "Log Analytics keeps logs long enough to investigate an incident (`retentionInDays` ≥ 30, ≥ 90 in prod).",
  anchors: ["custom"],
  levels: { dev: "mandatory", qa: "mandatory", prod: "mandatory" },
  remediation: "set retentionInDays on the operationalinsights.Workspace (spec.monitoring.logRetentionDays: 30 dev, 60 qa, 90 prod)",
  types: [TYPES.logAnalytics],
  check(r, ctx) {
    const days = at(r.inputs, "retentionInDays");
    if (isUnknown(days)) return [];
    // Azure's default for PerGB2018 is 30 days when the property is absent.
    const effective = typeof days === "number" ? days : 30;
    const min = MIN_LOG_RETENTION[ctx.environment];
    return effective >= min ? [] : [`retentionInDays is ${show(days)}: ${ctx.environment} keeps logs at least ${min} days`];
  },
};

export const monitoringRules = [diagnosticSettingsPresent, logAnalyticsRetention];
