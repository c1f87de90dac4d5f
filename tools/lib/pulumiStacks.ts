import type { EngineEvent, OutputMap, StackSummary } from "@pulumi/pulumi/automation";

/**
 * Reading stacks through Pulumi's Automation API (`@pulumi/pulumi/automation`) instead of parsing the
 * CLI's printed text: `LocalWorkspace.listStacks()` (`pulumi stack ls --json`, typed `StackSummary`)
 * and `LocalWorkspace.stackOutputs()` (values with a `secret` flag), and `Stack.preview({ refresh })`
 * whose typed engine events (`EngineEvent`) replace the text of `pulumi preview --json`. It drives the
 * `pulumi` binary (on PATH, or `<pulumiRoot>/bin/pulumi`), so tests put a fake one there.
 */
export interface PulumiStacks {
  listStacks(): Promise<StackSummary[]>;
  outputs(stack: string): Promise<OutputMap>;
  /** `pulumi preview --refresh` of `stack` (changes nothing), each engine event handed to `onEvent`. */
  previewRefresh(stack: string, onEvent: (event: EngineEvent) => void): Promise<void>;
}

export interface PulumiStacksOptions {
  /** Folder holding Pulumi.yaml (the project). */
  workDir: string;
  /** Folder whose `bin/pulumi` to use instead of the one on PATH. */
  pulumiRoot?: string;
  envVars?: Record<string, string>;
  skipVersionCheck?: boolean;
}

export async function automationStacks(opts: PulumiStacksOptions): Promise<PulumiStacks> {
  const { LocalWorkspace, PulumiCommand, Stack } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  let pulumiCommand;
  try {
    pulumiCommand = await PulumiCommand.get({ root: opts.pulumiRoot, skipVersionCheck: opts.skipVersionCheck });
  } catch (err) {
    throw new Error(`the Pulumi CLI cannot be run (${firstLine(err)})`, { cause: err });
  }
  const ws = await LocalWorkspace.create({ workDir: opts.workDir, pulumiCommand, envVars: opts.envVars });
  return {
    listStacks: () => ws.listStacks(),
    outputs: (stack) => ws.stackOutputs(stack),
    async previewRefresh(stack, onEvent) {
      const selected = await Stack.select(stack, ws);
      await selected.preview({ refresh: true, onEvent });
    },
  };
}

/**
 * The outputs of `stack` as `pulumi stack output --json` prints them (secrets `[secret]`), read
 * through the Automation API from the project folder. (The API also reads the values in clear to
 * flag secrets, so the stack's secrets provider must be reachable, as for any deployment.)
 */
export async function readStackOutputs(stack: string, opts: PulumiStacksOptions = { workDir: require("node:path").resolve(__dirname, "../..") }): Promise<Record<string, unknown>> {
  try {
    return maskedOutputs(await (await automationStacks(opts)).outputs(stack));
  } catch (err) {
    throw new Error(`cannot read the outputs of stack '${stack}' (Pulumi Automation API): ${firstLine(err)}`, { cause: err });
  }
}

/** Output values as `pulumi stack output --json` prints them: a secret shows as `[secret]`. */
export function maskedOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, o.secret ? "[secret]" : o.value]));
}

/**
 * The CLI's own message, on one line. The Automation API's CommandError holds a CommandResult whose
 * `stderr` is the CLI's, or, when the process failed, whose `err` (the process error) carries it.
 */
export function firstLine(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  const result = (err as { commandResult?: { stderr?: string; err?: { stderr?: string } } })?.commandResult;
  const stderr = String(result?.err?.stderr || result?.stderr || "").trim();
  return (stderr || text).split("\n").find((l) => l.trim())?.trim() ?? text;
}
