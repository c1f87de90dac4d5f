/**
 * ML assets in a workspace left behind by branch stacks that no longer exist.
 *
 * Branch stacks publish into the dev workspace with the tags `branch`, `branch-slug` and `stack`
 * (the branch stack's name). An asset (component or model container, or one of its versions, or
 * a job) is stale when it carries `branch-slug` and its `stack` tag names a stack that is gone.
 *
 * Cleaning: Azure ML does not delete components or models (the CLI only archives them; archiving
 * a container archives every version), so they are archived with `isArchived: true`. Jobs are
 * cancelled when still active, then deleted.
 */
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";

import { shortStackName } from "./stackInputs";
import type { WorkspaceRef } from "../../../shared/workspace";

export type StaleAssetKind = "component" | "model" | "job";

export interface StaleAsset {
  kind: StaleAssetKind;
  name: string;
  /** Set for one version of a component or model; absent for a container or a job. */
  version?: string;
  /** The `stack` tag: the branch stack that published it. */
  stack: string;
  branchSlug: string;
  branch?: string;
  /** Jobs only: the status seen when listed. */
  status?: string;
  action: "archive" | "cancel-and-delete" | "delete";
}

export interface CleanResult {
  asset: StaleAsset;
  ok: boolean;
  error?: string;
}

const TERMINAL_JOB_STATUSES = new Set(["completed", "failed", "canceled"]);

interface Marker {
  stack: string;
  branchSlug: string;
  branch?: string;
}

/** The branch marker, when present and pointing at a stack that no longer exists. */
function deadBranchMarker(tags: Record<string, string | null> | undefined, liveStacks: Set<string>): Marker | undefined {
  const slug = tags?.["branch-slug"];
  const stack = tags?.stack;
  if (!slug || !stack || liveStacks.has(shortStackName(stack))) return undefined;
  return { stack, branchSlug: slug, branch: tags?.branch ?? undefined };
}

export async function findStaleAssets(
  client: AzureMachineLearningWorkspaces,
  ws: WorkspaceRef,
  liveStacks: Set<string>,
): Promise<StaleAsset[]> {
  const { resourceGroupName: rg, workspaceName: name } = ws;
  const stale: StaleAsset[] = [];

  for await (const job of client.jobs.list(rg, name)) {
    const marker = deadBranchMarker(job.properties?.tags, liveStacks);
    if (!marker || !job.name) continue;
    const status = job.properties?.status;
    const active = status !== undefined && !TERMINAL_JOB_STATUSES.has(status.toLowerCase());
    stale.push({ kind: "job", name: job.name, ...marker, status, action: active ? "cancel-and-delete" : "delete" });
  }

  for await (const c of client.componentContainers.list(rg, name)) {
    if (!c.name) continue;
    const marker = deadBranchMarker(c.properties?.tags, liveStacks);
    if (marker) {
      stale.push({ kind: "component", name: c.name, ...marker, action: "archive" });
      continue;
    }
    for await (const v of client.componentVersions.list(rg, name, c.name)) {
      const m = deadBranchMarker(v.properties?.tags, liveStacks);
      if (m && v.name) stale.push({ kind: "component", name: c.name, version: v.name, ...m, action: "archive" });
    }
  }

  for await (const c of client.modelContainers.list(rg, name)) {
    if (!c.name) continue;
    const marker = deadBranchMarker(c.properties?.tags, liveStacks);
    if (marker) {
      stale.push({ kind: "model", name: c.name, ...marker, action: "archive" });
      continue;
    }
    for await (const v of client.modelVersions.list(rg, name, c.name)) {
      const m = deadBranchMarker(v.properties?.tags, liveStacks);
      if (m && v.name) stale.push({ kind: "model", name: c.name, version: v.name, ...m, action: "archive" });
    }
  }
  return stale;
}

/**
 * Archives or deletes each asset; one failure does not stop the others. `pollIntervalMs` is the
 * long-running-operation poll interval for job cancel/delete (the SDK's default is 2 s).
 */
export async function cleanStaleAssets(
  client: AzureMachineLearningWorkspaces,
  ws: WorkspaceRef,
  assets: StaleAsset[],
  pollIntervalMs?: number,
): Promise<CleanResult[]> {
  const { resourceGroupName: rg, workspaceName: name } = ws;
  const lro = pollIntervalMs !== undefined ? { updateIntervalInMs: pollIntervalMs } : {};
  const results: CleanResult[] = [];
  for (const asset of assets) {
    try {
      if (asset.kind === "job") {
        if (asset.action === "cancel-and-delete") await client.jobs.beginCancelAndWait(rg, name, asset.name, lro);
        await client.jobs.beginDeleteAndWait(rg, name, asset.name, lro);
      } else if (asset.kind === "component") {
        if (asset.version) {
          const v = await client.componentVersions.get(rg, name, asset.name, asset.version);
          await client.componentVersions.createOrUpdate(rg, name, asset.name, asset.version, { properties: { ...v.properties, isArchived: true } });
        } else {
          const c = await client.componentContainers.get(rg, name, asset.name);
          await client.componentContainers.createOrUpdate(rg, name, asset.name, { properties: { ...c.properties, isArchived: true } });
        }
      } else if (asset.version) {
        const v = await client.modelVersions.get(rg, name, asset.name, asset.version);
        await client.modelVersions.createOrUpdate(rg, name, asset.name, asset.version, { properties: { ...v.properties, isArchived: true } });
      } else {
        const c = await client.modelContainers.get(rg, name, asset.name);
        await client.modelContainers.createOrUpdate(rg, name, asset.name, { properties: { ...c.properties, isArchived: true } });
      }
      results.push({ asset, ok: true });
    } catch (err) {
      results.push({ asset, ok: false, error: (err as Error).message });
    }
  }
  return results;
}
