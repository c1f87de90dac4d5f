import { InputError, InputProblem } from "../errors";
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
} from "../naming";
import { configSchema } from "./schema";
import { validateAgainstSchema } from "./schemaErrors";
import { crossFieldProblems } from "./rules";
import { valueProblems } from "./valueRules";
import { DEFAULT_INSTANCE_TYPE, instanceTypeManifestFolder } from "./servingRules";
import { pipelineSelectionProblems } from "./pipelineRules";
import type { DefenderPlan, EnvironmentName, EnvironmentSpec, RawConfig } from "./types";

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
}

/** The three datastores every environment has (ARCHITECTURE §2); config may add more. */
/** Log Analytics retention per environment (days). */
/** Defender for Cloud plans covering what an environment declares (AKS, key vault, storage, ARM). */
export const DEFENDER_PLANS: readonly DefenderPlan[] = ["Containers", "KeyVaults", "StorageAccounts", "Arm"];

export const LOG_RETENTION_DAYS: Record<EnvironmentName, number> = { dev: 30, qa: 60, prod: 90 };

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
  const isProd = environment === "prod";
  const mode = cfg.network?.mode ?? (environment === "dev" ? "public" : "private");
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
    priority: c.priority ?? (isProd ? "Dedicated" : "LowPriority"),
    nodePublicIp: c.nodePublicIp ?? false,
    minNodes: c.minNodes ?? 0,
    maxNodes: c.maxNodes,
    idleTimeBeforeScaleDown: c.idleTimeBeforeScaleDown ?? "PT15M",
    ...(c.description ? { description: c.description } : {}),
  }));

  const configured = cfg.datastores ?? [];
  const datastores = [
    ...REQUIRED_DATASTORES.filter((r) => !configured.some((d) => d.name === r.name)).map((r) => ({ ...r, readOnly: false, container: undefined as string | undefined })),
    ...configured.map((d) => ({ name: d.name, description: d.description ?? "", readOnly: d.readOnly ?? false, container: d.container })),
  ].map((d) => ({
    name: datastoreName(d.name),
    container: d.container ?? d.name.replace(/_/g, "-"),
    description: d.description ?? "",
    readOnly: d.readOnly ?? false,
  }));

  const s = cfg.serving;
  const servingOn = !branch && (s?.enabled ?? environment !== "dev");
  const serving: EnvironmentSpec["serving"] = servingOn
    ? {
        kubernetesVersion: s?.kubernetesVersion ?? "",
        upgradeChannel: s?.upgradeChannel ?? "patch",
        azureRbac: s?.azureRbac ?? true,
        privateCluster: s?.privateCluster ?? isProd,
        authorizedIpRanges: s?.authorizedIpRanges ?? [],
        systemPool: { vmSize: s?.systemPool?.vmSize ?? "Standard_D4ds_v5", minCount: s?.systemPool?.minCount ?? 1, maxCount: s?.systemPool?.maxCount ?? 3 },
        userPools: (s?.userPools ?? []).map((p) => ({ name: p.name, kind: p.kind ?? "cpu", vmSize: p.vmSize, minCount: p.minCount ?? 1, maxCount: p.maxCount })),
        instanceTypes: (s?.instanceTypes ?? []).map((t) => ({ name: t.name, cpu: t.cpu, memory: t.memory, gpu: t.gpu ?? 0, ...(t.nodePool ? { nodePool: t.nodePool } : {}) })),
        onlineEndpoint: {
          name: names.onlineEndpoint,
          authMode: s?.onlineEndpoint?.authMode ?? "AMLToken",
          instanceType: s?.onlineEndpoint?.instanceType ?? s?.instanceTypes?.[0]?.name ?? DEFAULT_INSTANCE_TYPE,
          instanceCount: s?.onlineEndpoint?.instanceCount ?? 1,
          ...(s?.onlineEndpoint?.model ? { model: s.onlineEndpoint.model } : {}),
        },
        batchEndpoint: { enabled: s?.batchEndpoint?.enabled ?? true, name: names.batchEndpoint, ...(s?.batchEndpoint?.cluster ? { clusterKey: s.batchEndpoint.cluster } : {}) },
        tls: { cname: s?.tls?.cname ?? `inference.${environment}.${prefix}.internal` },
        apiServerRanges: [...new Set([...(s?.authorizedIpRanges ?? []), ...Object.values(s?.azureMlControlPlaneRanges ?? {}).flat()])],
        namespace: "azureml-inference",
        ...((s?.instanceTypes?.length ?? 0) > 0 && s?.gitops && s.instanceTypesInCluster !== true
          ? {
              instanceTypeSource: {
                repositoryUrl: s.gitops.repositoryUrl,
                branch: s.gitops.branch ?? "main",
                path: instanceTypeManifestFolder(stack),
                ...(s.gitops.httpsUser ? { httpsUser: s.gitops.httpsUser } : {}),
              },
            }
          : {}),
        rollout: {
          steps: s?.rollout?.steps ?? [10, 50, 100],
          holdSeconds: s?.rollout?.holdSeconds ?? (isProd ? 300 : 60),
          smokeRequestFile: s?.rollout?.smokeRequest ?? "pipelines/steps/bad_pixels/sample-request.json",
        },
      }
    : null;

  const p = cfg.promotion;
  const upstreamEnv: EnvironmentName | null = environment === "qa" ? "dev" : environment === "prod" ? "qa" : null;
  const promotion: EnvironmentSpec["promotion"] =
    !branch && upstreamEnv && p?.upstreamStack
      ? {
          upstreamStack: p.upstreamStack,
          upstreamEnvironment: upstreamEnv,
          // qa's upstream is the origin; prod names it (rules require it there).
          originStack: p.originStack ?? p.upstreamStack,
          originEnvironment: "dev",
          approvalTag: { key: p.approvalTag?.key ?? "stage", value: p.approvalTag?.value ?? "production" },
          models: (p.models ?? []).map((m) => ({ name: m.name, ...(m.pinnedVersion ? { pinnedVersion: m.pinnedVersion } : {}) })),
          archiveOnDelete: p.archiveOnDelete ?? true,
          strategy: p.strategy ?? "copy",
          exports: (p.exports ?? []).map((e) => ({
            storageAccountName: e.storageAccountName,
            containerName: e.containerName,
            pathPrefix: e.pathPrefix ?? "models",
            models: e.models ?? (p.models ?? []).map((m) => m.name),
            deleteFilesOnDelete: e.deleteFilesOnDelete ?? false,
          })),
          ...(p.strategy === "registry"
            ? {
                registry: {
                  ...(p.registry?.importCluster ? { importCompute: clusters.find((c) => c.key === p.registry!.importCluster)?.name ?? p.registry.importCluster } : {}),
                  importEnvironment: p.registry?.importEnvironment ?? "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
                },
              }
            : {}),
        }
      : null;
  const modelRegistry: EnvironmentSpec["modelRegistry"] =
    !branch && cfg.modelRegistry ? { name: cfg.modelRegistry.name, publicNetworkAccess: cfg.modelRegistry.publicNetworkAccess ?? "Disabled" } : null;

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
            // the pool its pipelines' stages ask for (tests/cicd/azurePipelines.test.ts).
            names: { ...runnerNames, pool: `mdp-${prefix}-${label}` },
            organizationUrl: r.managedDevOpsPool!.organizationUrl.replace(/\/+$/, ""),
            projects: r.managedDevOpsPool!.projects ?? [],
            devCenterProjectResourceId: r.managedDevOpsPool!.devCenterProjectResourceId,
            maximumConcurrency: r.managedDevOpsPool!.maximumConcurrency ?? 2,
            vmSize: r.managedDevOpsPool!.vmSize ?? "Standard_D2ads_v5",
            image: r.managedDevOpsPool!.image ?? "ubuntu-24.04/latest",
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
    protect: cfg.protect ?? isProd,
    names,
    network: { mode, ...(cfg.network?.addressSpace ? { addressSpace: cfg.network.addressSpace } : {}), subnets: { ...(cfg.network?.subnets ?? {}) } },
    workspace: {
      friendlyName: cfg.workspace?.friendlyName ?? `${prefix} ${label}`,
      description: cfg.workspace?.description ?? `Azure ML workspace for the ${environment} environment`,
      highBusinessImpact: cfg.workspace?.highBusinessImpact ?? false,
      ...(cfg.workspace?.imageBuildCluster ? { imageBuildCluster: cfg.workspace.imageBuildCluster } : {}),
      ...(cfg.workspace?.publicNetworkAccess ? { publicNetworkAccess: cfg.workspace.publicNetworkAccess } : {}),
    },
    // Resource logs everywhere; retention grows with the environment (prod keeps ≥ 90 days for
    // incident investigation; Log Analytics bills retention beyond 31 days per GB-month).
    monitoring: { diagnosticSettings: true, logRetentionDays: LOG_RETENTION_DAYS[environment] },
    keyVault: { purgeProtection: cfg.keyVault?.purgeProtection ?? environment !== "dev", softDeleteRetentionDays: cfg.keyVault?.softDeleteRetentionDays ?? 90 },
    storage: { allowBlobPublicAccess: cfg.storage?.allowBlobPublicAccess ?? false },
    // Prod buys every Defender plan that covers what it declares; customer-managed keys can only be
    // chosen when the workspace is created, so qa (prod's rehearsal) has them too.
    security: {
      defenderPlans: cfg.security?.defenderPlans ?? (isProd ? [...DEFENDER_PLANS] : []),
      customerManagedKeys: cfg.security?.customerManagedKeys ?? environment !== "dev",
      flowLogs: cfg.security?.flowLogs ?? environment !== "dev",
      // Filtering needs the firewall's own subnet: on wherever config gives one to a private AKS.
      egressFirewall: serving !== null && mode === "private" && (cfg.security?.egressFirewall ?? cfg.network?.subnets?.firewall !== undefined),
    },
    registry: { sku: cfg.registry?.sku ?? (mode === "private" ? "Premium" : "Basic"), adminUserEnabled: cfg.registry?.adminUserEnabled ?? false },
    clusters,
    datastores,
    serving,
    promotion,
    modelRegistry,
    runners,
    customImage,
    pipelines: {
      publish: cfg.pipelines?.publish ?? [],
      schedules: (cfg.pipelines?.schedules ?? []).map((sc) => ({ pipeline: sc.pipeline, cron: sc.cron, timeZone: sc.timeZone ?? "UTC", dataset: sc.dataset ?? "training" })),
    },
    identity: identitySpec(project, stack, id),
  };
}

