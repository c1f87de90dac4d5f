/**
 * The Azure ML registry calls the registry strategy needs. `@azure/arm-machinelearning` 2.1.1 speaks
 * api-version 2022-10-01, which has no registries, so these two calls go through the same
 * core-rest-pipeline the SDK uses (retries, Retry-After capped, bearer token for ARM):
 *   - GET a registry model version through ARM (api-version 2024-04-01, spec
 *     `stable/2024-04-01/registries.json` RegistryModelVersions_Get);
 *   - POST `…/registries/{r}/import` on the registry's data plane (what `az ml model share` and
 *     azure-ai-ml `ModelOperations.share` call, api-version 2021-10-01-dataplanepreview, a long-running
 *     operation): the service copies the workspace version's files into the registry's storage; the
 *     client sends a few hundred bytes of JSON and moves no model bytes.
 * SDK modules are loaded inside functions so the dynamic provider serializes.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { AdditionalPolicyConfig } from "@azure/core-client";
import { API_VERSIONS, ArmJsonResponse, armPipeline, sendArmJson, waitForArmOperation } from "../shared/azure";

export const REGISTRY_ARM_API_VERSION = API_VERSIONS.machineLearningRegistries;
export const REGISTRY_DATAPLANE_API_VERSION = API_VERSIONS.machineLearningRegistryDataPlane;
/** Workspace jobs (stable/2024-10-01/mfe.json Jobs_CreateOrUpdate / Jobs_Get). */
export const JOB_API_VERSION = API_VERSIONS.machineLearningAssets;

export interface RegistryCoordinates {
  subscriptionId: string;
  resourceGroupName: string;
  registryName: string;
}

export interface RegistryModelVersion {
  id: string;
  name: string;
  properties: {
    modelUri?: string;
    modelType?: string;
    description?: string;
    tags?: Record<string, string>;
    properties?: Record<string, string>;
    isArchived?: boolean;
  };
}

/** `ResourceManagementAssetReferenceData`: which workspace asset to copy, under which name and version. */
export interface RegistryImportRequest {
  properties: { destinationName: string; destinationVersion: string; sourceAssetId: string };
}

export interface RegistryClient {
  /** The registry's model version, or undefined (404). */
  getModelVersion(registry: RegistryCoordinates, modelName: string, version: string): Promise<RegistryModelVersion | undefined>;
  /** Starts the service-side import and waits for its operation to succeed (throws when it fails). */
  importModel(registry: RegistryCoordinates, registryEndpoint: string, request: RegistryImportRequest): Promise<void>;
  /**
   * A workspace job by ARM path (`…/workspaces/{ws}/jobs/{name}`), or undefined. Through REST, not
   * the SDK: @azure/arm-machinelearning 2.1.1 serializes a `custom_model`/`mlflow_model` job input
   * without its `uri` (its CustomModelJobInput mapper's uberParent is AssetJobInput, so the
   * JobInput discriminator never selects it), which the service refuses.
   */
  getJob(jobPath: string): Promise<{ name: string; properties: { status?: string } } | undefined>;
  createJob(jobPath: string, body: unknown): Promise<{ name: string; properties: { status?: string } }>;
}

export interface RegistryClientOptions {
  credential: TokenCredential;
  armEndpoint: string;
  armPolicies?: AdditionalPolicyConfig[];
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  pollIntervalMs?: number;
  /** Upper bound on status polls (default 720: an hour at 5 s). */
  maxPolls?: number;
}

/** ARM path of a registry (and of what lies below it). */
export const registryPath = (r: RegistryCoordinates) =>
  `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroupName}/providers/Microsoft.MachineLearningServices/registries/${r.registryName}`;

/** The reference deployments and jobs use for a registry model version. */
export const registryModelUri = (registryName: string, modelName: string, version: string) =>
  `azureml://registries/${registryName}/models/${modelName}/versions/${version}`;

/** azure-ai-ml ASSET_ID_FORMAT: a workspace asset named by the workspace's GUID and region. */
export const workspaceAssetId = (location: string, workspaceGuid: string, modelName: string, version: string) =>
  `azureml://locations/${location}/workspaces/${workspaceGuid}/models/${modelName}/versions/${version}`;

const trim = (u: string) => u.replace(/\/+$/, "");

export function restRegistryClient(options: RegistryClientOptions): RegistryClient {
  // The registry data plane takes the same ARM token as Resource Manager (azure-ai-ml uses one
  // credential); requests go through the shared client layer (components/shared/azure.ts).
  const pipeline = armPipeline(options.armEndpoint, { credential: options.credential, armPolicies: options.armPolicies, retryOptions: options.retryOptions });
  const send = (method: "GET" | "POST" | "PUT", url: string, body?: unknown) => sendArmJson(pipeline, method, url, body);
  const fail = (what: string, r: ArmJsonResponse) => {
    const detail = typeof r.body === "string" ? r.body : (r.body?.error?.message ?? (r.body === undefined ? "" : JSON.stringify(r.body)));
    return Object.assign(new Error(`${what}: HTTP ${r.status}${detail ? ` ${detail}` : ""}`), { statusCode: r.status });
  };

  return {
    async getModelVersion(registry, modelName, version) {
      const url = `${trim(options.armEndpoint)}${registryPath(registry)}/models/${modelName}/versions/${version}?api-version=${REGISTRY_ARM_API_VERSION}`;
      const r = await send("GET", url);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw fail(`reading model '${modelName}' version '${version}' in registry '${registry.registryName}'`, r);
      return (r.body ?? {}) as RegistryModelVersion;
    },
    async getJob(jobPath) {
      const r = await send("GET", `${trim(options.armEndpoint)}${jobPath}?api-version=${JOB_API_VERSION}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw fail(`reading job ${jobPath}`, r);
      return r.body ?? {};
    },
    async createJob(jobPath, body) {
      const r = await send("PUT", `${trim(options.armEndpoint)}${jobPath}?api-version=${JOB_API_VERSION}`, body);
      if (r.status !== 200 && r.status !== 201) throw fail(`submitting job ${jobPath}`, r);
      return r.body ?? {};
    },
    async importModel(registry, registryEndpoint, request) {
      const what = `sharing model '${request.properties.destinationName}' version '${request.properties.destinationVersion}' into registry '${registry.registryName}'`;
      const url = `${trim(registryEndpoint)}${registryPath(registry)}/import?api-version=${REGISTRY_DATAPLANE_API_VERSION}`;
      const started = await send("POST", url, request);
      if (started.status !== 200 && started.status !== 201 && started.status !== 202) throw fail(what, started);
      await waitForArmOperation((u) => send("GET", u), { method: "POST", url, response: started }, { what, intervalInMs: options.pollIntervalMs ?? 5000, maxPolls: options.maxPolls });
    },
  };
}
