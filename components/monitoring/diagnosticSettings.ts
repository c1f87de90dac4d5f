import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

/**
 * The `diagnosticSettings` option every component offers, shaped like the Azure Verified Modules
 * interface: a list of destinations, each naming the log categories (or category groups) and
 * metric categories it sends. Omitted categories default to the resource type's own set below.
 */
export interface DiagnosticSettingOptions {
  /** Setting name; defaults to `diag-<component>`. */
  name?: string;
  /** Log Analytics workspace that receives the logs (resource ID). */
  workspaceResourceId: pulumi.Input<string>;
  logCategories?: string[];
  logCategoryGroups?: string[];
  metricCategories?: string[];
  /** 'Dedicated' writes resource-specific tables (e.g. AKSAuditAdmin) instead of AzureDiagnostics. */
  logAnalyticsDestinationType?: "Dedicated" | "AzureDiagnostics";
}

/**
 * Log categories per resource type, from Microsoft's "Supported logs for <type>" reference pages
 * (MicrosoftDocs/azure-monitor-docs, articles/azure-monitor/reference/supported-logs/):
 * - managedClusters: kube-audit-admin (audit without get/list, the cost-conscious audit log) and
 *   guard (Entra ID and Azure RBAC sign-in decisions), plus the API server and autoscaler logs.
 * - vaults: AuditEvent.
 * - registries: ContainerRegistryRepositoryEvents, ContainerRegistryLoginEvents.
 * - ML workspaces: compute, job, run-status, compute-instance, dataset and datastore events.
 * - storage: logs live on the service sub-resources (blobServices/default, fileServices/default):
 *   StorageRead, StorageWrite, StorageDelete; the account itself only has metrics.
 * - onlineEndpoints: console, event and traffic logs.
 */
export const DIAGNOSTIC_CATEGORIES = {
  managedCluster: { logs: ["kube-audit-admin", "guard", "kube-apiserver", "kube-controller-manager", "cluster-autoscaler"], metrics: ["AllMetrics"], dedicated: true },
  keyVault: { logs: ["AuditEvent"], metrics: ["AllMetrics"], dedicated: false },
  containerRegistry: { logs: ["ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"], metrics: ["AllMetrics"], dedicated: true },
  mlWorkspace: {
    logs: ["AmlComputeClusterEvent", "AmlComputeJobEvent", "AmlRunStatusChangedEvent", "ComputeInstanceEvent", "DataSetChangeEvent", "DataStoreChangeEvent"],
    metrics: ["AllMetrics"],
    dedicated: true,
  },
  storageService: { logs: ["StorageRead", "StorageWrite", "StorageDelete"], metrics: ["Transaction"], dedicated: true },
  onlineEndpoint: { logs: ["AmlOnlineEndpointConsoleLog", "AmlOnlineEndpointEventLog", "AmlOnlineEndpointTrafficLog"], metrics: ["AllMetrics"], dedicated: true },
  // Microsoft.App/managedEnvironments ("Supported logs for Microsoft.App/managedEnvironments"): the apps' stdout/stderr and the platform's events.
  containerAppsEnvironment: { logs: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"], metrics: ["AllMetrics"], dedicated: true },
  // Microsoft.Network/azureFirewalls ("Supported logs for Microsoft.Network/azureFirewalls"): the
  // resource-specific (AZFW*) tables; which rule allowed or denied each flow, and the threat-intel hits.
  azureFirewall: { logs: ["AZFWApplicationRule", "AZFWNetworkRule", "AZFWDnsQuery", "AZFWThreatIntel", "AZFWFqdnResolveFailure"], metrics: ["AllMetrics"], dedicated: true },
} as const;

export type DiagnosticResourceKind = keyof typeof DIAGNOSTIC_CATEGORIES;

/**
 * One `Microsoft.Insights/diagnosticSettings` per destination on `resourceUri`. Logs go to Log
 * Analytics only, with no storage retention policy: retention is the workspace's (the built-in
 * "Resource logs … should be enabled" policies accept a Log Analytics destination without one).
 */
export function attachDiagnosticSettings(
  name: string,
  kind: DiagnosticResourceKind,
  resourceUri: pulumi.Input<string>,
  settings: readonly DiagnosticSettingOptions[] | undefined,
  opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting[] {
  const defaults = DIAGNOSTIC_CATEGORIES[kind];
  return (settings ?? []).map((s, i) => {
    const groups = s.logCategoryGroups ?? [];
    const categories = s.logCategories ?? (groups.length > 0 ? [] : [...defaults.logs]);
    const destinationType = s.logAnalyticsDestinationType ?? (defaults.dedicated ? "Dedicated" : undefined);
    return new monitor.DiagnosticSetting(
      `${name}-diag${i === 0 ? "" : `-${i}`}`,
      {
        name: s.name ?? `diag-${name}`.slice(0, 64),
        resourceUri,
        workspaceId: s.workspaceResourceId,
        ...(destinationType && destinationType !== "AzureDiagnostics" ? { logAnalyticsDestinationType: destinationType } : {}),
        logs: [
          ...categories.map((category) => ({ category, enabled: true })),
          ...groups.map((categoryGroup) => ({ categoryGroup, enabled: true })),
        ],
        metrics: (s.metricCategories ?? [...defaults.metrics]).map((category) => ({ category, enabled: true })),
      },
      opts,
    );
  });
}
