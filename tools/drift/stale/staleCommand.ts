/**
 * `npm run drift -- --stale --stack dev [--delete [--yes]]`: lists (and on request archives or
 * deletes) ML assets of branch stacks that no longer exist, in the workspace of `--stack`.
 */
import * as fs from "node:fs";
import type { TokenCredential } from "@azure/core-auth";
import type { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import { InputError, InputProblem } from "../../../shared/errors";
import { EXIT } from "../../lib/cli";
import { AzureClientOptions, mlWorkspacesClient } from "../../../components/shared/azure";
import { CleanResult, StaleAsset, cleanStaleAssets, findStaleAssets } from "./staleAssets";
import { parseStackInput, stackListFrom, workspaceRefFrom } from "./stackInputs";
import { automationStacks, firstLine, maskedOutputs, PulumiStacks } from "../../lib/pulumiStacks";
import type { WorkspaceRef } from "../../../shared/workspace";

export interface StaleOptions {
  stack: string;
  delete: boolean;
  yes: boolean;
  /** `pulumi stack ls --json` saved to a file; the Automation API is asked when absent. */
  stacksFile?: string;
  /** `pulumi stack output --json` of `stack` saved to a file; the Automation API is asked when absent. */
  outputsFile?: string;
  armEndpoint: string;
  format: "text" | "json";
}

export interface StaleDeps {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The project's stacks through the Pulumi Automation API (only called without --stacks/--outputs). */
  pulumi(): Promise<PulumiStacks>;
  /** Credential for ARM; `DefaultAzureCredential` by default. */
  credential(): TokenCredential;
  /** Extra options for the ARM client (tests: TLS trust and short retries). */
  clientOptions?: { additionalPolicies?: AzureClientOptions["armPolicies"]; retryOptions?: AzureClientOptions["retryOptions"] };
  /** Poll interval for long-running job operations (SDK default when absent). */
  pollIntervalMs?: number;
  /** True when a person can answer a confirmation prompt. */
  isInteractive(): boolean;
  confirm(question: string): Promise<boolean>;
}

export function defaultStaleDeps(): Omit<StaleDeps, "stdout" | "stderr"> {
  return {
    pulumi: () => automationStacks({ workDir: require("node:path").resolve(__dirname, "../../..") }),
    credential: () => {
      const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
      return new DefaultAzureCredential();
    },
    isInteractive: () => process.stdin.isTTY === true && process.stderr.isTTY === true,
    confirm: (question) => askOnTerminal(question),
  };
}

export async function runStaleAudit(options: StaleOptions, deps: StaleDeps): Promise<number> {
  if (options.delete && !options.yes && !deps.isInteractive()) {
    throw new InputError([
      { file: "command line", path: "--delete", message: "refusing to delete without confirmation: there is no terminal to ask on; pass --yes (CI) to confirm" },
    ]);
  }
  const problems: InputProblem[] = [];
  const stacksSource = options.stacksFile ?? "the stacks listed by the Pulumi Automation API (`pulumi stack ls --json`)";
  const outputsSource = options.outputsFile ?? `the outputs of stack ${options.stack} (Pulumi Automation API, \`pulumi stack output --json\`)`;
  let stacks: Promise<PulumiStacks> | undefined;
  const pulumi = () => (stacks ??= deps.pulumi());
  // Both reads are waited for, even when one fails: the other may still be running `pulumi`, and a
  // command that returned early would leave it behind (and report one failure where there are two).
  const [stackRead, outputsRead] = await Promise.allSettled([
    readSource(options.stacksFile, stacksSource, problems, async () => {
      deps.stderr("drift: listing stacks (Pulumi Automation API)\n");
      return (await pulumi()).listStacks();
    }),
    readSource(options.outputsFile, outputsSource, problems, async () => maskedOutputs(await (await pulumi()).outputs(options.stack))),
  ]);
  const failures = [stackRead, outputsRead].flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) {
    const hint = "pass --stacks <file> (from `pulumi stack ls --json`) and --outputs <file> (from `pulumi stack output --json`)";
    throw new Error(`${failures.map((e) => e.message).join("; ")}; ${hint}`, { cause: failures[0] });
  }
  const stackDoc = (stackRead as PromiseFulfilledResult<unknown>).value;
  const outputsDoc = (outputsRead as PromiseFulfilledResult<unknown>).value;
  const liveStacks = stackDoc === undefined ? undefined : stackListFrom(stacksSource, stackDoc, options.stack, problems);
  const ws = outputsDoc === undefined ? undefined : workspaceRefFrom(outputsSource, outputsDoc, problems);
  if (problems.length > 0 || !liveStacks || !ws) throw new InputError(problems);

  const client = createClient(ws, options.armEndpoint, deps);
  deps.stderr(`drift: listing branch assets in workspace ${ws.workspaceName}\n`);
  const stale = await findStaleAssets(client, ws, liveStacks);
  deps.stderr(`drift: ${stale.length} stale asset(s)\n`);
  if (options.format === "text") deps.stdout(renderListing(options.stack, ws, stale));
  if (stale.length === 0 || !options.delete) {
    if (options.format === "json") deps.stdout(JSON.stringify({ stack: options.stack, workspace: ws, stale, cleaned: null }, null, 2) + "\n");
    return stale.length === 0 ? EXIT.ok : EXIT.drift;
  }

  if (!options.yes) {
    const agreed = await deps.confirm(`Archive or delete these ${stale.length} assets in workspace ${ws.workspaceName}? [y/N] `);
    if (!agreed) {
      deps.stderr("Nothing changed.\n");
      if (options.format === "json") deps.stdout(JSON.stringify({ stack: options.stack, workspace: ws, stale, cleaned: null }, null, 2) + "\n");
      return EXIT.drift;
    }
  }
  const results = await cleanStaleAssets(client, ws, stale, deps.pollIntervalMs);
  if (options.format === "json") {
    deps.stdout(JSON.stringify({ stack: options.stack, workspace: ws, stale, cleaned: results.map((r) => ({ ...describe(r.asset), ok: r.ok, error: r.error })) }, null, 2) + "\n");
  } else deps.stdout(renderResults(results));
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) deps.stderr(`${failed} of ${results.length} assets could not be cleaned (see above).\n`);
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

