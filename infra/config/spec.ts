import { InputError, InputProblem } from "../../shared/errors";
import { detectBranch } from "../branchDetection";
import {
  branchProblem,
  branchSlug,
  checkName,
  computeClusterName,
  datastoreName,
  deriveEnvironmentNames,
  environmentLabel,
  environmentOfStack,
  NameKind,
  productionStackNameProblem,
} from "../../shared/naming";
import { configSchema } from "./schema";
import { validateAgainstSchema } from "../../shared/schemaErrors";
import { crossFieldProblems } from "./rules";
import { valueProblems } from "./valueRules";
import { DEFAULT_INSTANCE_TYPE, instanceTypeManifestFolder } from "./servingRules";
import { pipelineSelectionProblems } from "./pipelineRules";
import { UPSTREAM_ENVIRONMENT } from "../../shared/kinds";
import { DEFAULTS, ENVIRONMENT_DEFAULTS, networkModeOf, privateClusterOf, servingEnabledOf } from "./defaults";
import type { EnvironmentName, EnvironmentSpec, NetworkSpec, RawConfig } from "./types";

/** The batch endpoint's one deployment, which the scoring pipeline runs as. */
const BATCH_DEPLOYMENT = "scoring";

export interface SpecInput {
  project: string;
  stack: string;
  /** `namespace:key` → string, as `pulumi.runtime.allConfig()` returns it. */
  config: Record<string, string>;
  /** `namespace:key` → file, for messages. */
  sources?: Record<string, string>;
  /** File named for keys that are missing or have no source; defaults to `Pulumi.<stack>.yaml`. */
  defaultFile?: string;
  /** Process environment for branch detection (CI variables); defaults to none. */
  env?: NodeJS.ProcessEnv;
  /** Working directory for `git` branch detection; git is not asked when omitted. */
  cwd?: string;
  /** The program runs offline (the plan): no Azure look-ups, unknown values instead. Set by the entry point. */
  offline?: boolean;
}

/** The three datastores every environment has (docs/architecture.md, "Stacks"); config may add more. */
const REQUIRED_DATASTORES = [
  { name: "training", description: "Full training dataset" },
  { name: "scoring", description: "Data scored by the batch scoring pipeline" },
  { name: "toy", description: "Small dataset pull requests run the pipelines on" },
];

const schemaProps = configSchema.properties as unknown as Record<string, { type?: string; enum?: unknown[] }>;

/** Config values arrive as strings; structured, numeric and boolean keys hold JSON. */
function decode(key: string, raw: string): { value?: unknown; error?: string } {
  const prop = schemaProps[key];
  const isString = prop && (prop.type === "string" || (prop.enum && prop.enum.every((v) => typeof v === "string")));
  if (!prop || isString) return { value: raw };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return prop.type === "boolean" || prop.type === "integer" ? { value: raw } : { error: `must be ${prop.type ?? "a structured value"} (found ${JSON.stringify(raw)})` };
  }
}

