import { ArmRest, RequestSender } from "../../components/shared/armRest";
import type { TokenCredential } from "@azure/core-auth";
import { API_VERSIONS, armPipeline, AzureClientOptions, defaultCredential } from "../../components/shared/azure";
import type { WorkspaceRef } from "../../shared/workspace";

/**
 * The steps of a pipeline job, read from the Azure ML run history data plane: the ARM jobs API
 * reports only the pipeline job's own status, while each step runs as a child run of it.
 *
 * Contract (Azure/azure-rest-api-specs, specification/machinelearningservices/data-plane/
 * Microsoft.MachineLearningServices.RunHistory/stable/v1.0/run-history.json):
 *   GET {endpoint}/history/v1.0/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/
 *       providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/experiments/
 *       {experimentName}/runs/{runId}/children?api-version=v1.0   (operationId Runs_GetChildByExperimentName)
 *   → 200 PaginatedRunList { value: Run[], continuationToken?, nextLink? };
 *   Run: runId, parentRunId, status, displayName, name, startTimeUtc, endTimeUtc, error (ErrorResponse);
 *   security: OAuth2 scope https://ml.azure.com/.default; `api-version` is a required query parameter
 *   (Azure.Core.Foundations.ApiVersionParameter), the spec's version is `v1.0`.
 * `{endpoint}` is the workspace's regional Azure ML API host: the origin of the workspace's
 * `properties.discoveryUrl` (ARM Workspace, stable/2024-10-01/workspaceRP.json), e.g.
 * `https://westeurope.api.azureml.ms`.
 */
export const RUN_HISTORY_API_VERSION = API_VERSIONS.machineLearningRunHistory;
export const RUN_HISTORY_SCOPE = "https://ml.azure.com/.default";
/** A pipeline's steps fit in a page or two; more pages than this is a loop, not a pipeline. */
const MAX_PAGES = 20;
/** The published job wraps the pipeline component as one node whose children are the steps. */
const MAX_DEPTH = 2;

export interface StepRun {
  /** `node/step` for a step inside a sub-pipeline node, else the node's name. */
  name: string;
  runId: string;
  status: string;
  startTimeUtc?: string;
  endTimeUtc?: string;
  /** The step's error message when it failed. */
  error?: string;
}

interface RunRecord {
  runId?: string;
  status?: string;
  displayName?: string;
  name?: string;
  startTimeUtc?: string;
  endTimeUtc?: string;
  error?: { error?: { message?: string } };
}

const TERMINAL = new Set(["Completed", "Failed", "Canceled", "NotResponding"]);

/** A request sender for the Azure ML data plane: bearer token for https://ml.azure.com, SDK retries. */
export function createRunHistorySender(credential: TokenCredential = defaultCredential(), additionalPolicies: AzureClientOptions["armPolicies"] = []): RequestSender {
  // The data-plane audience instead of ARM's; the same retries and Retry-After cap.
  return armPipeline(RUN_HISTORY_SCOPE.replace(/\/\.default$/, ""), { credential, armPolicies: additionalPolicies });
}

/** The regional API host of a workspace (ARM GET of the workspace), or undefined when it has none. */
export function historyEndpointOf(workspace: { properties?: { discoveryUrl?: string } } | undefined): string | undefined {
  const url = workspace?.properties?.discoveryUrl;
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class RunHistory {
  private readonly rest: ArmRest;
  /** Children of finished nodes whose steps have all finished: never asked for again. */
  private readonly settled = new Map<string, StepRun[]>();

  constructor(sender: RequestSender, endpoint: string) {
    this.rest = new ArmRest(sender, endpoint, RUN_HISTORY_API_VERSION);
  }

  /** Every step of the run, depth-first in the order Azure lists them; [] before the run is known. */
  async steps(ws: WorkspaceRef, experimentName: string, runId: string): Promise<StepRun[]> {
    return this.walk(ws, experimentName, runId, "", 1);
  }

  private async walk(ws: WorkspaceRef, experimentName: string, runId: string, prefix: string, depth: number): Promise<StepRun[]> {
    const steps: StepRun[] = [];
    for (const child of await this.children(ws, experimentName, runId)) {
      const name = `${prefix}${child.displayName || child.name || child.runId}`;
      const step: StepRun = {
        name,
        runId: String(child.runId),
        status: child.status ?? "NotStarted",
        ...(child.startTimeUtc ? { startTimeUtc: child.startTimeUtc } : {}),
        ...(child.endTimeUtc ? { endTimeUtc: child.endTimeUtc } : {}),
        ...(child.error?.error?.message ? { error: child.error.error.message } : {}),
      };
      let inner: StepRun[] = [];
      if (depth < MAX_DEPTH) {
        inner = this.settled.get(step.runId) ?? (await this.walk(ws, experimentName, step.runId, `${name}/`, depth + 1));
        if (TERMINAL.has(step.status) && inner.every((s) => TERMINAL.has(s.status))) this.settled.set(step.runId, inner);
      }
      // A sub-pipeline node shows as its steps; a plain step as itself.
      if (inner.length > 0) steps.push(...inner);
      else steps.push(step);
    }
    return steps;
  }

  private async children(ws: WorkspaceRef, experimentName: string, runId: string): Promise<RunRecord[]> {
    const path =
      `/history/v1.0/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroupName}/providers/Microsoft.MachineLearningServices` +
      `/workspaces/${ws.workspaceName}/experiments/${encodeURIComponent(experimentName)}/runs/${encodeURIComponent(runId)}/children`;
    const runs: RunRecord[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.rest.send("GET", path, undefined, token ? { $continuationtoken: token } : {});
      // The run history record follows the job's creation: unknown yet means no steps yet.
      if (res.status === 404) return runs;
      if (res.status < 200 || res.status >= 300) {
        const e = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new Error(`run history answered ${res.status}${e?.code ? ` ${e.code}` : ""}${e?.message ? `: ${e.message}` : ""}`);
      }
      const body = res.body as { value?: RunRecord[]; continuationToken?: string } | undefined;
      runs.push(...(body?.value ?? []));
      token = body?.continuationToken || undefined;
      if (!token) return runs;
    }
    return runs;
  }
}
