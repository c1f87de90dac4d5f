import type * as pulumi from "@pulumi/pulumi";
import { ArmRest } from "../shared/armRest";
import type { CodePlan, EnvironmentPlan } from "../mlAssets/assetPlans";
import { AssetClients, defaultClients, ensureAsset, findProjectRoot, uploadSnapshot } from "../mlAssets/publish";
import { codeRequest, environmentRequest } from "../mlAssets/restBodies";
import { assetVersionId, type WorkspaceRef } from "../../shared/workspace";

/**
 * Publishes what an online deployment of a non-MLflow model needs besides the model: the scoring
 * code and its environment ("Deploy MLflow models to online endpoints": only MLflow models deploy
 * without them; Azure/mlops-v2#62 for Kubernetes). It takes the same path as the pipeline publisher
 * (components/mlAssets: content-addressed snapshot, upload of missing files only, PUT only when an
 * asset differs), for two assets instead of a pipeline. Azure SDKs load inside those methods, as
 * Pulumi requires.
 */

export interface ScoringAssetsInputs {
  code: CodePlan;
  environment: EnvironmentPlan;
  /** Entry script inside the code folder, with `init()` and `run()`. */
  scoringScript: string;
  workspace: WorkspaceRef;
  storage: { blobEndpoint: string; container: string };
  armEndpoint: string;
  tags: Record<string, string>;
  /** ARM ids the deployment references (derived from the plan, so the plan shows them). */
  codeId: string;
  environmentId: string;
}

export interface ScoringAssetsOutputs extends ScoringAssetsInputs {
  /** What the last read found missing in Azure; empty when Azure holds both assets. */
  drift: string[];
}

export interface ScoringAssetsProviderOptions {
  clients?: AssetClients;
  /** Folder the code folder is relative to (default: the Pulumi project of the cwd). */
  root?: string;
}

const INPUT_KEYS = ["code", "environment", "scoringScript", "workspace", "storage", "armEndpoint", "tags", "codeId", "environmentId"] as const;

export function scoringAssetIds(ws: WorkspaceRef, code: CodePlan, environment: EnvironmentPlan): { codeId: string; environmentId: string } {
  return {
    codeId: assetVersionId(ws, "codes", code.name, code.version),
    environmentId: assetVersionId(ws, "environments", environment.name, environment.version),
  };
}

export class ScoringAssetsProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly options: ScoringAssetsProviderOptions = {}) {}

  async check(_olds: unknown, news: ScoringAssetsInputs): Promise<pulumi.dynamic.CheckResult> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const key of ["subscriptionId", "resourceGroupName", "workspaceName"] as const) {
      if (!news.workspace?.[key]) failures.push({ property: `workspace.${key}`, reason: "is required" });
    }
    for (const key of ["blobEndpoint", "container"] as const) if (!news.storage?.[key]) failures.push({ property: `storage.${key}`, reason: "is required" });
    if (!/^[A-Za-z0-9_./-]+\.py$/.test(news.scoringScript ?? "")) failures.push({ property: "scoringScript", reason: `must be a .py file in the code folder, found ${JSON.stringify(news.scoringScript)}` });
    return { inputs: news, failures };
  }

  /** Pure: compares recorded outputs with new inputs, never calls Azure. */
  async diff(_id: string, olds: ScoringAssetsOutputs, news: ScoringAssetsInputs): Promise<pulumi.dynamic.DiffResult> {
    const changed: string[] = INPUT_KEYS.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    if ((olds.drift ?? []).length > 0) changed.push("drift");
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: ScoringAssetsInputs): Promise<pulumi.dynamic.CreateResult<ScoringAssetsOutputs>> {
    await this.publish(inputs);
    return { id: inputs.codeId, outs: { ...inputs, drift: [] } };
  }

  async update(_id: string, _olds: ScoringAssetsOutputs, news: ScoringAssetsInputs): Promise<pulumi.dynamic.UpdateResult<ScoringAssetsOutputs>> {
    await this.publish(news);
    return { outs: { ...news, drift: [] } };
  }

  async read(id: string, props: ScoringAssetsOutputs): Promise<pulumi.dynamic.ReadResult<ScoringAssetsOutputs>> {
    const { arm } = this.clientsFor(props);
    const drift: string[] = [];
    if (!(await arm.get(props.codeId))) drift.push(`code ${props.code.name}:${props.code.version}: missing`);
    if (!(await arm.get(props.environmentId))) drift.push(`environment ${props.environment.name}:${props.environment.version}: missing`);
    const inputs = Object.fromEntries(INPUT_KEYS.map((k) => [k, props[k]])) as unknown as ScoringAssetsOutputs;
    return { id, props: { ...props, drift }, inputs };
  }

  /**
   * Keeps the asset versions: they are immutable, content-addressed and may still back a deployment
   * (a rolled-back one); the drift audit's stale-asset listing finds them by their tags.
   */
  async delete(): Promise<void> {}

  private async publish(inputs: ScoringAssetsInputs): Promise<void> {
    const { arm, container } = this.clientsFor(inputs);
    const root = this.options.root ?? findProjectRoot(process.cwd(), [inputs.code.folder]);
    await uploadSnapshot(container, inputs.code, root);
    await ensureAsset(arm, codeRequest(inputs.workspace, inputs.code, inputs.storage, inputs.tags));
    await ensureAsset(arm, environmentRequest(inputs.workspace, inputs.environment, inputs.tags));
  }

  private clientsFor(inputs: Pick<ScoringAssetsInputs, "armEndpoint" | "workspace" | "storage">) {
    const clients = this.options.clients ?? defaultClients();
    return {
      arm: new ArmRest(clients.arm(inputs.armEndpoint, inputs.workspace.subscriptionId), inputs.armEndpoint),
      container: clients.container(inputs.storage.blobEndpoint, inputs.storage.container),
    };
  }
}
