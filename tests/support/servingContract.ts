/**
 * Serving rules of Azure ML that the local server enforces (kept apart from the generic ARM store
 * so it merges on its own). Each rule names the document it follows:
 *
 * - An online deployment of a model that is not an MLflow model needs a scoring script
 *   (`codeConfiguration.scoringScript`) and an environment (`environmentId`): "Deploy MLflow models to
 *   online endpoints" (no-code deployment is for MLflow models only) and "Deploy and score a machine
 *   learning model by using an online endpoint"; on Kubernetes compute as well (Azure/mlops-v2#62).
 * - The code and environment a deployment names must exist, as must its model.
 * - Kubernetes online endpoints cannot deploy models from a registry ("Attach Kubernetes anywhere":
 *   models from an Azure ML registry aren't supported).
 * - An endpoint's traffic names existing deployments only and adds up to 100 (or nothing routed), and a
 *   deployment that takes traffic cannot be deleted ("Perform safe rollout of new deployments":
 *   traffic must be moved off a deployment before it is deleted).
 */

export interface ServingRefusal {
  status: number;
  code: string;
  message: string;
}

/** Looks a stored resource up by ARM id (case-insensitive); undefined when absent. */
export type StoreLookup = (path: string) => any;

const DEPLOYMENT = /^(.*\/onlineEndpoints\/[^/]+)\/deployments\/([^/]+)$/i;
const ONLINE_ENDPOINT = /^(.*\/workspaces\/[^/]+)\/onlineEndpoints\/([^/]+)$/i;

/** Strips the `azureml:` prefix a reference may carry. */
const armRef = (id: unknown) => (typeof id === "string" ? id.replace(/^azureml:/i, "") : undefined);
const refuse = (message: string, status = 400, code = "UserError"): ServingRefusal => ({ status, code, message });

export function servingContractRefusal(method: string, path: string, body: any, lookup: StoreLookup): ServingRefusal | undefined {
  const deployment = DEPLOYMENT.exec(path);
  if (deployment && method === "PUT") return deploymentRefusal(deployment[1], body, lookup);
  if (deployment && method === "DELETE") {
    const endpoint = lookup(deployment[1]);
    const share = Object.entries(endpoint?.properties?.traffic ?? {}).find(([d]) => d.toLowerCase() === deployment[2].toLowerCase())?.[1] as number | undefined;
    if (share && share > 0) return refuse(`Deployment '${deployment[2]}' takes ${share}% of the endpoint's traffic; move its traffic to another deployment before deleting it.`);
    return undefined;
  }
  const endpoint = ONLINE_ENDPOINT.exec(path);
  if (endpoint && (method === "PUT" || method === "PATCH")) return trafficRefusal(path, body?.properties?.traffic, lookup);
  return undefined;
}

function deploymentRefusal(endpointPath: string, body: any, lookup: StoreLookup): ServingRefusal | undefined {
  const p = body?.properties ?? {};
  const modelRef = armRef(p.model);
  const kubernetes = String(p.endpointComputeType ?? "").toLowerCase() === "kubernetes";
  if (kubernetes && modelRef && /^azureml:\/\/registries\//i.test(String(p.model))) {
    return refuse("Models from an Azure ML registry cannot be deployed to a Kubernetes online endpoint; register the model in the workspace.");
  }
  if (!lookup(endpointPath)) return refuse(`Online endpoint '${endpointPath.split("/").pop()}' could not be found.`, 404);
  let modelType = "custom_model";
  if (modelRef) {
    const model = lookup(modelRef);
    if (!model) return refuse(`Model '${modelRef}' could not be found.`);
    modelType = String(model.properties?.modelType ?? "custom_model").toLowerCase();
  }
  const code = p.codeConfiguration;
  const missing = [
    ...(code?.scoringScript ? [] : ["codeConfiguration.scoringScript"]),
    ...(p.environmentId ? [] : ["environmentId"]),
  ];
  if (modelType !== "mlflow_model" && missing.length > 0) {
    return refuse(`A deployment of a ${modelType} model needs a scoring script and an environment (missing: ${missing.join(", ")}); only MLflow models deploy without them.`);
  }
  for (const [key, ref] of [["codeConfiguration.codeId", armRef(code?.codeId)], ["environmentId", armRef(p.environmentId)]] as const) {
    if (ref && ref.startsWith("/") && !lookup(ref)) return refuse(`${key}: '${ref}' could not be found.`);
  }
  return undefined;
}

function trafficRefusal(endpointPath: string, traffic: Record<string, number> | undefined, lookup: StoreLookup): ServingRefusal | undefined {
  if (!traffic || Object.keys(traffic).length === 0) return undefined;
  const unknown = Object.keys(traffic).filter((d) => !lookup(`${endpointPath}/deployments/${d}`));
  if (unknown.length > 0) return refuse(`Traffic names deployments that do not exist: ${unknown.join(", ")}.`);
  const total = Object.values(traffic).reduce((n, v) => n + Number(v), 0);
  if (total !== 100 && total !== 0) return refuse(`Traffic percentages must add up to 100 (found ${total}).`);
  return undefined;
}

/**
 * Properties Azure computes for an online endpoint (`scoringUri`, `swaggerUri`, `openAPIUri`) are
 * read-only: a PUT that omits them (as a client must) keeps them. Returns the body to store.
 */
export function withComputedServingProperties(path: string, existing: any, next: any): any {
  if (!ONLINE_ENDPOINT.test(path) || !existing?.properties || !next?.properties) return next;
  const kept = Object.fromEntries(["scoringUri", "swaggerUri", "openAPIUri"].filter((k) => existing.properties[k] !== undefined && next.properties[k] === undefined).map((k) => [k, existing.properties[k]]));
  return { ...next, properties: { ...next.properties, ...kept } };
}