export function buildEnvironmentSpec(input: SpecInput): EnvironmentSpec {
  const { project, stack } = input;
  const defaultFile = input.defaultFile ?? `Pulumi.${stack}.yaml`;
  const fileOf = (key: string) => input.sources?.[`${project}:${key}`] ?? defaultFile;
  const problems: InputProblem[] = [];
  const fail = (key: string, path: string, message: string) => problems.push({ file: fileOf(key), path: `${project}:${path}`, message });

  if (!/^[a-zA-Z0-9_.-]+$/.test(stack)) problems.push({ file: "command line", path: "stack", message: `invalid stack name '${stack}' (letters, digits, '-', '_', '.')` });
  const productionNameProblem = productionStackNameProblem(stack);
  if (productionNameProblem) problems.push({ file: "command line", path: "stack", message: productionNameProblem });

  const raw: Record<string, unknown> = {};
  for (const [qualified, text] of Object.entries(input.config)) {
    if (!qualified.startsWith(`${project}:`)) continue; // other namespaces belong to providers
    const key = qualified.slice(project.length + 1);
    const decoded = decode(key, text);
    if (decoded.error) fail(key, key, decoded.error);
    else raw[key] = decoded.value;
  }
  for (const p of validateAgainstSchema(configSchema, raw)) {
    const topKey = p.path.split(/[.[]/)[0];
    fail(topKey, p.path, p.message);
  }

  const cfg = raw as RawConfig;
  const stackEnvironment = environmentOfStack(stack);
  const isBranchStack = stackEnvironment === null;
  // `Prod` is not `prod`: planning it as a branch stack would silently show the wrong thing.
  const lower = stack.toLowerCase();
  if (isBranchStack && environmentOfStack(lower) !== null) {
    problems.push({ file: "command line", path: "stack", message: `'${stack}' is not an environment stack name; did you mean '${lower}'? (stack names are case-sensitive)` });
  }
  const environment: EnvironmentName = stackEnvironment ?? "dev";
  if (cfg.environment && cfg.environment !== environment) {
    fail("environment", "environment", isBranchStack ? `branch stacks use dev's settings, found '${cfg.environment}'` : `stack '${stack}' must have environment '${environment}', found '${cfg.environment}'`);
  }
  if (!cfg.location) fail("location", "location", "is required (Azure region, e.g. westeurope)");
  // One location setting: `<project>:location`. The provider's default `azure-native:location` may be
  // set too (resources without an explicit location use it), but only to the same region.
  const providerLocation = input.config["azure-native:location"];
  if (providerLocation !== undefined && cfg.location && providerLocation !== cfg.location) {
    problems.push({
      file: input.sources?.["azure-native:location"] ?? defaultFile,
      path: "azure-native:location",
      message: `is '${providerLocation}' but ${project}:location is '${cfg.location}' (from ${fileOf("location")}): set the region once in ${project}:location and drop azure-native:location, or make them equal`,
    });
  }
  if (!cfg.prefix) fail("prefix", "prefix", "is required (2–8 lowercase letters/digits)");

  // Only structurally valid config reaches the cross-field rules; they assume the schema's shapes.
  if (problems.length === 0) {
    for (const p of crossFieldProblems(cfg, environment, isBranchStack)) fail(p.path.split(/[.[]/)[0], p.path, p.message);
    for (const p of valueProblems(cfg)) fail(p.path.split(/[.[]/)[0], p.path, p.message);
    problems.push(...pipelineSelectionProblems(cfg, (path, message) => fail("pipelines", path, message)));
  }

  let branch: EnvironmentSpec["branch"] = null;
  if (isBranchStack && problems.length === 0) {
    const detected = detectBranch({
      configBranch: cfg.branch,
      env: input.env ?? {},
      ...(input.cwd ? { cwd: input.cwd } : { git: () => null }),
    });
    if (!detected) fail("branch", "branch", `branch stack '${stack}' needs its git branch: pass --branch, set ${project}:branch, or run inside a git checkout`);
    else if (branchProblem(detected.branch)) fail("branch", "branch", `${branchProblem(detected.branch)} (from ${detected.source})`);
    else branch = { name: detected.branch, slug: branchSlug(detected.branch) };
  }
  if (problems.length > 0) throw new InputError(problems);

  const spec = toSpec(input, cfg, environment, branch);
  const nameProblems = checkDerivedNames(spec);
  if (nameProblems.length > 0) throw new InputError(nameProblems.map((m) => ({ file: fileOf("prefix"), path: `${project}:prefix`, message: m })));
  return spec;
}

function toSpec(input: SpecInput, cfg: RawConfig, environment: EnvironmentName, branch: EnvironmentSpec["branch"]): EnvironmentSpec {
  const { project, stack } = input;
  const prefix = cfg.prefix!;
  const env = ENVIRONMENT_DEFAULTS[environment];
  const mode = networkModeOf(cfg, environment);
  const nameCtx = { project, stack: branch ? "dev" : stack, environment, prefix, subscriptionId: cfg.subscriptionId };
  const names = deriveEnvironmentNames(nameCtx);
  // `prod-<name>` where names must differ from prod's (Entra display names, the workspace's title).
  const label = environmentLabel(nameCtx.stack, environment);

  const tags: Record<string, string> = {
    ...(cfg.tags ?? {}),
    environment,
    stack,
    "managed-by": "pulumi",
    ...(branch ? { branch: branch.name } : {}),
  };

  const clusters = (cfg.compute?.clusters ?? []).map((c) => ({
    key: c.name,
    name: computeClusterName(nameCtx, c.name),
    kind: c.kind,
    vmSize: c.vmSize,
    priority: c.priority ?? env.clusterPriority,
    nodePublicIp: c.nodePublicIp ?? DEFAULTS.cluster.nodePublicIp,
    minNodes: c.minNodes ?? DEFAULTS.cluster.minNodes,
    maxNodes: c.maxNodes,
    idleTimeBeforeScaleDown: c.idleTimeBeforeScaleDown ?? DEFAULTS.cluster.idleTimeBeforeScaleDown,
    ...(c.description ? { description: c.description } : {}),
  }));
  // Config refers to clusters by key; the spec carries their physical names.
  const clusterName = (key: string) => clusters.find((c) => c.key === key)?.name;

  const configured = cfg.datastores ?? [];
  const datastores = [
    ...REQUIRED_DATASTORES.filter((r) => !configured.some((d) => d.name === r.name)).map((r) => ({ ...r, readOnly: DEFAULTS.datastore.readOnly, container: undefined as string | undefined })),
    ...configured.map((d) => ({ name: d.name, description: d.description ?? "", readOnly: d.readOnly ?? DEFAULTS.datastore.readOnly, container: d.container })),
  ].map((d) => ({
    name: datastoreName(d.name),
    container: d.container ?? d.name.replace(/_/g, "-"),
    description: d.description,
    readOnly: d.readOnly,
  }));

  const s = cfg.serving;
  const servingOn = !branch && servingEnabledOf(cfg, environment);
  const sd = DEFAULTS.serving;
  const systemPool = { vmSize: s?.systemPool?.vmSize ?? sd.systemPool.vmSize, minCount: s?.systemPool?.minCount ?? sd.systemPool.minCount, maxCount: s?.systemPool?.maxCount ?? sd.systemPool.maxCount };
  const userPools = (s?.userPools ?? []).map((p) => ({ name: p.name, kind: p.kind ?? DEFAULTS.pool.kind, vmSize: p.vmSize, minCount: p.minCount ?? DEFAULTS.pool.minCount, maxCount: p.maxCount }));
  // Three router replicas need three nodes where workloads may run (user pools when there are any).
  const workloadNodes = userPools.length > 0 ? userPools.filter((p) => p.kind === "cpu").reduce((n, p) => n + p.minCount, 0) : systemPool.minCount;
  const batchCluster = s?.batchEndpoint?.cluster ? clusterName(s.batchEndpoint.cluster) : undefined;
  const serving: EnvironmentSpec["serving"] = servingOn
    ? {
        kubernetesVersion: s?.kubernetesVersion ?? "",
        upgradeChannel: s?.upgradeChannel ?? sd.upgradeChannel,
        azureRbac: s?.azureRbac ?? sd.azureRbac,
        privateCluster: privateClusterOf(s ?? {}, environment),
        authorizedIpRanges: s?.authorizedIpRanges ?? [],
        systemPool,
        userPools,
        instanceTypes: (s?.instanceTypes ?? []).map((t) => ({ name: t.name, cpu: t.cpu, memory: t.memory, gpu: t.gpu ?? 0, ...(t.nodePool ? { nodePool: t.nodePool } : {}) })),
        onlineEndpoint: {
          name: names.onlineEndpoint,
          authMode: s?.onlineEndpoint?.authMode ?? sd.authMode,
          instanceType: s?.onlineEndpoint?.instanceType ?? s?.instanceTypes?.[0]?.name ?? DEFAULT_INSTANCE_TYPE,
          instanceCount: s?.onlineEndpoint?.instanceCount ?? sd.instanceCount,
          ...(s?.onlineEndpoint?.model ? { model: s.onlineEndpoint.model } : {}),
          scoringAssetName: `${prefix}_online_scoring`.replace(/-/g, "_").toLowerCase(),
        },
        batchEndpoint: {
          enabled: s?.batchEndpoint?.enabled ?? sd.batchEnabled,
          name: names.batchEndpoint,
          deploymentName: BATCH_DEPLOYMENT,
          ...(batchCluster ? { cluster: batchCluster } : {}),
        },
        tls: { cname: s?.tls?.cname ?? `inference.${environment}.${prefix}.internal` },
        apiServerRanges: [...new Set([...(s?.authorizedIpRanges ?? []), ...Object.values(s?.azureMlControlPlaneRanges ?? {}).flat()])],
        namespace: "azureml-inference",
        inference: { internalLoadBalancer: mode === "private", highAvailability: workloadNodes >= 3, gpu: userPools.some((p) => p.kind === "gpu") },
        ...((s?.instanceTypes?.length ?? 0) > 0 && s?.gitops && s.instanceTypesInCluster !== true
          ? {
              instanceTypeSource: {
                repositoryUrl: s.gitops.repositoryUrl,
                branch: s.gitops.branch ?? DEFAULTS.serving.gitopsBranch,
                path: instanceTypeManifestFolder(stack),
                ...(s.gitops.httpsUser ? { httpsUser: s.gitops.httpsUser } : {}),
              },
            }
          : {}),
        rollout: {
          steps: [...(s?.rollout?.steps ?? sd.rolloutSteps)],
          holdSeconds: s?.rollout?.holdSeconds ?? env.rolloutHoldSeconds,
          smokeRequestFile: s?.rollout?.smokeRequest ?? sd.smokeRequest,
        },
      }
    : null;

  const p = cfg.promotion;
  const upstreamEnv = UPSTREAM_ENVIRONMENT[environment];
  const promotion: EnvironmentSpec["promotion"] =
    !branch && upstreamEnv && p?.upstreamStack
      ? {
          upstreamStack: p.upstreamStack,
          upstreamEnvironment: upstreamEnv,
          // qa's upstream is the origin; prod names it (rules require it there).
          originStack: p.originStack ?? p.upstreamStack,
          originEnvironment: "dev",
          approvalTag: { key: p.approvalTag?.key ?? DEFAULTS.promotion.approvalTagKey, value: p.approvalTag?.value ?? DEFAULTS.promotion.approvalTagValue },
          models: (p.models ?? []).map((m) => ({ name: m.name, ...(m.pinnedVersion ? { pinnedVersion: m.pinnedVersion } : {}) })),
          archiveOnDelete: p.archiveOnDelete ?? DEFAULTS.promotion.archiveOnDelete,
          // qa approves for production: its CI records approvals on the origin's versions.
          recordsApprovals: environment === "qa",
          strategy: p.strategy ?? DEFAULTS.promotion.strategy,
          exports: (p.exports ?? []).map((e) => ({
            storageAccountName: e.storageAccountName,
            containerName: e.containerName,
            pathPrefix: e.pathPrefix ?? DEFAULTS.promotion.exportPathPrefix,
            models: e.models ?? (p.models ?? []).map((m) => m.name),
            deleteFilesOnDelete: e.deleteFilesOnDelete ?? DEFAULTS.promotion.exportDeleteFilesOnDelete,
          })),
          ...(p.strategy === "registry"
            ? {
                registry: {
                  ...(p.registry?.importCluster ? { importCompute: clusterName(p.registry.importCluster) ?? p.registry.importCluster } : {}),
                  importEnvironment: p.registry?.importEnvironment ?? DEFAULTS.promotion.registryImportEnvironment,
                },
              }
            : {}),
        }
      : null;
  const modelRegistry: EnvironmentSpec["modelRegistry"] =
    !branch && cfg.modelRegistry ? { name: cfg.modelRegistry.name, publicNetworkAccess: cfg.modelRegistry.publicNetworkAccess ?? "Disabled" } : null;

  const registrySku = cfg.registry?.sku ?? (mode === "private" ? "Premium" : "Basic");
  const r = cfg.runners;
  const runnerSubnet = cfg.network?.subnets?.runners;
  const runnerNames = { subnet: "snet-runners", nsg: `nsg-${names.virtualNetwork}-runners` };
  const runners: EnvironmentSpec["runners"] =
    !branch && r && runnerSubnet
      ? r.kind === "githubHosted"
        ? { kind: "githubHosted", subnet: runnerSubnet, names: { ...runnerNames, networkSettings: `ghns-${prefix}-${environment}` }, businessId: r.github!.businessId }
        : {
            kind: "managedDevOpsPool",
            subnet: runnerSubnet,
            // Pool names are unique in the Azure DevOps organization: prod-<name> gets its own (mdp-<prefix>-prod-<name>),
            // the pool its pipelines' stages ask for (tests/system/cicd/azurePipelines.test.ts).
            names: { ...runnerNames, pool: `mdp-${prefix}-${label}` },
            organizationUrl: r.managedDevOpsPool!.organizationUrl.replace(/\/+$/, ""),
            projects: r.managedDevOpsPool!.projects ?? [],
            devCenterProjectResourceId: r.managedDevOpsPool!.devCenterProjectResourceId,
            maximumConcurrency: r.managedDevOpsPool!.maximumConcurrency ?? DEFAULTS.managedDevOpsPool.maximumConcurrency,
            vmSize: r.managedDevOpsPool!.vmSize ?? DEFAULTS.managedDevOpsPool.vmSize,
            image: r.managedDevOpsPool!.image ?? DEFAULTS.managedDevOpsPool.image,
          }
      : null;

  const ci = cfg.customImage;
  const servedModel = ci?.model ?? promotion?.models[0]?.name;
  const customImage: EnvironmentSpec["customImage"] =
    !branch && ci?.enabled && promotion && servedModel
      ? {
          model: servedModel,
          ...(promotion.models.find((m) => m.name === servedModel)?.pinnedVersion ? { pinnedVersion: promotion.models.find((m) => m.name === servedModel)!.pinnedVersion } : {}),
          // Repository names are lowercase (letters, digits, '.', '_', '-', '/').
          repository: `score-${servedModel.toLowerCase()}`,
          cpu: ci.cpu ?? 0.5,
          // Consumption profile: 2 GiB per vCPU (MS Learn, Container Apps "Containers", allocations).
          memory: `${(ci.cpu ?? 0.5) * 2}Gi`,
          minReplicas: ci.minReplicas ?? 1,
          maxReplicas: ci.maxReplicas ?? 3,
          // The scoring server has no authentication of its own: it is reachable from the
          // environment's network only, in public mode too.
          internal: true,
          ...(mode === "private" ? { agentPool: { name: "imagebuild", tier: ci.agentPoolTier ?? "S1" } } : {}),
          names: { managedEnvironment: `cae-${prefix}-${stack}`, containerApp: `ca-${prefix}-${stack}-score`, identity: `id-${prefix}-${stack}-score` },
        }
      : null;

  const id = cfg.identity ?? {};
  return {
    project,
    stack,
    kind: branch ? "branch" : "environment",
    environment,
    branch,
    location: cfg.location!,
    prefix,
    ...(cfg.subscriptionId ? { subscriptionId: cfg.subscriptionId } : {}),
    tags,
    protect: cfg.protect ?? env.protect,
    hardened: env.hardened,
    offline: input.offline ?? false,
    names,
    network: networkSpec(cfg, mode, names, registrySku),
    workspace: {
      friendlyName: cfg.workspace?.friendlyName ?? `${prefix} ${label}`,
      description: cfg.workspace?.description ?? `Azure ML workspace for the ${environment} environment`,
      highBusinessImpact: cfg.workspace?.highBusinessImpact ?? DEFAULTS.workspace.highBusinessImpact,
      ...(cfg.workspace?.imageBuildCluster ? { imageBuildCompute: clusterName(cfg.workspace.imageBuildCluster) } : {}),
      ...(cfg.workspace?.publicNetworkAccess ? { publicNetworkAccess: cfg.workspace.publicNetworkAccess } : {}),
    },
    // Resource logs everywhere; retention grows with the environment (Log Analytics bills retention
    // beyond 31 days per GB-month).
    monitoring: { diagnosticSettings: true, logRetentionDays: env.logRetentionDays },
    keyVault: {
      purgeProtection: cfg.keyVault?.purgeProtection ?? env.keyVaultPurgeProtection,
      softDeleteRetentionDays: cfg.keyVault?.softDeleteRetentionDays ?? DEFAULTS.keyVault.softDeleteRetentionDays,
    },
    storage: { allowBlobPublicAccess: cfg.storage?.allowBlobPublicAccess ?? DEFAULTS.storage.allowBlobPublicAccess, allowSharedKeyAccess: env.storageSharedKeyAccess },
    // Prod buys every Defender plan that covers what it declares; customer-managed keys can only be
    // chosen when the workspace is created, so qa (prod's rehearsal) has them too.
    security: {
      defenderPlans: cfg.security?.defenderPlans ?? [...env.defenderPlans],
      customerManagedKeys: cfg.security?.customerManagedKeys ?? env.customerManagedKeys,
      flowLogs: cfg.security?.flowLogs ?? env.flowLogs,
      // Filtering needs the firewall's own subnet: on wherever config gives one to a private AKS.
      egressFirewall: serving !== null && mode === "private" && (cfg.security?.egressFirewall ?? cfg.network?.subnets?.firewall !== undefined),
    },
    registry: { sku: registrySku, adminUserEnabled: cfg.registry?.adminUserEnabled ?? DEFAULTS.registry.adminUserEnabled },
    clusters,
    datastores,
    serving,
    promotion,
    modelRegistry,
    runners,
    customImage,
    pipelines: {
      publish: cfg.pipelines?.publish ?? [],
      clusters: Object.fromEntries(clusters.map((c) => [c.key, { name: c.name, kind: c.kind, maxNodes: c.maxNodes }])),
      schedules: (cfg.pipelines?.schedules ?? []).map((sc, i) => ({
        name: `${sc.pipeline}-${i}-${environment}`,
        pipeline: sc.pipeline,
        cron: sc.cron,
        timeZone: sc.timeZone ?? DEFAULTS.schedule.timeZone,
        dataset: sc.dataset ?? DEFAULTS.schedule.dataset,
      })),
    },
    identity: identitySpec(project, stack, environment, id),
  };
}

/**
 * The CI identities' federation, declared once: a GitHub environment named like the stack is the one
 * `deploy-stack.yml` runs in (config may list others), and Azure DevOps connections are named
 * `<project>-<stack>` (and `-audit`) unless config says otherwise. Workflows and pipelines are checked
 * against this (tests/system/cicd/ciIdentities.test.ts).
 */
function identitySpec(project: string, stack: string, environment: EnvironmentName, id: NonNullable<RawConfig["identity"]>): EnvironmentSpec["identity"] {
  const ds = id.dataScientists;
  const ado = id.azureDevOps;
  const deployerConnection = ado?.serviceConnection ?? `${project}-${stack}`;
  const auditOn = (id.github || ado) && (id.audit?.enabled ?? DEFAULTS.audit.enabled);
  return {
    ...(id.github
      ? { github: { repository: id.github.repository, environments: id.github.environments ?? [stack], branches: id.github.branches ?? [], pullRequests: id.github.pullRequests ?? DEFAULTS.identity.githubPullRequests } }
      : {}),
    ...(ado
      ? {
          azureDevOps: {
            organization: ado.organization,
            project: ado.project,
            issuer: ado.issuer ?? DEFAULTS.identity.azureDevOpsIssuer,
            ...(ado.organizationId ? { organizationId: ado.organizationId } : {}),
            ...(ado.tenantId ? { tenantId: ado.tenantId } : {}),
            ...(ado.entraSubjectPrefix ? { entraSubjectPrefix: ado.entraSubjectPrefix } : {}),
            deployer: { name: deployerConnection, ...(ado.serviceConnectionId ? { id: ado.serviceConnectionId } : {}) },
            audit: { name: ado.auditServiceConnection ?? `${deployerConnection}-audit`, ...(ado.auditServiceConnectionId ? { id: ado.auditServiceConnectionId } : {}) },
          },
        }
      : {}),
    ...(auditOn ? { audit: { githubEnvironment: `audit-${stack}`, graphRead: id.audit?.graphRead ?? DEFAULTS.audit.graphRead } } : {}),
    ...((ds?.enabled ?? DEFAULTS.identity.dataScientistsEnabled)
      ? { dataScientists: { ...(ds?.displayName ? { displayName: ds.displayName } : {}), members: ds?.members ?? [], ...ENVIRONMENT_DEFAULTS[environment].dataScientists } }
      : {}),
  };
}

/** The network's own physical names: NAT gateway, its public IP, the monitor scope, private endpoints. */
function networkSpec(cfg: RawConfig, mode: NetworkSpec["mode"], n: EnvironmentSpec["names"], registrySku: string): NetworkSpec {
  const monitorScope = `ampls-${n.workspace}`;
  return {
    mode,
    ...(cfg.network?.addressSpace ? { addressSpace: cfg.network.addressSpace } : {}),
    subnets: { ...(cfg.network?.subnets ?? {}) },
    names: {
      natGateway: `ng-${n.virtualNetwork}-aks`,
      natPublicIp: `pip-${n.virtualNetwork}-aks-egress`,
      monitorScope,
      privateEndpoints: {
        amlworkspace: `pe-${n.workspace}`,
        blob: `pe-${n.storageAccount}-blob`,
        file: `pe-${n.storageAccount}-file`,
        vault: `pe-${n.keyVault}`,
        // Azure accepts a registry private endpoint only on the Premium SKU (a lower SKU stays public).
        ...(registrySku === "Premium" ? { registry: `pe-${n.containerRegistry}` } : {}),
        azuremonitor: `pe-${monitorScope}`,
        amlregistry: `pe-${n.workspace}-model-registry`,
      },
    },
  };
}

/** Derived names are checked against Azure's rules before anything is registered. */
function checkDerivedNames(spec: EnvironmentSpec): string[] {
  const n = spec.names;
  const checks: [NameKind, string][] = [
    ["resourceGroup", n.resourceGroup],
    ["resourceGroup", n.servingResourceGroup],
    ["storageAccount", n.storageAccount],
    ["keyVault", n.keyVault],
    ["containerRegistry", n.containerRegistry],
    ["workspace", n.workspace],
    ["aksCluster", n.aksCluster],
    ["computeCluster", n.kubernetesCompute],
    ["onlineEndpoint", n.onlineEndpoint],
    ["batchEndpoint", n.batchEndpoint],
    ["stack", spec.stack],
    ...spec.clusters.map((c): [NameKind, string] => ["computeCluster", c.name]),
    ...spec.datastores.map((d): [NameKind, string] => ["datastore", d.name]),
  ];
  const ci = spec.customImage;
  // Container app and environment names: 2–32 lowercase letters, digits and single hyphens, starting
  // with a letter and ending with a letter or digit (Azure naming rules, Microsoft.App).
  const appNameProblems = ci
    ? [ci.names.containerApp, ci.names.managedEnvironment]
        .filter((n) => !/^[a-z](?!.*--)[a-z0-9-]{0,30}[a-z0-9]$/.test(n))
        .map((n) => `Container Apps name '${n}' must be 2–32 lowercase letters, digits and single hyphens, start with a letter and end with a letter or digit`)
    : [];
  return [...checks.map(([kind, value]) => checkName(kind, value)).filter((m): m is string => m !== null), ...appNameProblems];
}
