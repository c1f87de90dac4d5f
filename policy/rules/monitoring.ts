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
  // The egress firewall's allow/deny decisions are the record of what inference reached.
  { type: TYPES.azureFirewall, armType: "Microsoft.Network/azureFirewalls", nameInput: "azureFirewallName" },
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
    "The workspace, key vault, registry, storage (blob service), AKS cluster and egress firewall send resource logs to Log Analytics through a diagnostic setting; AKS includes kube-audit(-admin) and guard.",
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

const MONITOR_TYPES = [TYPES.logAnalytics, TYPES.appInsights];

/**
 * Policies 6c53d030 (Log Analytics) and 1bc02227 (Application Insights) flag
 * `publicNetworkAccessForIngestion` or `publicNetworkAccessForQuery` not 'disabled'; absent counts,
 * Azure's default is Enabled (Azure/azure-policy, Monitoring/*_NetworkAccessEnabled_Deny.json).
 */
export const monitoringPublicNetworkDisabled: ResourceRule = {
  scope: "resource",
  name: "monitoring-public-network-disabled",
  description:
    "Log Analytics and Application Insights refuse ingestion and queries from public networks (`publicNetworkAccessForIngestion`, `publicNetworkAccessForQuery` 'Disabled').",
  anchors: ["6c53d030", "1bc02227"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set publicNetworkAccessForIngestion and publicNetworkAccessForQuery to 'Disabled' and reach them through an Azure Monitor private link scope (MlWorkspace does so in private mode)",
  types: MONITOR_TYPES,
  check(r) {
    return ["publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"]
      .filter((p) => {
        const v = at(r.inputs, p);
        return !isUnknown(v) && !sameText(v, "Disabled");
      })
      .map((p) => `${p} is ${show(at(r.inputs, p))}: reachable from the internet`);
  },
};

/** Policy e15effd4 flags a workspace whose `features.disableLocalAuth` is not true. */
export const logAnalyticsEntraIngestion: ResourceRule = {
  scope: "resource",
  name: "log-analytics-entra-ingestion",
  description: "Log Analytics accepts only Entra ID-authenticated ingestion (`features.disableLocalAuth`=true).",
  anchors: ["e15effd4"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set features: { disableLocalAuth: true } (senders here are Entra-authenticated: diagnostic settings, Container insights with useAADAuth, workspace-based Application Insights)",
  types: [TYPES.logAnalytics],
  check(r) {
    const v = at(r.inputs, "features.disableLocalAuth");
    return isUnknown(v) || isBool(v, true) ? [] : [`features.disableLocalAuth is ${show(v)}: the workspace key can write logs`];
  },
};

function scopedBy(target: ResourceView, all: ResourceView[]): boolean {
  const name = at(target.inputs, target.type === TYPES.logAnalytics ? "workspaceName" : "resourceName");
  const segment = target.type === TYPES.logAnalytics ? "microsoft.operationalinsights/workspaces" : "microsoft.insights/components";
  return all.some((s) => {
    if (s.type !== TYPES.privateLinkScopedResource) return false;
    const linked = at(s.inputs, "linkedResourceId");
    if (typeof linked === "string" && !isUnknown(linked) && typeof name === "string" && !isUnknown(name)) {
      return linked.toLowerCase().endsWith(`/${segment}/${name}`.toLowerCase());
    }
    return s.dependsOn?.includes(target.urn) ?? false;
  });
}

/**
 * Private network mode: an Azure Monitor private link scope in private-only mode (policy a499fed8)
 * holds every Log Analytics workspace and Application Insights component, and a private endpoint
 * ('azuremonitor') connects the environment's network to it.
 */
export const monitorPrivateLinkScope: StackRule = {
  scope: "stack",
  name: "monitor-private-link-scope",
  description:
    "In private network mode an Azure Monitor private link scope (private-only ingestion and query) holds the Log Analytics workspace and Application Insights, reached through an 'azuremonitor' private endpoint.",
  anchors: ["a499fed8"],
  levels: PRIVATE_NETWORK,
  remediation:
    "declare a monitor.PrivateLinkScope with accessModeSettings { ingestionAccessMode: 'PrivateOnly', queryAccessMode: 'PrivateOnly' }, scoped resources for the workspace and component, and a private endpoint with groupIds ['azuremonitor'] (infra/stack/network.ts does so in private mode)",
  check(resources, ctx) {
    const findings: StackFinding[] = [];
    const scopes = resources.filter((r) => r.type === TYPES.privateLinkScope);
    for (const s of scopes) {
      for (const mode of ["ingestionAccessMode", "queryAccessMode"]) {
        const v = at(s.inputs, `accessModeSettings.${mode}`);
        if (!isUnknown(v) && !sameText(v, "PrivateOnly")) findings.push({ urn: s.urn, message: `accessModeSettings.${mode} is ${show(v)}: linked networks can reach any Azure Monitor resource` });
      }
    }
    if (ctx.networkMode !== "private") return findings;
    const targets = resources.filter((r) => MONITOR_TYPES.includes(r.type as (typeof MONITOR_TYPES)[number]));
    for (const t of targets) {
      if (!scopedBy(t, resources)) findings.push({ urn: t.urn, message: "is in no Azure Monitor private link scope: with public access off nothing can reach it" });
    }
    const endpoint = resources.some(
      (r) => r.type === TYPES.privateEndpoint && asArray(at(r.inputs, "privateLinkServiceConnections")).some((c) => asArray(at(c, "groupIds")).some((g) => sameText(g, "azuremonitor"))),
    );
    if (targets.length > 0 && (scopes.length === 0 || !endpoint)) {
      findings.push({ urn: null, message: scopes.length === 0 ? "no Azure Monitor private link scope is declared" : "no private endpoint ('azuremonitor') connects the network to the Azure Monitor private link scope" });
    }
    return findings;
  },
};

export const monitoringRules = [diagnosticSettingsPresent, logAnalyticsRetention, monitoringPublicNetworkDisabled, logAnalyticsEntraIngestion, monitorPrivateLinkScope];
