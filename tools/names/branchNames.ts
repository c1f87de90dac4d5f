import type { EnvironmentSpec } from "../../infra/config";
import { branchStackName, branchSlug, checkName, componentName, isEnvironmentStack, NameKind, pipelineAssetNames, pipelineComponentName } from "../../shared/naming";
import type { PipelineDefinition } from "../../pipelines/spec/types";

export interface NameEntry {
  kind: NameKind;
  value: string;
  /** What the name belongs to, e.g. `pipeline training`, `cluster gpu`. */
  for?: string;
}

export interface BranchNames {
  branch: string;
  slug: string;
  stack: string;
  names: NameEntry[];
}

/**
 * Every physical name a branch determines: its stack, and for each pipeline the target stack
 * publishes, the pipeline, experiment, model and component names; plus the names of the workspace
 * and its resources that the branch stack publishes into (they come from the target stack's config).
 */
export function namesForBranch(branch: string, stack: string | undefined, spec: EnvironmentSpec, definitions: Record<string, PipelineDefinition>): BranchNames {
  const stackName = stack ?? branchStackName(branch);
  const isBranchStack = !isEnvironmentStack(stackName);
  const marker = isBranchStack ? branch : null;
  const names: NameEntry[] = [{ kind: "stack", value: stackName }];
  const published = spec.pipelines.publish.length > 0 ? spec.pipelines.publish : Object.keys(definitions);
  for (const key of published) {
    const def = definitions[key];
    if (!def) continue;
    const assets = pipelineAssetNames({ pipelineType: def.type, base: def.base, branch: marker });
    names.push({ kind: "pipeline", value: assets.pipeline, for: `pipeline ${key}` });
    names.push({ kind: "experiment", value: assets.experiment, for: `pipeline ${key}` });
    names.push({ kind: "model", value: assets.model, for: `pipeline ${key}` });
    names.push({ kind: "component", value: pipelineComponentName({ pipelineType: def.type, base: def.base, branch: marker }), for: `pipeline ${key}` });
    for (const step of def.steps) {
      names.push({ kind: "component", value: componentName({ pipelineType: def.type, base: def.base, branch: marker, step: step.name }), for: `pipeline ${key} step ${step.name}` });
    }
  }
  const n = spec.names;
  names.push(
    { kind: "workspace", value: n.workspace },
    { kind: "storageAccount", value: n.storageAccount },
    { kind: "keyVault", value: n.keyVault },
    { kind: "containerRegistry", value: n.containerRegistry },
    { kind: "aksCluster", value: n.aksCluster },
    { kind: "onlineEndpoint", value: n.onlineEndpoint },
    { kind: "batchEndpoint", value: n.batchEndpoint },
    ...spec.clusters.map((c): NameEntry => ({ kind: "computeCluster", value: c.name, for: `cluster ${c.key}` })),
    ...spec.datastores.map((d): NameEntry => ({ kind: "datastore", value: d.name })),
  );
  return { branch, slug: branchSlug(branch), stack: stackName, names };
}

/** Names that break their kind's rule (none, unless naming has a bug). */
export function invalidNames(result: BranchNames): string[] {
  return result.names.map((e) => checkName(e.kind, e.value)).filter((m): m is string => m !== null);
}
