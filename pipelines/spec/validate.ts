import * as fs from "node:fs";
import * as path from "node:path";
import type { InputProblem } from "../../shared/errors";
import { validateAgainstSchema, suggestKey } from "../../shared/schemaErrors";
import { isIgnored } from "../../components/mlAssets/snapshot";
import { pipelineDefinitionSchema } from "./schema";
import { ARG_PLACEHOLDERS, ClusterMap, PipelineDefinition } from "./types";

/** The project root: code folders in definitions are relative to it. */
export const projectRoot = path.resolve(__dirname, "..", "..");

export function definitionFile(key: string): string {
  return `pipelines/definitions/${key}.ts`;
}

export interface ValidateOptions {
  /** Where code folders are resolved (default: the project root). */
  root?: string;
}

/**
 * Every problem of every definition at once, each naming the definition's file and the key path
 * (`steps[2].compute`). Nothing may be published from a definition that has problems.
 */
export function validatePipelineDefinitions(
  defs: Record<string, PipelineDefinition>,
  clusters: ClusterMap,
  options: ValidateOptions = {},
): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [key, def] of Object.entries(defs)) {
    problems.push(...validatePipelineDefinition(key, def, clusters, defs, options));
  }
  return problems;
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const entriesOf = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);

export function validatePipelineDefinition(
  key: string,
  def: PipelineDefinition,
  clusters: ClusterMap,
  all: Record<string, PipelineDefinition> = { [key]: def },
  options: ValidateOptions = {},
): InputProblem[] {
  const file = definitionFile(key);
  const root = options.root ?? projectRoot;
  const problems: InputProblem[] = validateAgainstSchema(pipelineDefinitionSchema, def).map((p) => ({ file, ...p }));
  const add = (p: string, message: string) => problems.push({ file, path: p, message });
  if (!isObject(def)) return problems;

  if (typeof def.name === "string" && def.name !== key) {
    add("name", `must equal the definition key '${key}' (found '${def.name}')`);
  }

  // Pipeline inputs share one namespace: datasets, hyperparameters and models.
  const paramTypes = new Map<string, string>();
  const params = isObject(def.parameters) ? def.parameters : {};
  for (const group of ["datasets", "hyperparameters", "models"] as const) {
    for (const [name, p] of entriesOf((params as Loose)[group])) {
      if (paramTypes.has(name)) add(`parameters.${group}.${name}`, `parameter '${name}' is defined more than once`);
      else paramTypes.set(name, isObject(p) && typeof p.type === "string" ? p.type : "unknown");
      if (group === "hyperparameters" && isObject(p)) checkDefault(p, `parameters.${group}.${name}.default`, add);
      if (group === "models" && isObject(p) && typeof p.fromPipeline === "string" && !(p.fromPipeline in all)) {
        const hint = suggestKey(p.fromPipeline, Object.keys(all));
        add(
          `parameters.${group}.${name}.fromPipeline`,
          `unknown pipeline definition '${p.fromPipeline}'${hint ? `; did you mean '${hint}'?` : ""}`,
        );
      }
    }
  }

  const steps = Array.isArray(def.steps) ? (def.steps as unknown[]) : [];
  const indexByName = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!isObject(s) || typeof s.name !== "string") return;
    const first = indexByName.get(s.name);
    if (first !== undefined) add(`steps[${i}].name`, `duplicate step name '${s.name}' (also steps[${first}])`);
    else indexByName.set(s.name, i);
  });

  const pipelineOutputs = new Map<string, string>();
  const edges = new Map<number, { to: number; via: string }[]>();
  steps.forEach((s, i) => {
    if (!isObject(s)) return;
    const at = `steps[${i}]`;
    checkCompute(s, at, clusters, add);
    checkFiles(s, at, root, add);
    checkKindFields(s, at, add);
    if (Array.isArray(s.args)) {
      s.args.forEach((arg, j) => {
        for (const m of String(arg).matchAll(/\{(\w+)\}/g)) {
          if (!ARG_PLACEHOLDERS.includes(m[1])) {
            add(`${at}.args[${j}]`, `unknown placeholder {${m[1]}}; available: ${ARG_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`);
          }
        }
      });
    }

    const inputTypes = new Map<string, string>();
    for (const [inputName, binding] of entriesOf(s.inputs)) {
      const bindingPath = `${at}.inputs.${inputName}`;
      if (!isObject(binding)) continue;
      if (typeof binding.parameter === "string") {
        const type = paramTypes.get(binding.parameter);
        if (type === undefined) {
          const hint = suggestKey(binding.parameter, [...paramTypes.keys()]);
          add(
            `${bindingPath}.parameter`,
            `unknown parameter '${binding.parameter}'${hint ? `; did you mean '${hint}'?` : `; defined: ${[...paramTypes.keys()].join(", ") || "none"}`}`,
          );
        } else inputTypes.set(inputName, type);
      } else if (typeof binding.step === "string" && typeof binding.output === "string") {
        const from = indexByName.get(binding.step);
        if (from === undefined) {
          const hint = suggestKey(binding.step, [...indexByName.keys()]);
          add(`${bindingPath}.step`, `unknown step '${binding.step}'${hint ? `; did you mean '${hint}'?` : ""}`);
          continue;
        }
        const source = steps[from] as Loose;
        const outputs = isObject(source.outputs) ? source.outputs : {};
        const out = outputs[binding.output];
        if (!isObject(out)) {
          const known = Object.keys(outputs);
          add(
            `${bindingPath}.output`,
            `step '${binding.step}' has no output '${binding.output}'${known.length ? `; its outputs: ${known.join(", ")}` : "; it declares no outputs"}`,
          );
          continue;
        }
        if (from === i) {
          add(bindingPath, `step '${s.name}' reads its own output '${binding.output}' (a cycle)`);
          continue;
        }
        inputTypes.set(inputName, String(out.type));
        const list = edges.get(from) ?? [];
        list.push({ to: i, via: bindingPath });
        edges.set(from, list);
      }
    }

    for (const [outputName, out] of entriesOf(s.outputs)) {
      if (isObject(s.inputs) && outputName in s.inputs) {
        add(`${at}.outputs.${outputName}`, `'${outputName}' is both an input and an output of step '${s.name}'`);
      }
      if (isObject(out) && typeof out.pipelineOutput === "string") {
        const other = pipelineOutputs.get(out.pipelineOutput);
        if (other) add(`${at}.outputs.${outputName}.pipelineOutput`, `pipeline output '${out.pipelineOutput}' is already produced by ${other}`);
        else pipelineOutputs.set(out.pipelineOutput, `${at}.outputs.${outputName}`);
      }
    }

    if (s.kind === "parallel" && typeof s.over === "string") {
      const type = inputTypes.get(s.over);
      if (!isObject(s.inputs) || !(s.over in s.inputs)) {
        add(`${at}.over`, `'${s.over}' is not an input of step '${s.name}'`);
      } else if (type !== undefined && type !== "uri_folder" && type !== "mltable") {
        add(`${at}.over`, `a parallel step splits a uri_folder or mltable input; '${s.over}' is ${type}`);
      }
    }
  });

  for (const cycle of findCycles(steps.length, edges)) {
    const names = cycle.map((i) => String((steps[i] as Loose).name));
    add(`steps[${cycle[0]}].inputs`, `steps form a cycle: ${[...names, names[0]].join(" → ")}`);
  }
  return problems;
}

