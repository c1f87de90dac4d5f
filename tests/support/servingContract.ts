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
 * (Endpoint traffic rules and deleting a deployment that takes traffic are the server's own contract.)
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
  return DEPLOYMENT.test(path) && method === "PUT" ? deploymentRefusal(body, lookup) : undefined;
}

function deploymentRefusal(body: any, lookup: StoreLookup): ServingRefusal | undefined {
  const p = body?.properties ?? {};
  const modelRef = armRef(p.model);
  const kubernetes = String(p.endpointComputeType ?? "").toLowerCase() === "kubernetes";
  if (kubernetes && modelRef && /^azureml:\/\/registries\//i.test(String(p.model))) {
    return refuse("Models from an Azure ML registry cannot be deployed to a Kubernetes online endpoint; register the model in the workspace.");
  }
  // The rule is about the model's type: a deployment that names no model is the server's generic contract.
  if (!modelRef) return undefined;
  const model = lookup(modelRef);
  if (!model) return refuse(`Model '${modelRef}' could not be found.`);
  const modelType = String(model.properties?.modelType ?? "custom_model").toLowerCase();
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

/**
 * Properties Azure computes for an online endpoint (`scoringUri`, `swaggerUri`, `openAPIUri`) are
 * read-only: a PUT that omits them (as a client must) keeps them. Returns the body to store.
 */
export function withComputedServingProperties(path: string, existing: any, next: any): any {
  if (!ONLINE_ENDPOINT.test(path) || !existing?.properties || !next?.properties) return next;
  const kept = Object.fromEntries(["scoringUri", "swaggerUri", "openAPIUri"].filter((k) => existing.properties[k] !== undefined && next.properties[k] === undefined).map((k) => [k, existing.properties[k]]));
  return { ...next, properties: { ...next.properties, ...kept } };
}
