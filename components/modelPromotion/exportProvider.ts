/**
 * Dynamic provider for `mlops:ExportedModel` (known-location export). Same rules as the promotion
 * provider: `diff` is pure, `read` re-checks the files, Azure is reached through the client factory.
 */
import type * as pulumi from "@pulumi/pulumi";
import { azureClients, PromotionClientFactory, PromotionClients } from "./clients";
import { exportModel, ExportedModelInputs, ExportedModelOutputs, inspectExport, removeExport } from "./exportModel";
import { DEFAULTS } from "./types";

const REPLACE_PATHS = ["modelName", "version", "target.storageAccountName", "target.containerName", "target.pathPrefix"];
const UPDATE_PATHS = ["source.subscriptionId", "source.resourceGroupName", "source.workspaceName", "expectedContentHash", "armEndpoint", "blobEndpointTemplate", "copyConcurrency", "deleteFilesOnDelete"];
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const at = (obj: any, path: string): unknown => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

export function exportDefaults(news: any): ExportedModelInputs {
  return {
    modelName: news.modelName,
    version: news.version,
    source: news.source,
    target: { ...news.target, pathPrefix: news.target?.pathPrefix ?? "models" },
    ...(news.expectedContentHash ? { expectedContentHash: news.expectedContentHash } : {}),
    armEndpoint: news.armEndpoint ?? DEFAULTS.armEndpoint,
    blobEndpointTemplate: news.blobEndpointTemplate ?? DEFAULTS.blobEndpointTemplate,
    copyConcurrency: news.copyConcurrency ?? DEFAULTS.copyConcurrency,
    deleteFilesOnDelete: news.deleteFilesOnDelete ?? false,
  };
}

export function validateExport(i: ExportedModelInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const need = (path: string, test: (v: any) => boolean, reason: string) => {
    const v = at(i, path);
    if (v !== UNKNOWN && !test(v)) failures.push({ property: path, reason: `${reason}, got ${JSON.stringify(v)}` });
  };
  need("modelName", (v) => typeof v === "string" && /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/.test(v), "must be a model name");
  need("version", (v) => typeof v === "string" && /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/.test(v), "must be a model version such as 7");
  for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"]) need(`source.${key}`, (v) => typeof v === "string" && v.length > 0, "must be a non-empty string");
  need("target.storageAccountName", (v) => typeof v === "string" && /^[a-z0-9]{3,24}$/.test(v), "must be a storage account name (3-24 lowercase letters and digits)");
  need("target.containerName", (v) => typeof v === "string" && /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(v), "must be a blob container name (3-63 lowercase letters, digits, single hyphens)");
  need("target.pathPrefix", (v) => typeof v === "string" && !/^\/|\/$/.test(v), "must be a blob folder without leading or trailing /");
  need("expectedContentHash", (v) => v === undefined || (typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)), "must be sha256:<64 hex digits>");
  need("copyConcurrency", (v) => Number.isInteger(v) && v >= 1 && v <= 64, "must be an integer from 1 to 64");
  return failures;
}

export class ExportedModelProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly clientFactory?: PromotionClientFactory) {}

  private clients(i: { armEndpoint: string }): PromotionClients {
    return this.clientFactory ? this.clientFactory({ armEndpoint: i.armEndpoint }) : azureClients({ armEndpoint: i.armEndpoint });
  }

  async check(_olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
    const inputs = exportDefaults(news);
    return { inputs, failures: validateExport(inputs) };
  }

  async diff(_id: string, olds: any, news: any): Promise<pulumi.dynamic.DiffResult> {
    const next = exportDefaults(news);
    const prev = exportDefaults(olds);
    const differs = (p: string) => JSON.stringify(at(prev, p) ?? null) !== JSON.stringify(at(next, p) ?? null);
    const replaces = REPLACE_PATHS.filter(differs);
    return { changes: replaces.length > 0 || UPDATE_PATHS.some(differs) || olds.filesIntact === false, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: any): Promise<pulumi.dynamic.CreateResult> {
    const i = exportDefaults(inputs);
    const outs = await exportModel(i, this.clients(i));
    return { id: outs.url, outs };
  }

  async read(id: string, props: any): Promise<pulumi.dynamic.ReadResult> {
    const outs = props as ExportedModelOutputs;
    const inputs = exportDefaults(props);
    const problems = await inspectExport({ ...outs, ...inputs }, this.clients(inputs));
    if (!problems) return {};
    return { id, props: { ...outs, ...inputs, filesIntact: problems.length === 0, fileProblems: problems }, inputs };
  }

  async update(_id: string, olds: any, news: any): Promise<pulumi.dynamic.UpdateResult> {
    const i = exportDefaults(news);
    return { outs: await exportModel(i, this.clients(i), (olds as Partial<ExportedModelOutputs>).targetEtags) };
  }

  async delete(_id: string, props: any): Promise<void> {
    const o = { ...(props as ExportedModelOutputs), ...exportDefaults(props) };
    await removeExport(o, this.clients(o));
  }
}
