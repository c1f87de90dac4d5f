/**
 * The config as written in Pulumi.<stack>.yaml (after schema validation), and the environment spec
 * derived from it. Components receive pieces of the spec, never the raw config.
 */
import type { EnvironmentName, NodeKind } from "../../shared/kinds";
import type { EnvironmentNames } from "../../shared/naming";
import type { ClusterMap } from "../../pipelines/spec/types";
import type { GithubHostedRunners, ManagedDevOpsPoolRunners } from "../../components/ciRunners";

export type { EnvironmentName, NodeKind, EnvironmentNames };
export type NetworkMode = "public" | "private";
export type VmPriority = "Dedicated" | "LowPriority";

export interface RawCluster {
  name: string;
  kind: NodeKind;
  vmSize: string;
  priority?: VmPriority;
  nodePublicIp?: boolean;
  minNodes?: number;
  maxNodes: number;
  idleTimeBeforeScaleDown?: string;
  description?: string;
}

export interface RawPool {
  name: string;
  kind?: NodeKind;
  vmSize: string;
  minCount?: number;
  maxCount: number;
}

export interface RawConfig {
  environment?: EnvironmentName;
  location?: string;
  prefix?: string;
  subscriptionId?: string;
  branch?: string;
  tags?: Record<string, string>;
  protect?: boolean;
  network?: {
    mode?: NetworkMode;
    addressSpace?: string;
    subnets?: { privateEndpoints?: string; aks?: string; runners?: string; firewall?: string; containerApps?: string; imageBuild?: string };
  };
  workspace?: {
    friendlyName?: string;
    description?: string;
    highBusinessImpact?: boolean;
    imageBuildCluster?: string;
    publicNetworkAccess?: "Enabled" | "Disabled";
  };
  keyVault?: { purgeProtection?: boolean; softDeleteRetentionDays?: number };
  storage?: { allowBlobPublicAccess?: boolean };
  registry?: { sku?: "Basic" | "Standard" | "Premium"; adminUserEnabled?: boolean };
  compute?: { clusters?: RawCluster[] };
  datastores?: { name: string; container?: string; description?: string; readOnly?: boolean }[];
  serving?: {
    enabled?: boolean;
    kubernetesVersion?: string;
    upgradeChannel?: "patch" | "stable" | "rapid" | "node-image";
    azureRbac?: boolean;
    privateCluster?: boolean;
    authorizedIpRanges?: string[];
    systemPool?: { vmSize?: string; minCount?: number; maxCount?: number };
    userPools?: RawPool[];
    instanceTypes?: { name: string; cpu: string; memory: string; gpu?: number; nodePool?: string }[];
    onlineEndpoint?: {
      authMode?: "AMLToken" | "Key";
      instanceType?: string;
      instanceCount?: number;
      model?: { name: string; version?: string };
    };
    batchEndpoint?: { enabled?: boolean; cluster?: string };
    tls?: { cname?: string };
    instanceTypesInCluster?: boolean;
    gitops?: { repositoryUrl: string; branch?: string; httpsUser?: string };
    pairedRegion?: string;
    azureMlControlPlaneRanges?: Record<string, string[]>;
    rollout?: { steps?: number[]; holdSeconds?: number; smokeRequest?: string };
  };
  servingTlsCertificate?: string;
  gitopsHttpsKey?: string;
  servingTlsKey?: string;
  runners?: {
    kind: "githubHosted" | "managedDevOpsPool";
    github?: { businessId: string };
    managedDevOpsPool?: {
      organizationUrl: string;
      projects?: string[];
      devCenterProjectResourceId: string;
      maximumConcurrency?: number;
      vmSize?: string;
      image?: string;
    };
  };
  customImage?: RawCustomImage;
  promotion?: {
    upstreamStack?: string;
    originStack?: string;
    approvalTag?: { key?: string; value?: string };
    models?: { name: string; pinnedVersion?: string }[];
    archiveOnDelete?: boolean;
    strategy?: "copy" | "registry";
    registry?: { importCluster?: string; importEnvironment?: string };
    exports?: { storageAccountName: string; containerName: string; pathPrefix?: string; models?: string[]; deleteFilesOnDelete?: boolean }[];
  };
  modelRegistry?: { name: string; publicNetworkAccess?: "Enabled" | "Disabled" };
  pipelines?: {
    publish?: string[];
    schedules?: { pipeline: string; cron: string; timeZone?: string; dataset?: string }[];
  };
  security?: { defenderPlans?: DefenderPlan[]; customerManagedKeys?: boolean; flowLogs?: boolean; egressFirewall?: boolean };
  identity?: {
    github?: { repository: string; environments?: string[]; branches?: string[]; pullRequests?: boolean };
    azureDevOps?: {
      organization: string;
      organizationId?: string;
      project: string;
      serviceConnection?: string;
      serviceConnectionId?: string;
      auditServiceConnection?: string;
      auditServiceConnectionId?: string;
      tenantId?: string;
      entraSubjectPrefix?: string;
      issuer?: AzureDevOpsIssuer;
    };
    audit?: { enabled?: boolean; graphRead?: boolean };
    dataScientists?: { enabled?: boolean; displayName?: string; members?: string[] };
  };
}

