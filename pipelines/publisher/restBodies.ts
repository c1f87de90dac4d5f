import type { ComponentPlan, PublishPlan } from "./plan";
import { AssetRequest, CONTENT_HASH_TAG, codeRequest, environmentRequest } from "../../components/mlAssets/restBodies";
import { assetVersionId, computeId, type WorkspaceRef } from "../../shared/workspace";

/**
 * The exact ARM request bodies of a publish plan's components and pipeline (api-version
 * `API_VERSIONS.machineLearningAssets`); code and environment bodies come from
 * components/mlAssets/restBodies.ts. Pure: the same plan, workspace and tags always give the same
 * bytes, which tests pin.
 */

const armRef = (id: string) => `azureml:${id}`;

export function componentRequest(ws: WorkspaceRef, c: ComponentPlan, tags: Record<string, string>): AssetRequest {
  const code = armRef(assetVersionId(ws, "codes", c.code.name, c.code.version));
  const environment = armRef(assetVersionId(ws, "environments", c.environment.name, c.environment.version));
  const spec: Record<string, unknown> = { ...c.spec, tags: { ...tags, [CONTENT_HASH_TAG]: c.version } };
  if (c.kind === "parallel") spec.task = { ...(c.spec.task as Record<string, unknown>), code, environment };
  else Object.assign(spec, { code, environment });
  return {
    kind: "component",
    name: c.name,
    version: c.version,
    path: assetVersionId(ws, "components", c.name, c.version),
    body: {
      properties: {
        componentSpec: spec,
        description: (c.spec.description as string | undefined) ?? `Step ${c.step}`,
        isAnonymous: false,
        isArchived: false,
        tags: { ...tags, [CONTENT_HASH_TAG]: c.version },
      },
    },
  };
}

export function pipelineComponentRequest(ws: WorkspaceRef, plan: PublishPlan, tags: Record<string, string>): AssetRequest {
  const p = plan.pipelineComponent;
  const jobs = Object.fromEntries(
    p.nodes.map((n) => [
      n.step,
      {
        ...n.node,
        componentId: assetVersionId(ws, "components", n.component.name, n.component.version),
        computeId: computeId(ws, n.compute),
      },
    ]),
  );
  return {
    kind: "pipeline",
    name: p.name,
    version: p.version,
    path: assetVersionId(ws, "components", p.name, p.version),
    body: {
      properties: {
        componentSpec: { ...p.spec, jobs, tags: { ...tags, [CONTENT_HASH_TAG]: p.version } },
        description: (p.spec.description as string | undefined) ?? plan.pipelineName,
        isAnonymous: false,
        isArchived: false,
        tags: { ...tags, [CONTENT_HASH_TAG]: p.version },
      },
    },
  };
}

/** Every asset request of a plan, in the order they must exist (references point backwards). */
export function planRequests(
  ws: WorkspaceRef,
  plan: PublishPlan,
  storage: { blobEndpoint: string; container: string },
  tags: Record<string, string>,
): { codes: AssetRequest[]; environments: AssetRequest[]; components: AssetRequest[]; pipeline: AssetRequest } {
  return {
    codes: dedupe(plan.codes.map((c) => codeRequest(ws, c, storage, tags))),
    environments: dedupe(plan.environments.map((e) => environmentRequest(ws, e, tags))),
    components: dedupe(plan.components.map((c) => componentRequest(ws, c, tags))),
    pipeline: pipelineComponentRequest(ws, plan, tags),
  };
}

function dedupe(requests: AssetRequest[]): AssetRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => (seen.has(r.path) ? false : (seen.add(r.path), true)));
}