/**
 * The CI identities' federation, declared once: a GitHub environment named like the stack is the one
 * `deploy-stack.yml` runs in (config may list others), and Azure DevOps connections are named
 * `<project>-<stack>` (and `-audit`) unless config says otherwise. Workflows and pipelines are checked
 * against this (tests/cicd/ciIdentities.test.ts).
 */
function identitySpec(project: string, stack: string, id: NonNullable<RawConfig["identity"]>): EnvironmentSpec["identity"] {
  const ds = id.dataScientists;
  const ado = id.azureDevOps;
  const deployerConnection = ado?.serviceConnection ?? `${project}-${stack}`;
  const auditOn = (id.github || ado) && (id.audit?.enabled ?? true);
  return {
    ...(id.github
      ? { github: { repository: id.github.repository, environments: id.github.environments ?? [stack], branches: id.github.branches ?? [], pullRequests: id.github.pullRequests ?? false } }
      : {}),
    ...(ado
      ? {
          azureDevOps: {
            organization: ado.organization,
            project: ado.project,
            issuer: ado.issuer ?? "entra",
            ...(ado.organizationId ? { organizationId: ado.organizationId } : {}),
            ...(ado.tenantId ? { tenantId: ado.tenantId } : {}),
            ...(ado.entraSubjectPrefix ? { entraSubjectPrefix: ado.entraSubjectPrefix } : {}),
            deployer: { name: deployerConnection, ...(ado.serviceConnectionId ? { id: ado.serviceConnectionId } : {}) },
            audit: { name: ado.auditServiceConnection ?? `${deployerConnection}-audit`, ...(ado.auditServiceConnectionId ? { id: ado.auditServiceConnectionId } : {}) },
          },
        }
      : {}),
    ...(auditOn ? { audit: { githubEnvironment: `audit-${stack}`, graphRead: id.audit?.graphRead ?? true } } : {}),
    ...(ds?.enabled ? { dataScientists: { ...(ds.displayName ? { displayName: ds.displayName } : {}), members: ds.members ?? [] } } : {}),
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
