import { execFile } from "node:child_process";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

/**
 * The Pulumi operations branch stacks need, over the Automation API (`@pulumi/pulumi/automation`).
 * The Automation API drives the `pulumi` CLI (found on PATH, or under `<root>/bin/pulumi`), so tests
 * put a fake `pulumi` there and keep every real code path.
 */
export interface StackBackend {
  listStacks(): Promise<string[]>;
  /** `undefined` when the stack has no such key; throws when the CLI fails otherwise. */
  getConfig(stack: string, key: string): Promise<string | undefined>;
  setConfig(stack: string, key: string, value: string): Promise<void>;
  /** Creates `stack` with `copyFrom`'s config; `secretsProvider` for self-managed backends. */
  createStack(stack: string, copyFrom: string, secretsProvider?: string): Promise<void>;
  /** Selects an existing stack, or creates an empty one when `create` and missing. */
  selectStack(stack: string, opts: { create: boolean; secretsProvider?: string }): Promise<void>;
  destroy(stack: string, onOutput: (text: string) => void): Promise<void>;
  /** `pulumi stack rm` without --force: refuses while the stack still has resources. */
  removeStack(stack: string): Promise<void>;
}

export interface WorkspaceOptions {
  /** Folder holding Pulumi.yaml (the project). */
  workDir: string;
  /** Folder whose `bin/pulumi` to use instead of the one on PATH. */
  pulumiRoot?: string;
  /** Extra environment for every CLI call. */
  envVars?: Record<string, string>;
  skipVersionCheck?: boolean;
}

/** `pulumi config get` exits non-zero with this text when the key is absent (pkg/cmd/pulumi/config). */
const KEY_NOT_FOUND = /configuration key .* not found/i;

export async function automationBackend(opts: WorkspaceOptions): Promise<StackBackend> {
  const pulumiCommand = await PulumiCommand.get({ root: opts.pulumiRoot, skipVersionCheck: opts.skipVersionCheck });
  const workspace = (secretsProvider?: string) =>
    LocalWorkspace.create({ workDir: opts.workDir, pulumiCommand, envVars: opts.envVars, secretsProvider });
  const ws = await workspace();
  // The one call the Automation API has no method for, run with the same binary, folder and
  // environment as its own calls (non-interactive, the CLI's folder first on PATH).
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const command = pulumiCommand.command;
      const envPath = path.isAbsolute(command) ? `${path.dirname(command)}${path.delimiter}${opts.envVars?.PATH ?? process.env.PATH ?? ""}` : undefined;
      const env = { ...process.env, ...opts.envVars, ...(envPath ? { PATH: envPath } : {}), PULUMI_AUTOMATION_API: "true" };
      execFile(command, [...args, "--non-interactive"], { cwd: ws.workDir, env, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`\`pulumi ${args.join(" ")}\` failed: ${stderr.trim() || err.message}`));
        else resolve();
      });
    });

  return {
    async listStacks() {
      const stacks = await ws.listStacks();
      if (!Array.isArray(stacks)) throw new Error("`pulumi stack ls --json` did not print a list of stacks");
      return stacks.map((s) => s?.name).filter((name): name is string => typeof name === "string");
    },
    async getConfig(stack, key) {
      try {
        return (await ws.getConfig(stack, key)).value;
      } catch (err) {
        if (KEY_NOT_FOUND.test(String((err as Error).message))) return undefined;
        throw err;
      }
    },
    async setConfig(stack, key, value) {
      await ws.setConfig(stack, key, { value });
    },
    async createStack(stack, copyFrom, secretsProvider) {
      // The Automation API's createStack has no copy-config option, and copying with
      // `config --show-secrets` + `set-all` would put secret values on a command line: the CLI's own
      // `stack init --copy-config-from` re-encrypts them for the new stack instead.
      const args = ["stack", "init", stack, "--copy-config-from", copyFrom];
      if (secretsProvider) args.push("--secrets-provider", secretsProvider);
      await run(args);
    },
    async selectStack(stack, { create, secretsProvider }) {
      if (create) await Stack.createOrSelect(stack, await workspace(secretsProvider));
      else await ws.selectStack(stack);
    },
    async destroy(stack, onOutput) {
      const selected = await Stack.select(stack, ws);
      await selected.destroy({ onOutput });
    },
    async removeStack(stack) {
      await ws.removeStack(stack);
    },
  };
}
