/**
 * Dynamic provider for `mlops:RegistryModel` (the registry strategy, docs/promotion.md). `diff` is
 * pure; every other method reaches Azure through the injected client factory.
 */
import type * as pulumi from "@pulumi/pulumi";
import { azureClients, PromotionClientFactory, PromotionClients } from "./clients";
import { inspectRegistryModel, promoteViaRegistry, RegistryModelInputs, RegistryModelOutputs, retireRegistryModel } from "./registryPromotion";
import { DEFAULTS } from "./types";

/** A different model version, registry or import target is a different thing: replace. */
const REPLACE_PATHS = [
  "modelName",
  "version",
  "registry.subscriptionId",
  "registry.resourceGroupName",
  "registry.registryName",
  "workspaceImport.target.subscriptionId",
  "workspaceImport.target.resourceGroupName",
  "workspaceImport.target.workspaceName",
];
const UPDATE_PATHS = [
  "source.subscriptionId",
  "source.resourceGroupName",
  "source.workspaceName",
  "registryEndpoint",
  "armEndpoint",
  "workspaceImport.computeName",
  "workspaceImport.environmentId",
  "workspaceImport.targetPathPrefix",
  "workspaceImport.target.datastoreName",
  "expectedContentHash",
  "archiveOnDelete",
];
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
/** Registry names (stable/2024-04-01/registries.json RegistryNameParameter). */
const REGISTRY = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const at = (obj: any, path: string): unknown => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

export function registryInputs(news: any): RegistryModelInputs {
  const wi = news.workspaceImport;
  return {
    modelName: news.modelName,
    version: news.version,
    source: news.source,
    registry: news.registry,
    registryEndpoint: news.registryEndpoint,
    armEndpoint: news.armEndpoint ?? DEFAULTS.armEndpoint,
    archiveOnDelete: news.archiveOnDelete ?? true,
    ...(wi
      ? {
          workspaceImport: {
            target: { ...wi.target, datastoreName: wi.target?.datastoreName ?? DEFAULTS.datastoreName },
            computeName: wi.computeName,
            environmentId: wi.environmentId,
            targetPathPrefix: wi.targetPathPrefix ?? DEFAULTS.targetPathPrefix,
            blobEndpointTemplate: wi.blobEndpointTemplate ?? DEFAULTS.blobEndpointTemplate,
          },
        }
      : {}),
    ...(news.expectedContentHash ? { expectedContentHash: news.expectedContentHash } : {}),
    ...(news.approvals ? { approvals: news.approvals } : {}),
    ...(news.maxJobPolls ? { maxJobPolls: news.maxJobPolls } : {}),
  };
}

export function validateRegistryInputs(i: RegistryModelInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const need = (path: string, test: (v: any) => boolean, reason: string) => {
    const v = at(i, path);
    if (v === UNKNOWN) return;
    if (!test(v)) failures.push({ property: path, reason: `${reason}, got ${JSON.stringify(v)}` });
  };
  const text = (v: any) => typeof v === "string" && v.length > 0;
  need("modelName", (v) => typeof v === "string" && NAME.test(v), "must match ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$");
  need("version", (v) => typeof v === "string" && VERSION.test(v), "must be a model version such as 7");
  for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"]) need(`source.${key}`, text, "must be a non-empty string");
  for (const key of ["subscriptionId", "resourceGroupName"]) need(`registry.${key}`, text, "must be a non-empty string");
  need("registry.registryName", (v) => typeof v === "string" && REGISTRY.test(v), "must be a registry name (3–33 letters, digits, - or _, letter or digit first)");
  need("registryEndpoint", (v) => typeof v === "string" && /^https:\/\/[^/]+/.test(v), "must be the registry's https data-plane URL (https://<region>.api.azureml.ms)");
  need("armEndpoint", (v) => typeof v === "string" && /^https:\/\/[^/]+/.test(v), "must be an https URL");
  need("expectedContentHash", (v) => v === undefined || (typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)), "must be a content hash sha256:<64 hex digits>");
  if (i.workspaceImport) {
    for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"]) need(`workspaceImport.target.${key}`, text, "must be a non-empty string");
    need("workspaceImport.computeName", text, "must name a compute in the target workspace");
    need("workspaceImport.environmentId", text, "must name the import job's environment");
    need("workspaceImport.targetPathPrefix", (v) => typeof v === "string" && !/^\/|\/$/.test(v), "must be a blob folder without leading or trailing /");
  }
  return failures;
}

export class RegistryModelProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly clientFactory?: PromotionClientFactory) {}

  private clients(inputs: { armEndpoint: string }): PromotionClients {
    const settings = { armEndpoint: inputs.armEndpoint };
    return this.clientFactory ? this.clientFactory(settings) : azureClients(settings);
  }

  async check(_olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
    const inputs = registryInputs(news);
    return { inputs, failures: validateRegistryInputs(inputs) };
  }

  async diff(_id: string, olds: any, news: any): Promise<pulumi.dynamic.DiffResult> {
    const next = registryInputs(news);
    const prev = registryInputs(olds);
    const differs = (path: string) => JSON.stringify(at(prev, path) ?? null) !== JSON.stringify(at(next, path) ?? null);
    const replaces = REPLACE_PATHS.filter(differs);
    const updates = UPDATE_PATHS.filter(differs);
    return { changes: replaces.length > 0 || updates.length > 0 || olds.filesIntact === false, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: any): Promise<pulumi.dynamic.CreateResult> {
    const i = registryInputs(inputs);
    const outs = await promoteViaRegistry(i, this.clients(i));
    return { id: outs.modelId ?? outs.registryModelId, outs };
  }

  async read(id: string, props: any): Promise<pulumi.dynamic.ReadResult> {
    const outs = { ...(props as RegistryModelOutputs), ...registryInputs(props) };
    const seen = await inspectRegistryModel(outs, this.clients(outs));
    if (!seen.present) return {};
    return { id, props: { ...props, filesIntact: seen.filesIntact }, inputs: registryInputs(props) };
  }

  async update(_id: string, _olds: any, news: any): Promise<pulumi.dynamic.UpdateResult> {
    const i = registryInputs(news);
    return { outs: await promoteViaRegistry(i, this.clients(i)) };
  }

  async delete(_id: string, props: any): Promise<void> {
    const outs = { ...(props as RegistryModelOutputs), ...registryInputs(props) };
    await retireRegistryModel(outs, this.clients(outs));
  }
}
