import type { RawConfig, EnvironmentName } from "./types";
import type { SchemaProblem } from "../../shared/schemaErrors";
import { DEFAULT_INSTANCE_TYPE, servingProblems } from "./servingRules";
import { UPSTREAM_ENVIRONMENT } from "../../shared/kinds";
import { DEFAULTS, ENVIRONMENT_DEFAULTS, networkModeOf, privateClusterOf, servingEnabledOf } from "./defaults";
import { customImageProblems } from "./customImageRules";

/**
 * Cross-field rules JSON Schema cannot express. Each returns problems with key paths relative to the
 * project namespace (`compute.clusters[1].minNodes`); all rules run so every problem is reported.
 */

/** GPU VM families on Azure: NC, ND, NV (NVIDIA) and NG (AMD). */
export function isGpuVmSize(vmSize: string): boolean {
  return /^Standard_N[CDVG]/i.test(vmSize);
}

function parseCidr(cidr: string): { base: number; bits: number } | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, bits };
}

function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b || b.bits < a.bits) return false;
  const size = 2 ** (32 - a.bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

function cidrOverlaps(x: string, y: string): boolean {
  return cidrContains(x, y) || cidrContains(y, x);
}

function duplicates<T>(items: T[], key: (t: T) => string, path: (i: number) => string, what: string): SchemaProblem[] {
  const seen = new Map<string, number>();
  const problems: SchemaProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) problems.push({ path: path(i), message: `duplicate ${what} '${k}' (also at index ${seen.get(k)})` });
    else seen.set(k, i);
  });
  return problems;
}

const RESERVED_TAGS = ["environment", "stack", "managed-by", "branch"];