/** Microsoft Defender for Cloud plans the project can declare (pricing names of Microsoft.Security/pricings). */
export type DefenderPlan = "Containers" | "KeyVaults" | "StorageAccounts" | "Arm";

/**
 * Which issuer an Azure DevOps service connection's federated credential trusts: `entra`
 * (`https://login.microsoftonline.com/<tenant>/v2.0`, what new connections get) or the retiring
 * `azureDevOps` issuer (`https://vstoken.dev.azure.com/<organization id>`, `sc://` subjects).
 */
export type AzureDevOpsIssuer = "entra" | "azureDevOps";

// ---------------------------------------------------------------------------------------------
// Environment spec: plain data, every default applied and every physical name derived.

export interface ClusterSpec {
  /** Config key, used by pipeline steps (`compute: cpu`). */
  key: string;
  /** Physical AmlCompute name (≤ 16). */
  name: string;
  kind: NodeKind;
  vmSize: string;
  priority: VmPriority;
  /** Opt-out of the no-public-IP default (policy flags it). */
  nodePublicIp: boolean;
  minNodes: number;
  maxNodes: number;
  idleTimeBeforeScaleDown: string;
  description?: string;
}

export interface DatastoreSpec {
  name: string;
  container: string;
  description: string;
  readOnly: boolean;
}

export interface NodePoolSpec {
  name: string;
  kind: NodeKind;
  vmSize: string;
  minCount: number;
  maxCount: number;
}

export interface InstanceTypeSpec {
  name: string;
  cpu: string;
  memory: string;
  gpu: number;
  nodePool?: string;
}

export interface ServingSpec {
  kubernetesVersion: string;
  upgradeChannel: "patch" | "stable" | "rapid" | "node-image";
  azureRbac: boolean;
  privateCluster: boolean;
  authorizedIpRanges: string[];
  systemPool: { vmSize: string; minCount: number; maxCount: number };
  userPools: NodePoolSpec[];
  instanceTypes: InstanceTypeSpec[];
  onlineEndpoint: {
    name: string;
    authMode: "AMLToken" | "Key";
    instanceType: string;
    instanceCount: number;
    /** Config-pinned model; promoted models take precedence when promotion is configured. */
    model?: { name: string; version?: string };
    /** Name of the scoring code and environment assets the deployments use. */
    scoringAssetName: string;
  };
  /** `cluster`: physical name of the compute cluster batch jobs default to (config names its key). */
  batchEndpoint: { enabled: boolean; name: string; deploymentName: string; cluster?: string };
  /** Inference router HTTPS host name; its certificate and key are the secret config keys `servingTlsCertificate` / `servingTlsKey`. */
  tls: { cname: string };
  /** Ranges the public API server admits: `authorizedIpRanges` plus the Azure ML control plane of the region pair. */
  apiServerRanges: string[];
  /** Kubernetes namespace of the inference workloads (an AKS managed namespace). */
  namespace: string;
  /**
   * The inference router: behind an internal load balancer in private mode, highly available (three
   * replicas) when at least three workload nodes are there, GPU-aware when a GPU pool exists.
   */
  inference: { internalLoadBalancer: boolean; highAvailability: boolean; gpu: boolean };
  rollout: { steps: number[]; holdSeconds: number; smokeRequestFile: string };
  /**
   * Where Flux (the AKS GitOps extension) reads this stack's instance-type manifest from: the
   * repository, its branch and the folder `deploy/instance-types/<stack>`. Absent when the stack lists
   * no instance types, or applies them itself (`instanceTypesInCluster`).
   */
  /** `httpsUser` set: a private repository, read with the secret config key `gitopsHttpsKey`. */
  instanceTypeSource?: { repositoryUrl: string; branch: string; path: string; httpsUser?: string };
}

