import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { InputError, InputProblem } from "../../shared/errors";
import { branchStackName } from "../../shared/naming";
import { CPU_IMAGE, GPU_IMAGE } from "../../pipelines/definitions/images";
import { flag } from "../../pipelines/publisher/plan";
import type { ClusterMap, Hyperparameter, InputBinding, PipelineDefinition, PipelineType, StepOutput } from "../../pipelines/spec/types";
import { validatePipelineDefinition } from "../../pipelines/spec/validate";
import { CliExit, EXIT, parseCommandLine } from "../lib/cli";

/**
 * `npm run pipeline -- scaffold <name> --from <script.py> [--stack dev] [--compute <cluster>]
 *   [--input <arg>]... [--output <arg>]... [--type training] [--datastore training] [--dry-run]`
 *
 * The seed's step 2 for a data scientist: turn a refactored training script into a single-step
 * pipeline. Its argparse arguments become the step's inputs, outputs and hyperparameters; the
 * step's environment comes from the script folder's conda or requirements file; the cluster is one
 * of the stack's. The definition is validated before anything is written, then the command prints
 * how to run it on the toy data from a feature branch.
 */
export const SCAFFOLD_USAGE = `usage: npm run pipeline -- scaffold <name> --from <script.py> [--stack <stack>] [--compute <cluster>]
         [--input <arg> ...] [--output <arg> ...] [--type training|scoring|preprocessing|evaluation]
         [--datastore <datastore>] [--dry-run]

  <name>       definition name: lowercase letters, digits, '_' (≤ 32); also the step folder's name
  --from       the training script; its argparse arguments become the step's inputs and parameters
  --stack      stack whose compute clusters the step may use (default dev)
  --compute    cluster key from that stack (default: its first cpu cluster)
  --input      argument that is a dataset folder (default: names with data, input, path, dir, folder, …, and
               string arguments without a default)
  --output     argument that is an output folder (default: names with out, output, model, save)
  --datastore  datastore the datasets live in (default training; runs swap it with --dataset toy)
  --dry-run    print the definition and write nothing

exit codes: 0 written (or printed), 2 bad arguments, script or definition (nothing written)`;

/** One `parser.add_argument(...)` as `read_argparse.py` reports it. */
export interface ArgparseArgument {
  flags: string[];
  dest: string | null;
  type: string | null;
  hasDefault: boolean;
  default: unknown;
  required: boolean;
  action: string | null;
  help: string | null;
  line: number;
}

export interface ScaffoldOptions {
  name: string;
  script: string;
  stack: string;
  compute?: string;
  inputs: string[];
  outputs: string[];
  type: PipelineType;
  datastore: string;
}

export interface ScaffoldResult {
  definition: PipelineDefinition;
  /** Files to write, relative to the project root, with their content. */
  files: Record<string, string>;
  /** Files copied from the script's folder: project-relative target → absolute source. */
  copies: Record<string, string>;
  clusters: { key: string; kind: string; vmSize: string }[];
  /** The published-step flags, in the order Azure ML passes them (inputs, then outputs). */
  flags: { name: string; flag: string; role: "input" | "output" | "hyperparameter" }[];
}

const INPUT_HINT = /(^|_)(data|dataset|input|inputs|path|dir|folder|file|files|labels|features|train|test)($|_)/;
const OUTPUT_HINT = /(^|_)(out|output|outputs|model|models|save|artifacts)($|_)/;
const READ_ARGPARSE = path.join(__dirname, "read_argparse.py");
const DEFINITIONS_INDEX = "pipelines/definitions/index.ts";
const INDEX_OBJECT = /(export const pipelineDefinitions: Record<string, PipelineDefinition> = \{)([^}]*)(\};)/;

/** The script's argparse arguments, read by Python's own parser (nothing in the script runs). */
export function readArgparse(script: string, python = process.env.MLOPS_PYTHON ?? "python3"): ArgparseArgument[] {
  const r = spawnSync(python, [READ_ARGPARSE, script], { encoding: "utf8" });
  if (r.error) throw new CliExit(EXIT.failure, `cannot run ${python} to read ${script}'s arguments (${(r.error as NodeJS.ErrnoException).code}); set MLOPS_PYTHON to a Python 3 interpreter`);
  const parsed = (() => {
    try {
      return JSON.parse(r.stdout) as ArgparseArgument[] | { error: string };
    } catch {
      throw new CliExit(EXIT.failure, `reading ${script}'s arguments failed:\n${r.stderr.trim()}`);
    }
  })();
  if (!Array.isArray(parsed)) throw new InputError([{ file: script, path: "", message: `is not valid Python (${parsed.error})` }]);
  return parsed;
}