/** The parsed JSON of `file`, or what `ask` answers when no file is given; problems recorded. */
async function readSource(file: string | undefined, source: string, problems: InputProblem[], ask: () => Promise<unknown>): Promise<unknown> {
  if (file === undefined) {
    try {
      return await ask();
    } catch (err) {
      throw new Error(`cannot read ${source}: ${firstLine(err)}`, { cause: err });
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push({ file, path: "", message: `cannot read the file: ${code === "ENOENT" ? "no such file" : (err as Error).message}` });
    return undefined;
  }
  return parseStackInput(source, text, problems);
}

function createClient(ws: WorkspaceRef, endpoint: string, deps: StaleDeps): AzureMachineLearningWorkspaces {
  const given = deps.clientOptions ?? {};
  return mlWorkspacesClient(ws.subscriptionId, endpoint, { credential: deps.credential(), armPolicies: given.additionalPolicies, retryOptions: given.retryOptions });
}

function describe(a: StaleAsset): { kind: string; name: string; version?: string; action: string } {
  return { kind: a.kind, name: a.name, ...(a.version ? { version: a.version } : {}), action: a.action };
}

function label(a: StaleAsset): string {
  if (a.kind === "job") return `job ${a.name}${a.status ? ` (${a.status})` : ""}`;
  return a.version ? `${a.kind} ${a.name} version ${a.version}` : `${a.kind} ${a.name} (all versions)`;
}

const ACTION_LABEL: Record<StaleAsset["action"], string> = {
  archive: "archive",
  delete: "delete",
  "cancel-and-delete": "cancel, then delete",
};

function renderListing(stack: string, ws: WorkspaceRef, stale: StaleAsset[]): string {
  const head = `Workspace ${ws.workspaceName} (resource group ${ws.resourceGroupName}) of stack ${stack}`;
  if (stale.length === 0) return `${head}: no assets of deleted branch stacks.\n`;
  const lines = [`${head}: ${stale.length} asset${stale.length === 1 ? "" : "s"} of deleted branch stacks:`];
  for (const a of stale) {
    lines.push(`  ${label(a)}: stack ${a.stack}, branch ${a.branch ?? a.branchSlug} → ${ACTION_LABEL[a.action]}`);
  }
  return lines.join("\n") + "\n";
}

function renderResults(results: CleanResult[]): string {
  const lines = results.map((r) =>
    r.ok ? `  done: ${ACTION_LABEL[r.asset.action]} ${label(r.asset)}` : `  FAILED: ${ACTION_LABEL[r.asset.action]} ${label(r.asset)}: ${r.error}`,
  );
  return lines.join("\n") + "\n";
}

async function askOnTerminal(question: string): Promise<boolean> {
  const readline = require("node:readline/promises") as typeof import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
