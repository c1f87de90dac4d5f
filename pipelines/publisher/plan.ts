import * as fs from "node:fs";
import * as path from "node:path";
import { componentName, pipelineAssetNames, pipelineComponentName } from "../../shared/naming";
import type {
  ClusterMap,
  ClusterRef,
  InputBinding,
  PipelineDefinition,
  StepDefinition,
} from "../spec/types";
import { AssetRef, CodePlan, EnvironmentPlan, hashOf, VERSION_LENGTH } from "../../components/mlAssets/assetPlans";
import { snapshotFolder } from "../../components/mlAssets/snapshot";

/**
 * What publishing a definition means, computed while the program runs (synchronously, from the code
 * folders on disk): every asset with its name and content-hash version, and the component specs.
 * It is plain JSON, the input of the `PublishedPipeline` resource, so the plan shows it and `diff`
 * compares it. Nothing here knows the workspace: references to other assets are `{ name, version }`
 * and become ARM ids only when the provider sends them (see `restBodies.ts`).
 */

/** Bumped when the way specs are rendered changes, so every asset is republished once. */
export const PLAN_FORMAT = 1;

export interface ComponentPlan extends AssetRef {
  step: string;
  kind: StepDefinition["kind"];
  cluster: ClusterRef & { key: string };
  code: AssetRef;
  environment: AssetRef;
  /** Component YAML as JSON, without `code`/`environment` (added with ARM ids when sent). */
  spec: Record<string, unknown>;
}

export interface PipelineNodePlan {
  step: string;
  component: AssetRef;
  /** Physical cluster name. */
  compute: string;
  /** REST node without `componentId`/`computeId` (added when sent). */
  node: Record<string, unknown>;
}

export interface RunInputs {
  datasets: Record<string, { type: string; datastore: string; path: string }>;
  hyperparameters: Record<string, { type: string; default: string | number | boolean }>;
  /** Model inputs: the registered model name whose latest version a run passes. */
  models: Record<string, { type: string; modelName: string }>;
}

export interface PublishPlan {
  format: number;
  definition: string;
  pipelineType: string;
  pipelineName: string;
  experimentName: string;
  modelName: string;
  /** The pipeline component's version: a hash of everything below, so any change shows here. */
  contentHash: string;
  codes: CodePlan[];
  environments: EnvironmentPlan[];
  components: ComponentPlan[];
  pipelineComponent: AssetRef & { spec: Record<string, unknown>; nodes: PipelineNodePlan[] };
  inputs: RunInputs;
  outputs: Record<string, string>;
}

export interface PlanArgs {
  definition: PipelineDefinition;
  clusters: ClusterMap;
  branch: { name: string; slug: string } | null;
  /** Definitions that model parameters (`fromPipeline`) may name; defaults to the definition itself. */
  definitions?: Record<string, PipelineDefinition>;
  /** Project root the code folders are relative to. */
  root: string;
}