function dest(a: ArgparseArgument): string {
  if (a.dest) return a.dest;
  const long = a.flags.find((f) => f.startsWith("--")) ?? a.flags[0] ?? "";
  return long.replace(/^-+/, "").replace(/-/g, "_");
}

function hyperparameter(a: ArgparseArgument, at: string, problem: (p: string, m: string) => void): Hyperparameter | undefined {
  const help = a.help ? { description: a.help } : {};
  if (a.action === "store_true" || a.action === "store_false") {
    // The published step passes every input as `--flag <value>`, which a store_true flag refuses.
    problem(at, `is a ${a.action} flag, but Azure ML passes every parameter with a value (${flag(dest(a))} <value>): declare it with type=int and default=0`);
    return undefined;
  }
  if (a.action && a.action !== "store") {
    problem(at, `action '${a.action}' has no pipeline parameter equivalent (use a plain value or store_true)`);
    return undefined;
  }
  const type = a.type === "int" ? "integer" : a.type === "float" ? "number" : a.type === null || a.type === "str" ? "string" : undefined;
  if (!type) {
    problem(at, `type ${a.type} has no pipeline parameter equivalent (use int, float, str or store_true)`);
    return undefined;
  }
  if (!a.hasDefault || a.default === null) {
    problem(at, `needs a default: a pipeline parameter always has one (or pass --input/--output if it is a folder)`);
    return undefined;
  }
  const ok = type === "string" ? typeof a.default === "string" : typeof a.default === "number" && (type === "number" || Number.isInteger(a.default));
  if (!ok) {
    problem(at, `default ${JSON.stringify(a.default)} is not a ${type}`);
    return undefined;
  }
  return { type, default: a.default as string | number, ...help };
}

/**
 * Everything the scaffold would write, computed and validated without touching the project:
 * throws `InputError` listing every problem (arguments, script, cluster, the definition itself).
 */
