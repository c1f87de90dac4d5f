import { spawnSync } from "node:child_process";

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one external command. `capture` keeps its output for parsing; otherwise it streams to the
 * user's terminal on stderr, so this tool's stdout carries only the stack name.
 */
export type CommandRunner = (command: string, args: string[], opts: { capture: boolean }) => CommandResult;

/** Exit status used when the command could not be started at all (e.g. not on PATH). */
export const NOT_FOUND = 127;

export const spawnCommand =
  (cwd?: string, env?: NodeJS.ProcessEnv): CommandRunner =>
  (command, args, { capture }) => {
    const result = spawnSync(command, args, {
      cwd,
      env: env ? { ...process.env, ...env } : undefined,
      encoding: "utf8",
      stdio: capture ? ["ignore", "pipe", "pipe"] : ["inherit", 2, 2],
    });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
      return { status: missing ? NOT_FOUND : 1, stdout: "", stderr: `${command}: ${result.error.message}` };
    }
    return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  };

/** A command that failed: its message names the exact command line, for the CI log. */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly result: CommandResult,
  ) {
    const hint = result.status === NOT_FOUND ? ` (is ${command} installed and on PATH?)` : "";
    const detail = result.stderr.trim() ? `\n${result.stderr.trim()}` : "";
    super(`\`${[command, ...args].join(" ")}\` exited with ${result.status}${hint}${detail}`);
  }
}

export function runOrThrow(run: CommandRunner, command: string, args: string[], capture = false): CommandResult {
  const result = run(command, args, { capture });
  if (result.status !== 0) throw new CommandFailed(command, args, result);
  return result;
}
