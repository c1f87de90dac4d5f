import { REGION_PAIRS } from "./regionPairs";
import type { EnvironmentName, RawConfig } from "./types";
import { privateClusterOf } from "./defaults";
import type { SchemaProblem } from "../../shared/schemaErrors";

/** Secret config keys (top level, `pulumi config set --secret`) holding the inference router's PEM certificate and key. */
export const TLS_SECRET_KEYS = { certificate: "servingTlsCertificate", key: "servingTlsKey" } as const;
/** Secret config key holding the token Flux reads a private instance-type repository with. */
export const GITOPS_HTTPS_KEY = "gitopsHttpsKey";

/** Folder of a stack's instance-type manifest in this repository, which Flux applies to its cluster. */
export const instanceTypeManifestFolder = (stack: string) => `deploy/instance-types/${stack}`;

/** The instance type the service creates on attach ("Create and manage instance types"). */
export const DEFAULT_INSTANCE_TYPE = "defaultinstancetype";

/**
 * Serving rules JSON Schema cannot express (key paths relative to the project namespace). Called
 * for environments with serving on.
 */
export function servingProblems(cfg: RawConfig, environment: EnvironmentName): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const s = cfg.serving ?? {};
  const raw = cfg as Record<string, unknown>;

  // The extension refuses insecure connections; the CLI passes the certificate as protected settings.
  for (const key of [TLS_SECRET_KEYS.certificate, TLS_SECRET_KEYS.key]) {
    if (typeof raw[key] !== "string" || raw[key] === "") {
      add(key, `is required when serving is enabled: the inference router's PEM ${key === TLS_SECRET_KEYS.key ? "private key" : "certificate"} for serving.tls.cname (pulumi config set --secret ${key} < file.pem)`);
    }
  }

  // "Deploy Azure Machine Learning extension on AKS" (limitations): with authorized IP ranges the API
  // server must admit the Azure ML control plane of the region pair, or the machine learning pods
  // can't be deployed. The ranges are the service tag AzureMachineLearning.<Region> of the published
  // "Azure IP Ranges and Service Tags" file.
  const isPrivate = privateClusterOf(s, environment);
  if (!isPrivate && cfg.location) {
    const region = cfg.location.toLowerCase().replace(/\s+/g, "");
    const pair = s.pairedRegion ?? REGION_PAIRS[region];
    const given = s.azureMlControlPlaneRanges ?? {};
    if (!pair) add("serving.pairedRegion", `is required: no pair is known for region '${region}' (set the paired region whose Azure ML control plane must reach the API server)`);
    const missing = [region, ...(pair ? [pair] : [])].filter((r) => !(given[r]?.length > 0));
    if (missing.length > 0) {
      add(
        "serving.azureMlControlPlaneRanges",
        `must list the Azure ML control-plane ranges of ${missing.map((r) => `'${r}' (service tag AzureMachineLearning.${r})`).join(" and ")}: with a public API server, authorized IP ranges that miss them keep the Azure ML extension from deploying; or set serving.privateCluster: true`,
      );
    }
  }

  // Instance types are custom resources in the cluster ("Create and manage instance types"): Flux
  // applies them from the repository (serving.gitops), or the team applies them itself.
  const types = s.instanceTypes ?? [];
  if (types.length > 0 && !s.gitops && s.instanceTypesInCluster !== true) {
    add("serving.gitops", `is required when serving.instanceTypes are listed: instance types are custom resources in the cluster, which Flux applies from the repository's deploy/instance-types folder (or set serving.instanceTypesInCluster: true if you apply them yourself; or use '${DEFAULT_INSTANCE_TYPE}', which the service creates on attach)`);
  }
  // A private repository: Flux authenticates over HTTPS with a user and token (az k8s-configuration
  // flux --https-user/--https-key; the key travels base64-encoded in the configuration's protected
  // settings, Azure/azure-cli-extensions k8s-configuration FluxConfigurationProvider.py).
  const hasKey = typeof raw[GITOPS_HTTPS_KEY] === "string" && raw[GITOPS_HTTPS_KEY] !== "";
  if (s.gitops?.httpsUser && !hasKey) add(GITOPS_HTTPS_KEY, `is required when serving.gitops.httpsUser is set: the token Flux reads the repository with (pulumi config set --secret ${GITOPS_HTTPS_KEY} <token>)`);
  if (hasKey && !s.gitops?.httpsUser) add("serving.gitops.httpsUser", `is required when ${GITOPS_HTTPS_KEY} is set: Flux sends the token as this user's password`);

  const it = s.onlineEndpoint?.instanceType;
  if (it && it !== DEFAULT_INSTANCE_TYPE && types.length === 0) add("serving.onlineEndpoint.instanceType", `'${it}' is not an instance type of this cluster: list it in serving.instanceTypes or use '${DEFAULT_INSTANCE_TYPE}'`);

  const steps = s.rollout?.steps;
  if (steps && (steps[steps.length - 1] !== 100 || steps.some((v, i) => i > 0 && v <= steps[i - 1]))) {
    add("serving.rollout.steps", `must rise strictly and end at 100 (found ${JSON.stringify(steps)})`);
  }
  return problems;
}