function checkDefault(p: Loose, at: string, add: (p: string, m: string) => void) {
  const value = p.default;
  const ok =
    p.type === "string"
      ? typeof value === "string"
      : p.type === "boolean"
        ? typeof value === "boolean"
        : p.type === "integer"
          ? Number.isInteger(value)
          : p.type === "number"
            ? typeof value === "number" && Number.isFinite(value)
            : true;
  if (!ok) add(at, `must be ${p.type === "integer" ? "an" : "a"} ${String(p.type)} (found ${JSON.stringify(value)})`);
}

function checkCompute(s: Loose, at: string, clusters: ClusterMap, add: (p: string, m: string) => void) {
  if (typeof s.compute !== "string") return;
  const cluster = clusters[s.compute];
  if (!cluster) {
    const known = Object.keys(clusters);
    const hint = suggestKey(s.compute, known);
    add(
      `${at}.compute`,
      `unknown compute cluster '${s.compute}'${hint ? `; did you mean '${hint}'?` : ""} (the stack defines: ${known.join(", ") || "none"})`,
    );
    return;
  }
  if (s.gpu === true && cluster.kind !== "gpu") {
    add(`${at}.compute`, `step '${String(s.name)}' needs a GPU but cluster '${s.compute}' (${cluster.name}) is a CPU cluster`);
  }
  // A job asking for more nodes than the cluster can scale to waits in the queue forever.
  if (typeof s.nodes === "number" && cluster.maxNodes !== undefined && s.nodes > cluster.maxNodes) {
    add(
      `${at}.nodes`,
      `step '${String(s.name)}' asks for ${s.nodes} nodes but cluster '${s.compute}' (${cluster.name}) scales to at most ${cluster.maxNodes} (its maxNodes in the stack config, compute.clusters)`,
    );
  }
}

