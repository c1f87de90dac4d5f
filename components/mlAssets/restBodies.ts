import type { CodePlan, EnvironmentPlan } from "./assetPlans";
import { assetVersionId, type WorkspaceRef } from "../../shared/workspace";

/**
 * The exact ARM request bodies of code and environment asset versions (api-version
 * `API_VERSIONS.machineLearningAssets`, components/shared/azure.ts). Pure: the same plan, workspace
 * and tags always give the same bytes, which tests pin. The pipeline publisher adds its component
 * and pipeline bodies (pipelines/publisher/restBodies.ts).
 */

export interface AssetRequest {
  kind: "code" | "environment" | "component" | "pipeline";
  name: string;
  version: string;
  /** ARM path of the asset version. */
  path: string;
  body: { properties: Record<string, unknown> };
}

/** Azure ML tag for the content hash an asset was published from; `read` compares it. */
export const CONTENT_HASH_TAG = "content-hash";

/** `https://acct.blob.core.windows.net` + `container` + `a/b` → one URL without doubled slashes. */
export function blobUrl(blobEndpoint: string, container: string, blobPath: string): string {
  return `${blobEndpoint.replace(/\/+$/, "")}/${container}/${blobPath.replace(/^\/+/, "")}`;
}

export function codeRequest(
  ws: WorkspaceRef,
  code: CodePlan,
  storage: { blobEndpoint: string; container: string },
  tags: Record<string, string>,
): AssetRequest {
  return {
    kind: "code",
    name: code.name,
    version: code.version,
    path: assetVersionId(ws, "codes", code.name, code.version),
    body: {
      properties: {
        codeUri: blobUrl(storage.blobEndpoint, storage.container, code.blobPrefix),
        description: `Snapshot of ${code.folder} (${code.files} files)`,
        isAnonymous: false,
        isArchived: false,
        properties: { "sha256": code.hash },
        tags: { ...tags, [CONTENT_HASH_TAG]: code.version },
      },
    },
  };
}

export function environmentRequest(ws: WorkspaceRef, env: EnvironmentPlan, tags: Record<string, string>): AssetRequest {
  return {
    kind: "environment",
    name: env.name,
    version: env.version,
    path: assetVersionId(ws, "environments", env.name, env.version),
    body: {
      properties: {
        image: env.image,
        ...(env.conda !== undefined ? { condaFile: env.conda } : {}),
        osType: "Linux",
        description: `Environment of ${env.name.replace(/_env$/, "")}`,
        isAnonymous: false,
        isArchived: false,
        tags: { ...tags, [CONTENT_HASH_TAG]: env.version },
      },
    },
  };
}