export function buildPublishPlan(args: PlanArgs): PublishPlan {
  const { definition: def, clusters, branch, root } = args;
  const branchName = branch?.name ?? null;
  const names = pipelineAssetNames({ pipelineType: def.type, base: def.base, branch: branchName });
  // The published pipeline is a component: its name follows the component rule (no '-'), while the
  // pipeline's display name and experiment keep the readable branch token.
  const pipelineComponent = pipelineComponentName({ pipelineType: def.type, base: def.base, branch: branchName });
  const placeholders: Record<string, string> = {
    modelName: names.model,
    pipelineName: names.pipeline,
    experimentName: names.experiment,
    branch: branchName ?? "",
  };

  const paramTypes = parameterTypes(def);
  const outputTypes = new Map<string, string>();
  for (const s of def.steps) for (const [o, out] of Object.entries(s.outputs ?? {})) outputTypes.set(`${s.name}.${o}`, out.type);
  const typeOf = (b: InputBinding) => ("parameter" in b ? paramTypes.get(b.parameter) : outputTypes.get(`${b.step}.${b.output}`)) ?? "uri_folder";

  const codes: CodePlan[] = [];
  const environments: EnvironmentPlan[] = [];
  const components: ComponentPlan[] = [];
  const nodes: PipelineNodePlan[] = [];

  for (const step of def.steps) {
    const name = componentName({ pipelineType: def.type, base: def.base, branch: branchName, step: step.name });
    const snapshot = snapshotFolder(path.resolve(root, step.code));
    const codeVersion = snapshot.hash.slice(0, VERSION_LENGTH);
    const code: CodePlan = {
      name,
      version: codeVersion,
      folder: step.code,
      files: snapshot.files.length,
      bytes: snapshot.bytes,
      hash: snapshot.hash,
      blobPrefix: `LocalUpload/${name}/${codeVersion}`,
    };
    codes.push(code);

    const conda = step.environment.conda
      ? fs.readFileSync(path.resolve(root, step.code, step.environment.conda), "utf8")
      : undefined;
    const environment: EnvironmentPlan = {
      name: `${name}_env`,
      version: hashOf({ image: step.environment.image, conda: conda ?? null }),
      image: step.environment.image,
      ...(conda !== undefined ? { conda } : {}),
    };
    environments.push(environment);

    const cluster = clusters[step.compute];
    if (!cluster) throw new Error(`internal: step '${step.name}' names unknown cluster '${step.compute}' (validate first)`);
    const inputs = Object.fromEntries(
      Object.entries(step.inputs ?? {}).map(([k, b]) => [k, { type: typeOf(b) }]),
    );
    const outputs = Object.fromEntries(Object.entries(step.outputs ?? {}).map(([k, o]) => [k, { type: o.type }]));
    const extraArgs = (step.args ?? []).map((a) => shellQuote(fillPlaceholders(a, placeholders, step.name)));
    const body = componentSpec(step, name, inputs, outputs, extraArgs);
    const ref = { code: { name: code.name, version: code.version }, environment: { name: environment.name, version: environment.version } };
    const version = hashOf({ format: PLAN_FORMAT, spec: body, ...ref });
    components.push({
      step: step.name,
      kind: step.kind,
      name,
      version,
      cluster: { key: step.compute, name: cluster.name, kind: cluster.kind },
      ...ref,
      spec: { ...body, version },
    });
    nodes.push({ step: step.name, component: { name, version }, compute: cluster.name, node: pipelineNode(step) });
  }

  const pipelineOutputs: Record<string, string> = {};
  for (const s of def.steps) {
    for (const out of Object.values(s.outputs ?? {})) if (out.pipelineOutput) pipelineOutputs[out.pipelineOutput] = out.type;
  }
  const runInputs = resolveRunInputs(def, args.definitions ?? { [def.name]: def }, branchName);
  const pipelineSpecBody = {
    $schema: "https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json",
    type: "pipeline",
    name: pipelineComponent,
    display_name: names.pipeline,
    description: def.description,
    inputs: pipelineInputs(def),
    outputs: Object.fromEntries(Object.entries(pipelineOutputs).map(([k, t]) => [k, { type: t }])),
  };
  const contentHash = hashOf({ format: PLAN_FORMAT, spec: pipelineSpecBody, nodes });

  return {
    format: PLAN_FORMAT,
    definition: def.name,
    pipelineType: def.type,
    pipelineName: names.pipeline,
    experimentName: names.experiment,
    modelName: names.model,
    contentHash,
    codes,
    environments,
    components,
    pipelineComponent: { name: pipelineComponent, version: contentHash, spec: { ...pipelineSpecBody, version: contentHash }, nodes },
    inputs: runInputs,
    outputs: pipelineOutputs,
  };
}

function parameterTypes(def: PipelineDefinition): Map<string, string> {
  const types = new Map<string, string>();
  const p = def.parameters;
  for (const [k, v] of Object.entries(p.datasets)) types.set(k, v.type);
  for (const [k, v] of Object.entries(p.hyperparameters ?? {})) types.set(k, v.type);
  for (const [k, v] of Object.entries(p.models ?? {})) types.set(k, v.type);
  return types;
}

function pipelineInputs(def: PipelineDefinition): Record<string, unknown> {
  const p = def.parameters;
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.datasets)) inputs[k] = { type: v.type, ...(v.description ? { description: v.description } : {}) };
  for (const [k, v] of Object.entries(p.hyperparameters ?? {})) {
    inputs[k] = { type: v.type, default: v.default, ...(v.description ? { description: v.description } : {}) };
  }
  for (const [k, v] of Object.entries(p.models ?? {})) inputs[k] = { type: v.type, ...(v.description ? { description: v.description } : {}) };
  return inputs;
}

