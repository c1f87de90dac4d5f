import type { EnvironmentName, RawConfig } from "./types";
import type { SchemaProblem } from "../../shared/schemaErrors";
import { networkModeOf } from "./defaults";

/**
 * Regions where ACR Tasks agent pools (preview) run. MS Learn, "Run an ACR task on a dedicated agent
 * pool", preview limitations: Linux only, Premium registries only, a default quota of 16 vCPU per
 * registry for standard pools, and these regions.
 */
export const AGENT_POOL_REGIONS = [
  "westus2", "southcentralus", "eastus2", "eastus", "centralus", "westeurope", "northeurope",
  "canadacentral", "eastasia", "switzerlandnorth", "usgovarizona", "usgovtexas", "usgovvirginia",
];

/**
 * A workload-profiles Container Apps environment needs a dedicated subnet of at least /27, delegated
 * to Microsoft.App/environments (MS Learn, "Virtual network configuration" for Azure Container Apps,
 * subnet sizes; the Consumption-only environment would need /23).
 */
export const CONTAINER_APPS_MIN_PREFIX = 27;

function prefixLength(cidr: string): number | null {
  const m = /\/(\d{1,2})$/.exec(cidr);
  return m ? Number(m[1]) : null;
}

/** Cross-field rules of `mlops:customImage` (key paths relative to the project namespace). */
export function customImageProblems(cfg: RawConfig, environment: EnvironmentName, isBranchStack: boolean): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const ci = cfg.customImage;
  const subnets = cfg.network?.subnets ?? {};
  const on = ci?.enabled === true;
  if (!on) {
    if (subnets.containerApps) add("network.subnets.containerApps", "is set but customImage.enabled is not true");
    if (subnets.imageBuild) add("network.subnets.imageBuild", "is set but customImage.enabled is not true");
    return problems;
  }
  // Branch stacks share dev's workspace and serve nothing: the key is ignored there.
  if (isBranchStack) return problems;

  if (environment === "dev") add("customImage.enabled", "serves a promoted model: qa and prod stacks only (dev promotes nothing)");
  const models = (cfg.promotion?.models ?? []).map((m) => m.name);
  if (environment !== "dev" && models.length === 0) add("promotion.models", "is empty but customImage serves a promoted model: list the model to serve");
  if (ci.model && models.length > 0 && !models.includes(ci.model)) add("customImage.model", `'${ci.model}' is not in promotion.models (known: ${models.join(", ")})`);
  if ((ci.minReplicas ?? 1) > (ci.maxReplicas ?? 3)) add("customImage.minReplicas", `must be ≤ maxReplicas (${ci.minReplicas ?? 1} > ${ci.maxReplicas ?? 3})`);

  if (!cfg.network?.addressSpace) add("network.addressSpace", "is required when customImage is enabled (Container Apps run in the environment's own network)");
  const apps = subnets.containerApps;
  if (!apps) add("network.subnets.containerApps", `is required when customImage is enabled (a dedicated /${CONTAINER_APPS_MIN_PREFIX} or larger subnet for the Container Apps environment)`);
  else {
    const bits = prefixLength(apps);
    if (bits !== null && bits > CONTAINER_APPS_MIN_PREFIX) add("network.subnets.containerApps", `is /${bits}: a Container Apps environment with workload profiles needs /${CONTAINER_APPS_MIN_PREFIX} or larger`);
  }

  const mode = networkModeOf(cfg, environment);
  if (mode === "private") {
    // The registry and storage are closed to the shared ACR Tasks builders: builds run on an agent
    // pool inside the environment's network, which needs a Premium registry.
    if (!subnets.imageBuild) add("network.subnets.imageBuild", "is required when customImage is enabled in private mode (the ACR Tasks agent pool's subnet)");
    if (cfg.registry?.sku && cfg.registry.sku !== "Premium") add("registry.sku", `is ${cfg.registry.sku}: ACR Tasks agent pools need a Premium registry`);
    const location = (cfg.location ?? "").toLowerCase();
    if (location && !AGENT_POOL_REGIONS.includes(location)) {
      add("customImage.enabled", `needs an ACR Tasks agent pool in private mode, available (preview) only in ${AGENT_POOL_REGIONS.join(", ")}; location is '${cfg.location}'`);
    }
  } else if (subnets.imageBuild) {
    add("network.subnets.imageBuild", "is used only in private mode (public registries build on ACR Tasks' shared agents)");
  }
  return problems;
}
