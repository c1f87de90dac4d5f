import { parseArgs, ParseArgsConfig } from "node:util";
import { InputError, formatProblems } from "../../infra/errors";

/** Exit codes shared by every command (ARCHITECTURE §5, §9). */
export const EXIT = { ok: 0, failure: 1, badInput: 2, policy: 3, drift: 4 } as const;

/** Thrown by a command to end with a specific code and message, without a stack trace. */
export class CliExit extends Error {
  constructor(readonly code: number, message = "") {
    super(message);
  }
}

/**
 * Parses argv strictly; an unknown flag or a missing value is bad input (exit 2), not a crash.
 * `file` names what is being parsed in messages (the command line).
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new InputError([{ file: "command line", path: command, message: (err as Error).message }]);
  }
}

/**
 * Runs a command's main function and turns its outcome into an exit code: bad input prints every
 * problem and exits 2; CliExit exits with its code; anything else prints its message (no stack trace
 * unless MLOPS_DEBUG is set) and exits 1.
 */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? EXIT.ok;
    },
    (err: unknown) => {
      if (err instanceof InputError) {
        process.stderr.write(formatProblems(err.problems) + "\n");
        process.exitCode = EXIT.badInput;
      } else if (err instanceof CliExit) {
        if (err.message) process.stderr.write(err.message + "\n");
        process.exitCode = err.code;
      } else {
        const e = err as Error;
        process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
        if (process.env.MLOPS_DEBUG) process.stderr.write(`${e?.stack}\n`);
        process.exitCode = EXIT.failure;
      }
    },
  );
}