function resolveRunInputs(
  def: PipelineDefinition,
  all: Record<string, PipelineDefinition>,
  branch: string | null,
): RunInputs {
  const models: RunInputs["models"] = {};
  for (const [k, m] of Object.entries(def.parameters.models ?? {})) {
    const source = all[m.fromPipeline];
    if (!source) throw new Error(`internal: model parameter '${k}' names unknown pipeline '${m.fromPipeline}' (validate first)`);
    models[k] = { type: m.type, modelName: pipelineAssetNames({ pipelineType: source.type, base: source.base, branch }).model };
  }
  return {
    datasets: Object.fromEntries(
      Object.entries(def.parameters.datasets).map(([k, d]) => [k, { type: d.type, datastore: d.datastore, path: d.path }]),
    ),
    hyperparameters: Object.fromEntries(
      Object.entries(def.parameters.hyperparameters ?? {}).map(([k, h]) => [k, { type: h.type, default: h.default }]),
    ),
    models,
  };
}

/** `--<name>` flags: input and output names with '_' become '-' (argparse turns them back). */
export function flag(name: string): string {
  return `--${name.replace(/_/g, "-")}`;
}

function componentSpec(
  step: StepDefinition,
  name: string,
  inputs: Record<string, { type: string }>,
  outputs: Record<string, { type: string }>,
  extraArgs: string[],
): Record<string, unknown> {
  const common = {
    name,
    display_name: step.displayName ?? step.name,
    ...(step.description ? { description: step.description } : {}),
    inputs,
    outputs,
    is_deterministic: true,
  };
  const ioArgs = (skip?: string) => [
    ...Object.keys(inputs)
      .filter((k) => k !== skip)
      .map((k) => `${flag(k)} \${{inputs.${k}}}`),
    ...Object.keys(outputs).map((k) => `${flag(k)} \${{outputs.${k}}}`),
    ...extraArgs,
  ];
  if (step.kind === "parallel") {
    return {
      $schema: "https://azuremlschemas.azureedge.net/latest/parallelComponent.schema.json",
      type: "parallel",
      ...common,
      input_data: `\${{inputs.${step.over}}}`,
      mini_batch_size: String(step.miniBatchSize),
      max_concurrency_per_instance: step.processesPerNode ?? 1,
      error_threshold: step.errorThreshold ?? -1,
      mini_batch_error_threshold: -1,
      retry_settings: { max_retries: step.retries ?? 2, timeout: step.timeoutSeconds ?? 300 },
      logging_level: "INFO",
      resources: { instance_count: step.nodes ?? 1 },
      task: {
        type: "run_function",
        entry_script: step.entry,
        // The split input reaches run() as mini-batches, not as an argument.
        program_arguments: ioArgs(step.over).join(" "),
      },
    };
  }
  const command = ["python", step.entry, ...ioArgs()].join(" ");
  if (step.kind === "distributed") {
    return {
      $schema: "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
      type: "command",
      ...common,
      command,
      distribution: distribution(step.framework, step.processesPerNode, step.nodes ?? 1),
      resources: { instance_count: step.nodes ?? 1 },
    };
  }
  return {
    $schema: "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
    type: "command",
    ...common,
    command,
    resources: { instance_count: step.nodes ?? 1 },
  };
}

function distribution(framework: "pytorch" | "tensorflow" | "mpi", perNode: number, nodes: number) {
  if (framework === "tensorflow") return { type: "tensorflow", worker_count: perNode * nodes };
  return { type: framework, process_count_per_instance: perNode };
}

/** A node of the pipeline component's `jobs`, in the REST shape Azure ML stores. */
function pipelineNode(step: StepDefinition): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [k, b] of Object.entries(step.inputs ?? {})) {
    const value = "parameter" in b ? `\${{parent.inputs.${b.parameter}}}` : `\${{parent.jobs.${b.step}.outputs.${b.output}}}`;
    inputs[k] = { job_input_type: "literal", value };
  }
  const outputs: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(step.outputs ?? {})) {
    if (o.pipelineOutput) outputs[k] = { type: "literal", value: `\${{parent.outputs.${o.pipelineOutput}}}` };
  }
  return {
    name: step.name,
    type: step.kind === "parallel" ? "parallel" : "command",
    display_name: step.displayName ?? step.name,
    inputs,
    outputs,
    resources: { instance_count: step.nodes ?? 1 },
    _source: "REMOTE.WORKSPACE.COMPONENT",
  };
}

function fillPlaceholders(arg: string, values: Record<string, string>, step: string): string {
  return arg.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`internal: step '${step}' uses unknown placeholder ${whole}`);
    return values[key];
  });
}

/** Quotes an argument for the POSIX shell Azure ML runs commands in. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
