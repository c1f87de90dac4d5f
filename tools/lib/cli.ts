import { parseArgs, ParseArgsConfig } from "node:util";
import { InputError, InputProblem, formatProblems } from "../../shared/errors";
import { suggestKey } from "../../shared/schemaErrors";

/** Exit codes shared by every command (docs/architecture.md, "Command contracts"). */
export const EXIT = { ok: 0, failure: 1, badInput: 2, policy: 3, drift: 4 } as const;

/** Thrown by a command to end with a specific code and message, without a stack trace. */
export class CliExit extends Error {
  constructor(readonly code: number, message = "") {
    super(message);
  }
}

/**
 * Parses argv and reports every problem at once (unknown flags, missing or misplaced values,
 * unexpected arguments) as bad input (exit 2), never as a crash. `command` names the command in
 * messages; unknown flags get the closest known flag suggested.
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  const config = { args: argv, options, allowPositionals: true, strict: false, tokens: true } as const;
  const parsed = parseArgs(config);
  const problems: InputProblem[] = [];
  const at = (path: string, message: string) => problems.push({ file: "command line", path, message });
  const known = Object.keys(options).map((name) => `--${name}`);
  for (const token of parsed.tokens ?? []) {
    if (token.kind === "positional" && !allowPositionals) at(token.value, `unexpected argument to ${command}`);
    if (token.kind !== "option") continue;
    const def = options[token.name];
    if (!def) {
      const hint = token.rawName.startsWith("--") ? suggestKey(token.rawName, known) : undefined;
      at(token.rawName, `Unknown option '${token.rawName}'${hint ? `; did you mean '${hint}'?` : ""}`);
    } else if (def.type === "string" && token.value === undefined) {
      at(token.rawName, `Option '${token.rawName} <value>' argument missing`);
    } else if (def.type === "string" && !token.inlineValue && token.value?.startsWith("-")) {
      // `--branch --json` would silently take "--json" as the branch.
      at(token.rawName, `Option '${token.rawName} <value>' argument missing (found the flag '${token.value}'; write ${token.rawName}=${token.value} if that is the value)`);
    } else if (def.type === "boolean" && token.inlineValue) {
      at(token.rawName, `Option '${token.rawName}' takes no value`);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  // Re-parse strictly now that the arguments are known to be well formed, for exact value types.
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new InputError([{ file: "command line", path: command, message: (err as Error).message }]);
  }
}

/** Printed under every exit-1 message: the user's input was fine, so they know where to look. */
export const FAULT_NOTE = "(exit 1: not a problem with your input; the tool, or a service or command it relies on, failed. MLOPS_DEBUG=1 prints the stack trace)";

/**
 * Runs a command's main function and turns its outcome into an exit code: bad input prints every
 * problem and exits 2; CliExit exits with its code; anything else prints its message (no stack trace
 * unless MLOPS_DEBUG is set) with FAULT_NOTE and exits 1.
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
        process.stderr.write(`error: ${e?.message ?? String(err)}\n${FAULT_NOTE}\n`);
        if (process.env.MLOPS_DEBUG) process.stderr.write(`${e?.stack}\n`);
        process.exitCode = EXIT.failure;
      }
    },
  );
}
