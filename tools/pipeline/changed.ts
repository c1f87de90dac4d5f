import * as fs from "node:fs";
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { InputError, InputProblem } from "../../shared/errors";
import { buildPublishPlan } from "../../pipelines/publisher/plan";
import type { ClusterMap, PipelineDefinition } from "../../pipelines/spec/types";
import { EXIT, parseCommandLine } from "../lib/cli";

/**
 * `npm run pipeline -- changed --base <checkout> [--stack dev] [--json]`
 *
 * Which pipelines a pull request must publish and run on the toy dataset ("if we have changes in our
 * ML training pipeline, we have to publish it and execute it"): those whose content hash — the
 * publisher's own, over the definition, the step code snapshots (`.amlignore` honoured) and the
 * environments — differs from the development branch's checkout at `<checkout>`. Both sides are
 * hashed by this checkout's publisher with the same clusters, so only the pipelines' content counts.
 */
export const CHANGED_USAGE = `usage: npm run pipeline -- changed --base <checkout of the development branch> [--stack <stack>] [--json]

  --base   folder holding the development branch's checkout (its pipelines/definitions)
  --stack  stack whose published pipelines and clusters count (default dev: what branch stacks publish)
  --json   print {"base", "changed": [{pipeline, reason, hash}], "skipped": [...]} instead of text

exit codes: 0 listed (changed or not), 2 bad arguments or config`;

export interface PipelineChange {
  pipeline: string;
  reason: string;
  /** The head's content hash (the published pipeline component's version). */
  hash: string;
}

export interface ChangedPipelines {
  changed: PipelineChange[];
  skipped: PipelineChange[];
}

export interface ChangedArgs {
  head: { root: string; definitions: Record<string, PipelineDefinition> };
  /** The development branch's definitions and the checkout their code folders are in; null when it has none. */
  base: { root: string; definitions: Record<string, PipelineDefinition>; label: string } | null;
  clusters: ClusterMap;
  /** The pipelines the stack publishes (the others are never run by a pull request). */
  published: string[];
}

function contentHash(def: PipelineDefinition, definitions: Record<string, PipelineDefinition>, clusters: ClusterMap, root: string): string {
  return buildPublishPlan({ definition: def, clusters, branch: null, definitions, root }).contentHash;
}

export function changedPipelines(args: ChangedArgs): ChangedPipelines {
  const result: ChangedPipelines = { changed: [], skipped: [] };
  const short = (h: string) => h.slice(0, 12);
  for (const [key, def] of Object.entries(args.head.definitions).sort(([a], [b]) => a.localeCompare(b))) {
    const hash = contentHash(def, args.head.definitions, args.clusters, args.head.root);
    if (!args.published.includes(key)) {
      result.skipped.push({ pipeline: key, hash, reason: "not published by the stack (mlops:pipelines.publish)" });
      continue;
    }
    const baseDef = args.base?.definitions[key];
    if (!args.base || !baseDef) {
      result.changed.push({ pipeline: key, hash, reason: args.base ? `new: not on ${args.base.label}` : "the development branch has no pipeline definitions" });
      continue;
    }
    let before: string;
    try {
      before = contentHash(baseDef, args.base.definitions, args.clusters, args.base.root);
    } catch (err) {
      result.changed.push({ pipeline: key, hash, reason: `cannot hash ${args.base.label}'s version (${(err as Error).message.split("\n")[0]})` });
      continue;
    }
    if (before === hash) result.skipped.push({ pipeline: key, hash, reason: `content hash ${short(hash)} unchanged against ${args.base.label}` });
    else result.changed.push({ pipeline: key, hash, reason: `content hash ${short(before)} on ${args.base.label} → ${short(hash)}` });
  }
  return result;
}

/** The definitions of another checkout, loaded from its `pipelines/definitions` (null when it has none). */
export function loadDefinitions(checkout: string): Record<string, PipelineDefinition> | null {
  const index = path.join(checkout, "pipelines", "definitions", "index.ts");
  if (!fs.existsSync(index)) return null;
  const loaded = require(index) as { pipelineDefinitions?: Record<string, PipelineDefinition> };
  return loaded.pipelineDefinitions ?? null;
}

export function renderChanged(result: ChangedPipelines): string {
  const lines = [`pipelines to publish and run on the toy dataset: ${result.changed.map((c) => c.pipeline).join(", ") || "none"}`];
  for (const c of result.changed) lines.push(`  run   ${c.pipeline}: ${c.reason}`);
  for (const s of result.skipped) lines.push(`  skip  ${s.pipeline}: ${s.reason}`);
  return lines.join("\n");
}

export async function changedCommand(argv: string[], root: string, head: Record<string, PipelineDefinition>, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommandLine("pipeline changed", argv, {
    base: { type: "string" },
    stack: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  });
  if (values.help) {
    out(CHANGED_USAGE);
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const bad = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  for (const e of positionals.slice(1)) bad(e, "unexpected argument");
  const base = values.base !== undefined ? path.resolve(values.base) : undefined;
  if (!base) bad("--base", "is required: a checkout of the development branch");
  else if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) bad("--base", `'${values.base}' is not a folder`);
  const stack = values.stack ?? "dev";
  if (!/^[a-zA-Z0-9_.-]+$/.test(stack)) bad("--stack", `invalid stack name '${stack}'`);
  if (problems.length > 0) throw new InputError(problems);

  const files = readStackConfigFiles({ projectDir: root, stack });
  const spec = buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
  const clusters: ClusterMap = Object.fromEntries(spec.clusters.map((c) => [c.key, { name: c.name, kind: c.kind }]));
  const baseDefinitions = loadDefinitions(base!);
  const result = changedPipelines({
    head: { root, definitions: head },
    base: baseDefinitions ? { root: base!, definitions: baseDefinitions, label: "the development branch" } : null,
    clusters,
    published: spec.pipelines.publish,
  });
  out(values.json ? JSON.stringify(result) : renderChanged(result));
  return EXIT.ok;
}