function checkFiles(s: Loose, at: string, root: string, add: (p: string, m: string) => void) {
  if (typeof s.code !== "string") return;
  const folder = path.resolve(root, s.code);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    add(`${at}.code`, `code folder '${s.code}' does not exist`);
    return;
  }
  const inFolder = (rel: unknown, keyPath: string, what: string) => {
    if (typeof rel !== "string") return;
    const file = path.resolve(folder, rel);
    if (!file.startsWith(folder + path.sep)) add(keyPath, `${what} '${rel}' must be inside the code folder '${s.code}'`);
    else if (!fs.existsSync(file) || !fs.statSync(file).isFile()) add(keyPath, `${what} '${rel}' not found in code folder '${s.code}'`);
    else if (isIgnored(folder, rel)) add(keyPath, `${what} '${rel}' is excluded by the code folder's ignore file, so it would not be uploaded`);
  };
  inFolder(s.entry, `${at}.entry`, "entry script");
  if (isObject(s.environment)) inFolder(s.environment.conda, `${at}.environment.conda`, "conda file");
}

const kindOnly: Record<string, string[]> = {
  parallel: ["over", "miniBatchSize", "errorThreshold", "retries", "timeoutSeconds"],
  distributed: ["framework"],
};

function checkKindFields(s: Loose, at: string, add: (p: string, m: string) => void) {
  for (const [kind, fields] of Object.entries(kindOnly)) {
    if (s.kind === kind) continue;
    for (const f of fields) if (f in s) add(`${at}.${f}`, `only applies to ${kind} steps (this step is ${String(s.kind)})`);
  }
  if (s.kind === "command" && "processesPerNode" in s) {
    add(`${at}.processesPerNode`, "only applies to parallel and distributed steps (this step is command)");
  }
}

/** Each elementary cycle once, as step indexes, found by depth-first search over the step graph. */
function findCycles(n: number, edges: Map<number, { to: number }[]>): number[][] {
  const state = new Array<number>(n).fill(0); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const cycles: number[][] = [];
  const visit = (u: number) => {
    state[u] = 1;
    stack.push(u);
    for (const { to } of edges.get(u) ?? []) {
      if (state[to] === 1) cycles.push(stack.slice(stack.indexOf(to)));
      else if (state[to] === 0) visit(to);
    }
    stack.pop();
    state[u] = 2;
  };
  for (let i = 0; i < n; i++) if (state[i] === 0) visit(i);
  return cycles;
}

/** Step indexes in an order where every step comes after the steps it reads from. */
export function stepOrder(def: PipelineDefinition): number[] {
  const index = new Map(def.steps.map((s, i) => [s.name, i]));
  const done = new Set<number>();
  const order: number[] = [];
  const visit = (i: number) => {
    if (done.has(i)) return;
    done.add(i);
    for (const b of Object.values(def.steps[i].inputs ?? {})) {
      if ("step" in b) {
        const from = index.get(b.step);
        if (from !== undefined) visit(from);
      }
    }
    order.push(i);
  };
  def.steps.forEach((_, i) => visit(i));
  return order;
}
