/**
 * Every default of the stack config, stated once. The schema (`schema.ts`) shows them in its
 * `default` fields (and so in the generated README reference); the spec (`spec.ts`) and the
 * cross-field rules apply them. Components get the resolved values and default nothing themselves.
 */
import type { EnvironmentName } from "../../shared/kinds";
import type { DefenderPlan } from "./types";

/** Defender for Cloud plans covering what an environment declares (AKS, key vault, storage, ARM). */
export const DEFENDER_PLANS: readonly DefenderPlan[] = ["Containers", "KeyVaults", "StorageAccounts", "Arm"];

/** Defaults that are the same in every environment. */
export const DEFAULTS = {
  cluster: { nodePublicIp: false, minNodes: 0, idleTimeBeforeScaleDown: "PT15M" },
  pool: { kind: "cpu", minCount: 1 },
  workspace: { highBusinessImpact: false },
  keyVault: { softDeleteRetentionDays: 90 },
  storage: { allowBlobPublicAccess: false },
  registry: { adminUserEnabled: false },
  datastore: { readOnly: false },
  serving: {
    upgradeChannel: "patch",
    azureRbac: true,
    systemPool: { vmSize: "Standard_D4ds_v5", minCount: 1, maxCount: 3 },
    authMode: "AMLToken",
    instanceCount: 1,
    batchEnabled: true,
    instanceTypesInCluster: false,
    rolloutSteps: [10, 50, 100],
    smokeRequest: "pipelines/steps/bad_pixels/sample-request.json",
    gitopsBranch: "main",
  },
  managedDevOpsPool: { maximumConcurrency: 2, vmSize: "Standard_D2ads_v5", image: "ubuntu-24.04/latest" },
  promotion: {
    approvalTagKey: "stage",
    approvalTagValue: "production",
    archiveOnDelete: true,
    strategy: "copy",
    exportPathPrefix: "models",
    exportDeleteFilesOnDelete: false,
    registryImportEnvironment: "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
  },
  schedule: { timeZone: "UTC", dataset: "training" },
  audit: { enabled: true, graphRead: true },
  identity: { githubPullRequests: false, azureDevOpsIssuer: "entra", dataScientistsEnabled: false },
} as const;

/** What an environment is when its config does not say otherwise. */
export interface EnvironmentDefaults {
  /** `public` (no VNet, public endpoints) or `private` (private endpoints, managed VNet). */
  networkMode: "public" | "private";
  clusterPriority: "Dedicated" | "LowPriority";
  /** Protect stateful resources (workspace, storage, vault, registry, AKS) from deletion. */
  protect: boolean;
  keyVaultPurgeProtection: boolean;
  servingEnabled: boolean;
  /** Private AKS API server. */
  privateCluster: boolean;
  /** Seconds the rollout holds each intermediate traffic step. */
  rolloutHoldSeconds: number;
  /** Log Analytics retention (days): prod keeps ≥ 90 for incident investigation. */
  logRetentionDays: number;
  /** Production hardening of the serving cluster (see components/serving/servingCluster.ts). */
  hardened: boolean;
  /** Storage shared keys: on in dev for local tooling; datastores are identity-based everywhere. */
  storageSharedKeyAccess: boolean;
  /** Defender plans bought on the subscription (prod: every plan covering what it declares). */
  defenderPlans: readonly DefenderPlan[];
  /** Customer-managed keys: chosen only at workspace creation, so qa (prod's rehearsal) has them too. */
  customerManagedKeys: boolean;
  /** VNet flow logs, kept `logRetentionDays`. */
  flowLogs: boolean;
  /** The data scientists group's role on the workspace, and whether it may write the workspace storage (publishing from a laptop). */
  dataScientists: { workspaceRole: "AzureMLDataScientist" | "Reader"; dataStorageAccess: boolean };
}

export const ENVIRONMENT_DEFAULTS: Record<EnvironmentName, EnvironmentDefaults> = {
  dev: {
    networkMode: "public",
    clusterPriority: "LowPriority",
    protect: false,
    keyVaultPurgeProtection: false,
    servingEnabled: false,
    privateCluster: false,
    rolloutHoldSeconds: 60,
    logRetentionDays: 30,
    hardened: false,
    storageSharedKeyAccess: true,
    defenderPlans: [],
    customerManagedKeys: false,
    flowLogs: false,
    dataScientists: { workspaceRole: "AzureMLDataScientist", dataStorageAccess: true },
  },
  qa: {
    networkMode: "private",
    clusterPriority: "LowPriority",
    protect: false,
    keyVaultPurgeProtection: true,
    servingEnabled: true,
    privateCluster: false,
    rolloutHoldSeconds: 60,
    logRetentionDays: 60,
    hardened: false,
    storageSharedKeyAccess: false,
    defenderPlans: [],
    customerManagedKeys: true,
    flowLogs: true,
    dataScientists: { workspaceRole: "Reader", dataStorageAccess: false },
  },
  prod: {
    networkMode: "private",
    clusterPriority: "Dedicated",
    protect: true,
    keyVaultPurgeProtection: true,
    servingEnabled: true,
    privateCluster: true,
    rolloutHoldSeconds: 300,
    logRetentionDays: 90,
    hardened: true,
    storageSharedKeyAccess: false,
    defenderPlans: DEFENDER_PLANS,
    customerManagedKeys: true,
    flowLogs: true,
    dataScientists: { workspaceRole: "Reader", dataStorageAccess: false },
  },
};

/** The network mode a config resolves to (rules and spec ask the same question). */
export function networkModeOf(cfg: { network?: { mode?: "public" | "private" } }, environment: EnvironmentName): "public" | "private" {
  return cfg.network?.mode ?? ENVIRONMENT_DEFAULTS[environment].networkMode;
}

/** Whether a config's stack serves models (never a branch stack). */
export function servingEnabledOf(cfg: { serving?: { enabled?: boolean } }, environment: EnvironmentName): boolean {
  return cfg.serving?.enabled ?? ENVIRONMENT_DEFAULTS[environment].servingEnabled;
}

/** Whether the AKS API server is private. */
export function privateClusterOf(serving: { privateCluster?: boolean }, environment: EnvironmentName): boolean {
  return serving.privateCluster ?? ENVIRONMENT_DEFAULTS[environment].privateCluster;
}