export function crossFieldProblems(cfg: RawConfig, environment: EnvironmentName, isBranchStack: boolean): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  for (const key of Object.keys(cfg.tags ?? {})) {
    if (RESERVED_TAGS.includes(key.toLowerCase())) add(`tags.${key}`, `tag '${key}' is set by the platform and cannot be overridden`);
  }

  // Compute clusters.
  const clusters = cfg.compute?.clusters ?? [];
  const clusterKeys = new Set(clusters.map((c) => c.name));
  clusters.forEach((c, i) => {
    const at = `compute.clusters[${i}]`;
    const min = c.minNodes ?? DEFAULTS.cluster.minNodes;
    if (min > c.maxNodes) add(`${at}.minNodes`, `must be ≤ maxNodes (${min} > ${c.maxNodes})`);
    if (c.kind === "gpu" && !isGpuVmSize(c.vmSize)) add(`${at}.vmSize`, `gpu cluster needs a GPU VM family (NC, ND, NV, NG), found '${c.vmSize}'`);
    if (c.kind === "cpu" && isGpuVmSize(c.vmSize)) add(`${at}.vmSize`, `'${c.vmSize}' is a GPU size; declare the cluster with kind: gpu`);
  });
  problems.push(...duplicates(clusters, (c) => c.name, (i) => `compute.clusters[${i}].name`, "cluster name"));

  // Datastores.
  const datastores = cfg.datastores ?? [];
  problems.push(...duplicates(datastores, (d) => d.name, (i) => `datastores[${i}].name`, "datastore name"));
  // A datastore without an explicit container uses its name (with '-' for '_').
  problems.push(...duplicates(datastores, (d) => d.container ?? d.name.replace(/_/g, "-"), (i) => `datastores[${i}].container`, "container"));

  // Network.
  const mode = networkModeOf(cfg, environment);
  if (environment === "prod" && mode === "public" && !isBranchStack) add("network.mode", "prod cannot run in public network mode");
  const space = cfg.network?.addressSpace;
  if (mode === "private" && !space) add("network.addressSpace", "is required when network.mode is private");
  const subnets = cfg.network?.subnets ?? {};
  const subnetEntries = Object.entries(subnets).filter(([, v]) => typeof v === "string") as [string, string][];
  for (const [name, cidr] of subnetEntries) {
    if (!parseCidr(cidr)) add(`network.subnets.${name}`, `is not a valid IPv4 CIDR (found '${cidr}')`);
    else if (space && parseCidr(space) && !cidrContains(space, cidr)) add(`network.subnets.${name}`, `${cidr} is not inside network.addressSpace ${space}`);
  }
  for (let i = 0; i < subnetEntries.length; i++) {
    for (let j = i + 1; j < subnetEntries.length; j++) {
      const [n1, c1] = subnetEntries[i];
      const [n2, c2] = subnetEntries[j];
      if (parseCidr(c1) && parseCidr(c2) && cidrOverlaps(c1, c2)) add(`network.subnets.${n2}`, `${c2} overlaps network.subnets.${n1} (${c1})`);
    }
  }
  if (space && !parseCidr(space)) add("network.addressSpace", `is not a valid IPv4 CIDR (found '${space}')`);
  if (mode === "private" && !isBranchStack) {
    if (!subnets.privateEndpoints) add("network.subnets.privateEndpoints", "is required when network.mode is private (the private endpoints' subnet)");
    // Azure ML cannot build environment images on its shared builders when the registry is closed.
    if (!cfg.workspace?.imageBuildCluster) add("workspace.imageBuildCluster", "is required when network.mode is private (images are built on a compute cluster when the registry is private)");
  }

  // Serving.
  const serving = cfg.serving;
  const servingOn = servingEnabledOf(cfg, environment);
  if (serving && servingOn && !isBranchStack) {
    if (!serving.kubernetesVersion) add("serving.kubernetesVersion", "is required when serving is enabled (pin a supported AKS version)");
    if (!space) add("network.addressSpace", "is required when serving is enabled (the AKS cluster gets the environment's own network)");
    if (!subnets.aks) add("network.subnets.aks", "is required when serving is enabled (the AKS nodes' subnet)");
    const sys = serving.systemPool ?? {};
    const sysMin = sys.minCount ?? DEFAULTS.serving.systemPool.minCount;
    const sysMax = sys.maxCount ?? DEFAULTS.serving.systemPool.maxCount;
    if (sysMin > sysMax) add("serving.systemPool.minCount", `must be ≤ maxCount (${sysMin} > ${sysMax})`);
    const pools = serving.userPools ?? [];
    pools.forEach((p, i) => {
      const at = `serving.userPools[${i}]`;
      const minCount = p.minCount ?? DEFAULTS.pool.minCount;
      const kind = p.kind ?? DEFAULTS.pool.kind;
      if (minCount > p.maxCount) add(`${at}.minCount`, `must be ≤ maxCount (${minCount} > ${p.maxCount})`);
      if (kind === "gpu" && !isGpuVmSize(p.vmSize)) add(`${at}.vmSize`, `gpu pool needs a GPU VM family (NC, ND, NV, NG), found '${p.vmSize}'`);
      if (kind === "cpu" && isGpuVmSize(p.vmSize)) add(`${at}.vmSize`, `'${p.vmSize}' is a GPU size; declare the pool with kind: gpu`);
      if (p.name === "system") add(`${at}.name`, "'system' is the system pool's name");
    });
    problems.push(...duplicates(pools, (p) => p.name, (i) => `serving.userPools[${i}].name`, "pool name"));
    const ranges = serving.authorizedIpRanges ?? [];
    const isPrivate = privateClusterOf(serving, environment);
    if (isPrivate && ranges.length > 0) add("serving.authorizedIpRanges", "cannot be combined with a private cluster (the API server has no public endpoint)");
    if (environment === "prod" && !isPrivate && ranges.length === 0) add("serving.privateCluster", "prod needs a private API server or serving.authorizedIpRanges");
    ranges.forEach((r, i) => {
      if (!parseCidr(r)) add(`serving.authorizedIpRanges[${i}]`, `is not a valid IPv4 CIDR (found '${r}')`);
    });
    const types = serving.instanceTypes ?? [];
    problems.push(...duplicates(types, (t) => t.name, (i) => `serving.instanceTypes[${i}].name`, "instance type"));
    const poolNames = new Set(pools.map((p) => p.name));
    types.forEach((t, i) => {
      if (t.nodePool && !poolNames.has(t.nodePool)) add(`serving.instanceTypes[${i}].nodePool`, `unknown user pool '${t.nodePool}' (known: ${[...poolNames].join(", ") || "none"})`);
      if ((t.gpu ?? 0) > 0 && t.nodePool && pools.find((p) => p.name === t.nodePool)?.kind !== "gpu") add(`serving.instanceTypes[${i}].gpu`, `asks for GPUs but pool '${t.nodePool}' is not a gpu pool`);
    });
    const it = serving.onlineEndpoint?.instanceType;
    if (it && it !== DEFAULT_INSTANCE_TYPE && types.length > 0 && !types.some((t) => t.name === it)) add("serving.onlineEndpoint.instanceType", `unknown instance type '${it}' (known: ${types.map((t) => t.name).join(", ")})`);
    problems.push(...servingProblems(cfg, environment));
    const batchCluster = serving.batchEndpoint?.cluster;
    if (batchCluster && !clusterKeys.has(batchCluster)) add("serving.batchEndpoint.cluster", `unknown compute cluster '${batchCluster}' (known: ${[...clusterKeys].join(", ") || "none"})`);
  }

  const buildCluster = cfg.workspace?.imageBuildCluster;
  if (buildCluster && !clusterKeys.has(buildCluster)) add("workspace.imageBuildCluster", `unknown compute cluster '${buildCluster}'`);

  // CI runners inside the environment's network: a subnet of its own VNet and the settings of their kind.
  const runners = cfg.runners;
  if (runners && !isBranchStack) {
    if (environment === "dev") add("runners", "dev stays on hosted runners (public data plane); runner networks are for qa and prod");
    if (!cfg.network?.subnets?.runners) add("network.subnets.runners", `is required with runners (the subnet delegated to the ${runners.kind === "githubHosted" ? "GitHub network settings" : "Managed DevOps Pool"})`);
    if (runners.kind === "githubHosted" && !runners.github) add("runners.github", "is required when runners.kind is githubHosted (businessId)");
    if (runners.kind === "managedDevOpsPool" && !runners.managedDevOpsPool) add("runners.managedDevOpsPool", "is required when runners.kind is managedDevOpsPool");
  }
  if (!runners && cfg.network?.subnets?.runners) add("runners", "network.subnets.runners is set but no runners are configured");

  problems.push(...customImageProblems(cfg, environment, isBranchStack));

  // Promotion: qa promotes from dev, prod from qa; dev promotes from nothing.
  const upstream = UPSTREAM_ENVIRONMENT[environment];
  const promo = cfg.promotion;
  if (!isBranchStack) {
    if (upstream === null && promo?.upstreamStack) add("promotion.upstreamStack", "dev is the first environment and promotes from no stack");
    if (upstream !== null && (promo?.models?.length ?? 0) > 0 && !promo?.upstreamStack) add("promotion.upstreamStack", `is required to promote models into ${environment} (from ${upstream})`);
    if (upstream !== null && promo?.upstreamStack) {
      const last = promo.upstreamStack.split("/").pop();
      if (last !== upstream) add("promotion.upstreamStack", `${environment} promotes from '${upstream}', found '${promo.upstreamStack}'`);
    }
    // Model bytes always come from the origin (dev): prod promotes what qa approved, copied from dev.
    if (upstream === null && promo?.originStack) add("promotion.originStack", "dev is the origin and promotes from no stack");
    if (upstream !== null && upstream !== "dev" && promo?.upstreamStack && !promo.originStack) {
      add("promotion.originStack", `is required in ${environment}: models are copied from the origin (dev), not from ${upstream}, e.g. organization/mlops/dev`);
    }
    if (promo?.originStack && promo.originStack.split("/").pop() !== "dev") add("promotion.originStack", `must name the dev stack (the origin), found '${promo.originStack}'`);
  }
  problems.push(...duplicates(promo?.models ?? [], (m) => m.name, (i) => `promotion.models[${i}].name`, "model"));
  // Registry strategy: the origin declares the registry; a Kubernetes online endpoint cannot deploy a
  // registry model ("Attach Kubernetes anywhere", limitations), so serving needs the import job's cluster.
  if (!isBranchStack) {
    if (cfg.modelRegistry && environment !== "dev") add("modelRegistry", "is declared by the origin stack (dev); qa and prod reach it with promotion.strategy: registry");
    if (promo?.registry && promo.strategy !== "registry") add("promotion.registry", "is only read with promotion.strategy: registry");
    // Known-location exports copy from the origin's storage like the copy strategy.
    const promoted = new Set((promo?.models ?? []).map((m) => m.name));
    const places = new Set<string>();
    (promo?.exports ?? []).forEach((e, i) => {
      if (promo?.strategy === "registry") add(`promotion.exports[${i}]`, "exports copy from the origin's storage: use them with promotion.strategy: copy");
      (e.models ?? []).forEach((m, j) => {
        if (!promoted.has(m)) add(`promotion.exports[${i}].models[${j}]`, `'${m}' is not a promoted model (promotion.models)`);
      });
      const place = `${e.storageAccountName}/${e.containerName}/${e.pathPrefix ?? "models"}`;
      if (places.has(place)) add(`promotion.exports[${i}]`, `exports to ${place} twice`);
      places.add(place);
    });
    const importCluster = promo?.registry?.importCluster;
    if (importCluster && !clusterKeys.has(importCluster)) add("promotion.registry.importCluster", `unknown compute cluster '${importCluster}'`);
    if (promo?.strategy === "registry" && servingEnabledOf(cfg, environment) && !importCluster) {
      add("promotion.registry.importCluster", "is required with serving: the Kubernetes online endpoint cannot deploy registry models, so a job on this cluster imports the version into the workspace");
    }
  }

  // CI identities: a federated credential needs a subject, and Azure DevOps an issuer.
  const github = cfg.identity?.github;
  // environments default to [<stack>] (the environment deploy-stack.yml runs the stack's job in).
  const environments = github?.environments ?? ["<stack>"];
  if (github && !(environments.length || github.branches?.length || github.pullRequests)) {
    add("identity.github", "names no environments, branches or pull requests: the CI identity could never sign in");
  }
  // Azure DevOps: the Entra issuer's subject is '<entra prefix>/sc/<organization id>/<connection id>';
  // the retiring issuer's is 'sc://<org>/<project>/<connection>' from https://vstoken.dev.azure.com/<organization id>
  // (Azure DevOps docs, "Troubleshoot workload identity service connections", issuer table).
  const ado = cfg.identity?.azureDevOps;
  if (ado) {
    if (!ado.organizationId) add("identity.azureDevOps.organizationId", "is required: both issuers name the organization by its id");
    if ((ado.issuer ?? "entra") === "entra") {
      if (!ado.tenantId) add("identity.azureDevOps.tenantId", "is required for the Entra issuer (https://login.microsoftonline.com/<tenantId>/v2.0)");
      if (!ado.entraSubjectPrefix) add("identity.azureDevOps.entraSubjectPrefix", "is required for the Entra issuer: copy the part before '/sc/' of the subject Azure DevOps shows for the connection");
      if (!ado.serviceConnectionId) add("identity.azureDevOps.serviceConnectionId", "is required for the Entra issuer: the subject ends with the connection's id");
    }
  }

  // Security options. Azure ML and Azure Storage accept a customer-managed key only from a vault with
  // soft delete and purge protection (MS Learn, "Customer-managed keys for Azure Machine Learning";
  // "Customer-managed keys for Azure Storage encryption").
  const purgeProtection = cfg.keyVault?.purgeProtection ?? ENVIRONMENT_DEFAULTS[environment].keyVaultPurgeProtection;
  const cmk = cfg.security?.customerManagedKeys ?? ENVIRONMENT_DEFAULTS[environment].customerManagedKeys;
  if (cmk && !purgeProtection) {
    if (cfg.security?.customerManagedKeys !== undefined) add("security.customerManagedKeys", "needs keyVault.purgeProtection: true (the key's vault must have purge protection)");
    else add("keyVault.purgeProtection", `must stay true while security.customerManagedKeys is on (its default in ${environment}); turn both off to use Microsoft-managed keys`);
  }
  const firewallSubnet = subnets.firewall;
  if (cfg.security?.egressFirewall) {
    if (!firewallSubnet) add("security.egressFirewall", "needs network.subnets.firewall (the AzureFirewallSubnet, /26 or larger)");
    if (mode !== "private") add("security.egressFirewall", "filters AKS egress in private network mode only");
    if (!servingOn) add("security.egressFirewall", "filters AKS egress: serving is off");
  }
  const fw = firewallSubnet ? parseCidr(firewallSubnet) : null;
  if (fw && fw.bits > 26) add("network.subnets.firewall", `Azure Firewall needs a /26 or larger AzureFirewallSubnet (found /${fw.bits})`);
  if (cfg.security?.flowLogs && !cfg.network?.addressSpace) add("security.flowLogs", "needs network.addressSpace: flow logs are recorded for the environment's virtual network");

  // Pipelines.
  const published = new Set(cfg.pipelines?.publish ?? []);
  const storeNames = new Set([...(cfg.datastores ?? []).map((d) => d.name), "training", "scoring", "toy"]);
  (cfg.pipelines?.schedules ?? []).forEach((s, i) => {
    if (!published.has(s.pipeline)) add(`pipelines.schedules[${i}].pipeline`, `'${s.pipeline}' is not in pipelines.publish`);
    if (s.dataset && !storeNames.has(s.dataset)) add(`pipelines.schedules[${i}].dataset`, `unknown datastore '${s.dataset}'`);
  });

  return problems;
}