export interface NetworkSpec {
  mode: NetworkMode;
  addressSpace?: string;
  subnets: { privateEndpoints?: string; aks?: string; runners?: string; firewall?: string; containerApps?: string; imageBuild?: string };
  names: {
    natGateway: string;
    natPublicIp: string;
    /** The Azure Monitor private link scope. */
    monitorScope: string;
    /** Private endpoint per Private Link group (the registry's only on Premium). */
    privateEndpoints: { amlworkspace: string; blob: string; file: string; vault: string; registry?: string; azuremonitor: string; amlregistry: string };
  };
}

/** `mlops:customImage`: the promoted model in an image of its own, served on Azure Container Apps. */
export interface RawCustomImage {
  enabled?: boolean;
  /** A model of `promotion.models`; default the first. */
  model?: string;
  /** vCPU per replica (consumption profile); memory is twice that in GiB. */
  cpu?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** ACR Tasks agent pool tier (private registries build in the environment's network). */
  agentPoolTier?: "S1" | "S2" | "S3";
}

export interface CustomImageSpec {
  /** Promoted model whose version the image holds (an entry of `promotion.models`). */
  model: string;
  /** Config-pinned version of that model, when promotion pins one (the offline plan knows the tag then). */
  pinnedVersion?: string;
  /** Repository in the environment's registry: `score-<model>`. */
  repository: string;
  cpu: number;
  memory: string;
  minReplicas: number;
  maxReplicas: number;
  /** Inbound only from the environment's network (always: the scoring server has no authentication). */
  internal: boolean;
  /** Set in private mode: builds run on a dedicated agent pool in this subnet. */
  agentPool?: { name: string; tier: "S1" | "S2" | "S3" };
  names: { managedEnvironment: string; containerApp: string; identity: string };
}

/** CI runners inside the environment's network (docs/promotion.md, "Where CI runs"). */
export type RunnersSpec =
  | (Omit<GithubHostedRunners, "networkSettingsName"> & { subnet: string; names: { subnet: string; nsg: string; networkSettings: string } })
  | (Omit<ManagedDevOpsPoolRunners, "poolName"> & { subnet: string; names: { subnet: string; nsg: string; pool: string } });

export interface PromotionSpec {
  /** Fully qualified upstream stack for a StackReference. */
  upstreamStack: string;
  upstreamEnvironment: EnvironmentName;
  /** The stack whose workspace trained the models (dev): the only one read, for bytes and approvals. */
  originStack: string;
  originEnvironment: EnvironmentName;
  approvalTag: { key: string; value: string };
  models: { name: string; pinnedVersion?: string }[];
  archiveOnDelete: boolean;
  /** This stage approves for the next one (qa): its CI may record approvals on the origin's versions. */
  recordsApprovals: boolean;
  /** `copy` (server-side blob copy) or `registry` (shared into the origin's Azure ML registry). */
  strategy: "copy" | "registry";
  /** Registry strategy: the cluster (physical name) running the import job for Kubernetes endpoints, and its environment. */
  registry?: { importCompute?: string; importEnvironment: string };
  /** Known-location exports (`mlops:ExportedModel`): each promoted model listed, copied there too. */
  exports: { storageAccountName: string; containerName: string; pathPrefix: string; models: string[]; deleteFilesOnDelete: boolean }[];
}

/** The Azure ML registry the origin (dev) declares for the registry promotion strategy. */
export interface ModelRegistrySpec {
  name: string;
  publicNetworkAccess: "Enabled" | "Disabled";
}

export interface PipelineSelectionSpec {
  publish: string[];
  /** Cluster key (what steps name) → physical name, node kind and node limit. */
  clusters: ClusterMap;
  /** `name`: the Schedule resource's physical name. */
  schedules: { name: string; pipeline: string; cron: string; timeZone: string; dataset: string }[];
}

export interface AzureDevOpsConnectionSpec {
  /** Service connection name, as pipelines name it (`azureSubscription:`). */
  name: string;
  /** Its id (a GUID): part of the Entra-issuer subject. */
  id?: string;
}

export interface IdentitySpec {
  /**
   * GitHub federation. `environments` are the GitHub environments whose jobs deploy this stack
   * (default: one named like the stack, the name `deploy-stack.yml` runs its job in).
   */
  github?: { repository: string; environments: string[]; branches: string[]; pullRequests: boolean };
  azureDevOps?: {
    organization: string;
    organizationId?: string;
    project: string;
    issuer: AzureDevOpsIssuer;
    tenantId?: string;
    entraSubjectPrefix?: string;
    /** The deployer's connection (default `<project>-<stack>`). */
    deployer: AzureDevOpsConnectionSpec;
    /** The audit identity's connection (default `<deployer>-audit`). */
    audit: AzureDevOpsConnectionSpec;
  };
  /**
   * The read-only identity the drift audit (and promotion previews) sign in as: GitHub environment
   * `audit-<stack>` and/or the audit service connection.
   */
  audit?: { githubEnvironment: string; graphRead: boolean };
  /** The group's role on the workspace and whether it may write the workspace storage (dev: publishing from a laptop). */
  dataScientists?: { displayName?: string; members: string[]; workspaceRole: "AzureMLDataScientist" | "Reader"; dataStorageAccess: boolean };
}


export interface BranchSpec {
  /** The git branch as given. */
  name: string;
  slug: string;
}

export interface EnvironmentSpec {
  project: string;
  stack: string;
  kind: "environment" | "branch";
  environment: EnvironmentName;
  branch: BranchSpec | null;
  location: string;
  prefix: string;
  subscriptionId?: string;
  /** Tags every taggable resource carries. */
  tags: Record<string, string>;
  protect: boolean;
  /** Production hardening (prod and every `prod-<name>`). */
  hardened: boolean;
  /** The program runs offline (the plan): no Azure look-ups; values resolved from Azure are unknown. */
  offline: boolean;
  names: EnvironmentNames;
  network: NetworkSpec;
  workspace: {
    friendlyName: string;
    description: string;
    highBusinessImpact: boolean;
    /** Physical name of the cluster that builds images (config names its key). */
    imageBuildCompute?: string;
    /** Set only when config overrides the network mode for the workspace. */
    publicNetworkAccess?: "Enabled" | "Disabled";
  };
  keyVault: { purgeProtection: boolean; softDeleteRetentionDays: number };
  /** Resource logs: diagnostic settings to the environment's Log Analytics workspace, kept this long. */
  monitoring: { diagnosticSettings: boolean; logRetentionDays: number };
  /** `allowSharedKeyAccess`: on in dev only, for local tooling (datastores are identity-based everywhere). */
  storage: { allowBlobPublicAccess: boolean; allowSharedKeyAccess: boolean };
  /**
   * Defender plans (subscription pricings), customer-managed keys for the workspace and its storage,
   * and VNet flow logs (kept `monitoring.logRetentionDays`).
   */
  security: {
    defenderPlans: DefenderPlan[];
    customerManagedKeys: boolean;
    flowLogs: boolean;
    /** AKS egress filtered by Azure Firewall in `network.subnets.firewall` (private mode with serving). */
    egressFirewall: boolean;
  };
  registry: { sku: "Basic" | "Standard" | "Premium"; adminUserEnabled: boolean };
  clusters: ClusterSpec[];
  datastores: DatastoreSpec[];
  serving: ServingSpec | null;
  promotion: PromotionSpec | null;
  modelRegistry: ModelRegistrySpec | null;
  runners: RunnersSpec | null;
  customImage: CustomImageSpec | null;
  pipelines: PipelineSelectionSpec;
  identity: IdentitySpec;
}