export function planScaffold(root: string, opts: ScaffoldOptions, existing: Record<string, PipelineDefinition>, args: ArgparseArgument[]): ScaffoldResult {
  const problems: InputProblem[] = [];
  const cli = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  const scriptFile = path.relative(root, opts.script).startsWith("..") ? opts.script : path.relative(root, opts.script);
  const inScript = (line: number) => (p: string, message: string) => problems.push({ file: scriptFile, path: `line ${line}: ${p}`, message });

  if (!/^[a-z][a-z0-9_]{0,31}$/.test(opts.name)) cli("<name>", `'${opts.name}' is not a definition name (lowercase letters, digits, '_', starting with a letter, ≤ 32)`);
  if (existing[opts.name]) cli("<name>", `pipeline '${opts.name}' already exists`);
  const stepDir = `pipelines/steps/${opts.name}`;
  const defFile = `pipelines/definitions/${opts.name}.ts`;
  for (const f of [stepDir, defFile]) if (fs.existsSync(path.join(root, f))) cli("<name>", `${f} already exists`);

  const files = readStackConfigFiles({ projectDir: root, stack: opts.stack });
  const spec = buildEnvironmentSpec({ project: files.project, stack: opts.stack, config: files.config, sources: files.sources, defaultFile: files.file });
  const clusters = spec.clusters.map((c) => ({ key: c.key, kind: c.kind, vmSize: c.vmSize }));
  const clusterMap: ClusterMap = Object.fromEntries(spec.clusters.map((c) => [c.key, { name: c.name, kind: c.kind }]));
  const known = clusters.map((c) => `${c.key} (${c.kind}, ${c.vmSize})`).join(", ") || "none";
  const chosen = opts.compute ? clusters.find((c) => c.key === opts.compute) : (clusters.find((c) => c.kind === "cpu") ?? clusters[0]);
  if (!chosen) cli("--compute", opts.compute ? `'${opts.compute}' is not a cluster of stack '${opts.stack}' (known: ${known})` : `stack '${opts.stack}' has no compute clusters`);

  const byName = new Map(args.map((a) => [dest(a), a]));
  for (const n of [...opts.inputs, ...opts.outputs]) if (!byName.has(n)) cli(opts.inputs.includes(n) ? "--input" : "--output", `'${n}' is not an argument of ${scriptFile} (found: ${[...byName.keys()].join(", ") || "none"})`);

  const datasets: PipelineDefinition["parameters"]["datasets"] = {};
  const hyperparameters: Record<string, Hyperparameter> = {};
  const inputs: Record<string, InputBinding> = {};
  const outputs: Record<string, StepOutput> = {};
  const flags: ScaffoldResult["flags"] = [];
  for (const a of args) {
    const name = dest(a);
    const problem = inScript(a.line);
    if (name === "help") continue;
    if (a.flags.length > 0 && a.flags.every((f) => !f.startsWith("-"))) {
      problem(name, "is positional: Azure ML passes named flags only, declare it as --" + name.replace(/_/g, "-"));
      continue;
    }
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) {
      problem(name, "is not a usable input name (lowercase letters, digits, '_'); set dest= to one");
      continue;
    }
    // The published step passes `--<name with '-'>` (pipelines/publisher/plan.ts `flag`).
    if (!a.flags.includes(flag(name))) problem(name, `the published step passes ${flag(name)}: add it to the add_argument flags`);
    // A string the script cannot run without (no default) is a path: a dataset unless named like an output.
    const pathLike = !a.action && (a.type === null || a.type === "str") && (!a.hasDefault || a.default === null);
    const role = opts.outputs.includes(name) ? "output" : opts.inputs.includes(name) ? "input" : OUTPUT_HINT.test(name) ? "output" : INPUT_HINT.test(name) || pathLike ? "input" : "hyperparameter";
    if (role === "input") {
      datasets[name] = { type: "uri_folder", datastore: opts.datastore, path: name, ...(a.help ? { description: a.help } : {}) };
      inputs[name] = { parameter: name };
    } else if (role === "output") {
      const isModel = /(^|_)models?($|_)/.test(name);
      outputs[name] = { type: isModel ? "custom_model" : "uri_folder", ...(isModel ? { pipelineOutput: name } : {}), ...(a.help ? { description: a.help } : {}) };
    } else {
      const h = hyperparameter(a, name, problem);
      if (!h) continue;
      hyperparameters[name] = h;
      inputs[name] = { parameter: name };
    }
    flags.push({ name, flag: flag(name), role });
  }
  if (Object.keys(datasets).length === 0) problems.push({ file: scriptFile, path: "", message: "declares no dataset folder argument (name one with --input <arg>)" });
  flags.sort((x, y) => Number(x.role === "output") - Number(y.role === "output"));

  const gpu = chosen?.kind === "gpu";
  const condaSource = ["conda.yml", "environment.yml", "conda.yaml"].map((f) => path.join(path.dirname(opts.script), f)).find((f) => fs.existsSync(f));
  const definition: PipelineDefinition = {
    name: opts.name,
    type: opts.type,
    base: opts.name.replace(/[^a-z0-9]/g, "").slice(0, 12),
    description: `Single-step pipeline scaffolded from ${path.basename(opts.script)}; split it into steps as it grows (pipelines/README.md).`,
    parameters: { datasets, ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}) },
    steps: [
      {
        name: opts.name,
        kind: "command",
        description: `Runs ${path.basename(opts.script)} on one node`,
        code: stepDir,
        entry: path.basename(opts.script),
        environment: { image: gpu ? GPU_IMAGE : CPU_IMAGE, conda: "conda.yml" },
        compute: chosen?.key ?? opts.compute ?? "cpu",
        ...(gpu ? { gpu: true } : {}),
        inputs,
        outputs,
      },
    ],
  };

  // The step folder: the script and the modules beside it (the refactored notebook), the environment.
  const copies: Record<string, string> = {};
  const sourceDir = path.dirname(opts.script);
  for (const f of fs.readdirSync(sourceDir).sort()) {
    if (f.endsWith(".py") || f === "requirements.txt") copies[`${stepDir}/${f}`] = path.join(sourceDir, f);
  }
  const out: Record<string, string> = {};
  if (condaSource) copies[`${stepDir}/conda.yml`] = condaSource;
  else out[`${stepDir}/conda.yml`] = condaFile(opts.name, path.join(sourceDir, "requirements.txt"));
  out[`${stepDir}/.amlignore`] = "# Same syntax as .gitignore: what Azure ML must not upload with this step's code.\n__pycache__/\n*.pyc\n.ipynb_checkpoints/\nlocal_data/\n";
  out[defFile] = definitionSource(definition, scriptFile);

  const indexPath = path.join(root, DEFINITIONS_INDEX);
  const index = fs.existsSync(indexPath) ? fs.readFileSync(indexPath, "utf8") : "";
  if (!INDEX_OBJECT.test(index)) problems.push({ file: DEFINITIONS_INDEX, path: "pipelineDefinitions", message: `not in the expected form; register '${opts.name}' there yourself` });
  else out[DEFINITIONS_INDEX] = registerInIndex(index, opts.name);

  // Validate the definition against a staged copy of the step folder: nothing is written on failure.
  if (problems.length === 0) {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-"));
    try {
      for (const [to, from] of Object.entries(copies)) writeFile(stage, to, fs.readFileSync(from));
      for (const [to, text] of Object.entries(out)) writeFile(stage, to, text);
      problems.push(...validatePipelineDefinition(opts.name, definition, clusterMap, { ...existing, [opts.name]: definition }, { root: stage }));
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { definition, files: out, copies, clusters, flags };
}

function writeFile(root: string, rel: string, content: string | Buffer): void {
  const target = path.join(root, rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
}

function condaFile(name: string, requirements: string): string {
  const pins = fs.existsSync(requirements)
    ? fs.readFileSync(requirements, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && !l.startsWith("-"))
    : [];
  const pip = pins.length ? `  - pip:\n${pins.map((p) => `      - ${p}\n`).join("")}` : "";
  return `name: ${name.replace(/_/g, "-")}\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.10\n  - pip\n${pip}`;
}

/** Marks the JSON literal of a scaffolded definition, so tools (and tests) can read it back. */
export const DEFINITION_MARKER = "// scaffolded definition (JSON)";

function definitionSource(def: PipelineDefinition, script: string): string {
  return [
    `import type { PipelineDefinition } from "../spec/types";`,
    ``,
    `/**`,
    ` * Scaffolded by \`npm run pipeline -- scaffold\` from ${script}: one command step running the script`,
    ` * on one node. Split it into steps as it grows (pipelines/README.md, "From one step to four").`,
    ` */`,
    DEFINITION_MARKER,
    `export const ${def.name}: PipelineDefinition = ${JSON.stringify(def, null, 2)};`,
    ``,
  ].join("\n");
}

function registerInIndex(index: string, name: string): string {
  const lines = index.split("\n");
  const lastImport = lines.reduce((at, l, i) => (l.startsWith("import ") ? i : at), -1);
  lines.splice(lastImport + 1, 0, `import { ${name} } from "./${name}";`);
  return lines.join("\n").replace(INDEX_OBJECT, (_, open: string, body: string, close: string) => `${open}${body.trimEnd()}, ${name} ${close}`);
}

/** Writes what `planScaffold` computed: step folder first, the index last (a partial run registers nothing). */
export function writeScaffold(root: string, result: ScaffoldResult): void {
  const ordered = Object.keys(result.files).sort((a, b) => Number(a === DEFINITIONS_INDEX) - Number(b === DEFINITIONS_INDEX));
  for (const [to, from] of Object.entries(result.copies)) writeFile(root, to, fs.readFileSync(from));
  for (const to of ordered) writeFile(root, to, result.files[to]);
}

/** What to do next: run on the toy data locally, then from a feature branch. */
export function nextSteps(result: ScaffoldResult, stack: string): string {
  const def = result.definition;
  const step = def.steps[0];
  const branch = `feature/${def.name.replace(/_/g, "-")}`;
  const branchStack = branchStackName(branch);
  const local = [
    `python3 ${step.code}/${step.entry}`,
    ...result.flags.map((f) => `${f.flag} ${f.role === "input" ? `local_data/${f.name}` : f.role === "output" ? `outputs/${f.name}` : String(def.parameters.hyperparameters?.[f.name]?.default)}`),
  ].join(" ");
  return [
    `pipeline '${def.name}': one ${step.kind} step on cluster '${step.compute}' of ${stack} (clusters: ${result.clusters.map((c) => `${c.key} ${c.kind} ${c.vmSize}`).join("; ")})`,
    `  inputs: ${Object.keys(def.parameters.datasets).join(", ")}; outputs: ${Object.keys(step.outputs ?? {}).join(", ") || "none"}; parameters: ${Object.keys(def.parameters.hyperparameters ?? {}).join(", ") || "none"}`,
    ``,
    `1. Run the step locally on a copy of the toy data, with the flags Azure ML will pass:`,
    `     ${local}`,
    `2. From a feature branch, publish it and run it on the toy dataset:`,
    `     git switch -c ${branch}`,
    `     # add '${def.name}' to mlops:pipelines.publish in Pulumi.dev.yaml (branch stacks publish what dev publishes)`,
    `     git add ${step.code} pipelines/definitions/${def.name}.ts ${DEFINITIONS_INDEX} Pulumi.dev.yaml`,
    `     npm run plan -- ${branchStack} --branch ${branch}`,
    `     npm run branch-stack -- create --branch ${branch}`,
    `     pulumi up --stack ${branchStack}`,
    `     npm run pipeline -- run ${def.name} --stack ${branchStack} --dataset toy --wait`,
    `3. Open a pull request: its build publishes and runs '${def.name}' on the toy dataset when its content changed.`,
  ].join("\n");
}

export async function scaffoldCommand(argv: string[], root: string, existing: Record<string, PipelineDefinition>, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommandLine("pipeline scaffold", argv, {
    from: { type: "string" },
    stack: { type: "string" },
    compute: { type: "string" },
    input: { type: "string", multiple: true },
    output: { type: "string", multiple: true },
    type: { type: "string" },
    datastore: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  });
  if (values.help) {
    out(SCAFFOLD_USAGE);
    return EXIT.ok;
  }
  const problems: InputProblem[] = [];
  const bad = (p: string, message: string) => problems.push({ file: "command line", path: p, message });
  const [, name, ...extra] = positionals;
  if (!name) bad("<name>", `is required\n${SCAFFOLD_USAGE}`);
  for (const e of extra) bad(e, "unexpected argument");
  const script = values.from !== undefined ? path.resolve(values.from) : undefined;
  if (!script) bad("--from", "is required: the training script (a .py file using argparse)");
  else if (!script.endsWith(".py") || !fs.existsSync(script) || !fs.statSync(script).isFile()) bad("--from", `'${values.from}' is not a Python file`);
  const types: PipelineType[] = ["training", "scoring", "preprocessing", "evaluation"];
  if (values.type !== undefined && !types.includes(values.type as PipelineType)) bad("--type", `'${values.type}' is not one of ${types.join(", ")}`);
  if (values.datastore !== undefined && !/^[a-z][a-z0-9_]{0,29}$/.test(values.datastore)) bad("--datastore", `'${values.datastore}' is not a datastore name`);
  const stack = values.stack ?? "dev";
  if (!/^[a-zA-Z0-9_.-]+$/.test(stack)) bad("--stack", `invalid stack name '${stack}'`);
  if (problems.length > 0) throw new InputError(problems);

  const args = readArgparse(script!);
  const result = planScaffold(
    root,
    { name: name!, script: script!, stack, compute: values.compute, inputs: values.input ?? [], outputs: values.output ?? [], type: (values.type as PipelineType) ?? "training", datastore: values.datastore ?? "training" },
    existing,
    args,
  );
  if (values["dry-run"]) {
    out(JSON.stringify(result.definition, null, 2));
    return EXIT.ok;
  }
  writeScaffold(root, result);
  out(`wrote ${[...Object.keys(result.copies), ...Object.keys(result.files)].sort().join(", ")}\n`);
  out(nextSteps(result, stack));
  return EXIT.ok;
}
