import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { detectBranch, DetectedBranch, GitRunner } from "../../infra/branchDetection";
import { InputError, InputProblem } from "../../shared/errors";
import { branchProblem, branchStackName } from "../../shared/naming";
import { CliExit, EXIT, parseCommandLine, runCli } from "../lib/cli";
import { CommandRunner, spawnCommand } from "./commands";
import { automationBackend, StackBackend } from "./workspace";
import {
  BranchStackContext,
  createBranchStack,
  remoteBranches,
  removeBranchStack,
  selectBranchStack,
  staleBranchStacks,
} from "./stacks";

const USAGE = `usage: npm run branch-stack -- [name|create|select|remove|prune] [--branch <git-branch>] [--org <org>]
                                [--dev-stack <stack>] [--secrets-provider <url>] [--remote <remote>] [--yes] [--json]
  name     print the branch stack's name (default)
  create   create the stack with dev's config (or select it when it exists); set mlops:branch
  select   select the stack, creating an empty one when missing; set mlops:branch
  remove   pulumi destroy, then pulumi stack rm (asks first; --yes required without a terminal);
           refuses a stack whose mlops:branch names another branch
  prune    remove every branch stack whose branch is gone from <remote> (default origin); lists them
           first, asks (or needs --yes), and removes nothing when the remote lists no branches
Exit codes: 0 done, 1 git or pulumi failed (message names the command), 2 bad input or refused.
The branch comes from --branch, else the CI's variables, else the local checkout. Only the stack
name (or JSON with --json) goes to stdout.`;

const ACTIONS = ["name", "create", "select", "remove", "prune"] as const;
type Action = (typeof ACTIONS)[number];

export interface BranchStackDeps {
  /** Runs `git` (the remote's branch listing for prune). */
  run: CommandRunner;
  /** Pulumi through the Automation API; opened only by the actions that need it. */
  pulumi: () => Promise<StackBackend>;
  env: NodeJS.ProcessEnv;
  git?: GitRunner;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks the user; resolves false when they decline. Absent = no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
}


function readOptions(argv: string[]) {
  const { values, positionals } = parseCommandLine("branch-stack", argv, {
    branch: { type: "string" },
    org: { type: "string" },
    "dev-stack": { type: "string" },
    "secrets-provider": { type: "string" },
    remote: { type: "string" },
    yes: { type: "boolean", short: "y" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const problems: InputProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ file: "command line", path, message });

  const action = (positionals[0] ?? "name") as Action;
  if (!ACTIONS.includes(action)) problem("action", `expected one of ${ACTIONS.join(", ")}, found '${positionals[0]}'`);
  if (positionals.length > 1) problem("action", `expected one action, found ${positionals.length}: ${positionals.join(" ")}`);
  const badBranch = values.branch !== undefined ? branchProblem(values.branch) : null;
  if (badBranch) problem("--branch", badBranch);
  for (const key of ["org", "dev-stack", "remote"] as const) {
    const value = values[key];
    if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value)) problem(`--${key}`, `'${value}' is not a valid name`);
  }
  const secrets = values["secrets-provider"];
  if (secrets !== undefined && !/^[a-z0-9]+:\/\/\S*$|^(passphrase|default)$/.test(secrets)) {
    problem("--secrets-provider", `'${secrets}' is not a secrets provider (passphrase, default, or a URL such as azurekeyvault://<vault>.vault.azure.net/keys/<key>)`);
  }
  if (secrets !== undefined && action !== "create" && action !== "select") problem("--secrets-provider", "only applies to create and select");
  if (values.remote !== undefined && action !== "prune") problem("--remote", "only applies to prune");
  if (action === "prune" && values.branch !== undefined) problem("--branch", "prune works on every branch stack; it takes no --branch");
  if (problems.length) throw new InputError(problems);
  return { action, values };
}

function resolveBranch(explicit: string | undefined, deps: BranchStackDeps): DetectedBranch {
  const detected = detectBranch({ configBranch: explicit, env: deps.env, git: deps.git });
  if (!detected) {
    throw new InputError([
      {
        file: "command line",
        path: "--branch",
        message: "no branch given and none found in GITHUB_HEAD_REF/GITHUB_REF_NAME, SYSTEM_PULLREQUEST_SOURCEBRANCH/BUILD_SOURCEBRANCH(NAME) or git (detached HEAD?)",
      },
    ]);
  }
  const bad = branchProblem(detected.branch);
  if (bad) throw new InputError([{ file: detected.source, path: "branch", message: bad }]);
  return detected;
}

async function confirmOrRefuse(deps: BranchStackDeps, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!deps.confirm) {
    throw new InputError([{ file: "command line", path: "--yes", message: "not a terminal: pass --yes to confirm removal" }]);
  }
  if (!(await deps.confirm(question))) throw new CliExit(EXIT.failure, "cancelled: nothing removed");
}

export async function main(argv: string[], deps: BranchStackDeps): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    deps.stdout(USAGE + "\n");
    return EXIT.ok;
  }
  const { action, values } = readOptions(argv);
  const qualify = (stack: string) => (values.org ? `${values.org}/${stack}` : stack);
  const needsPulumi = action !== "name";
  const ctx: BranchStackContext = {
    pulumi: needsPulumi ? await deps.pulumi() : unavailable,
    run: deps.run,
    devStack: values["dev-stack"] ?? qualify("dev"),
    secretsProvider: values["secrets-provider"],
    log: (line) => deps.stderr(line + "\n"),
  };

  if (action === "prune") {
    const remote = values.remote ?? "origin";
    const stale = await staleBranchStacks(ctx, remoteBranches(ctx, remote));
    if (stale.length === 0) {
      ctx.log(`no branch stack outlived its branch on ${remote}`);
      return EXIT.ok;
    }
    // Shown before asking, and with --yes too: the CI log records what was destroyed and why.
    ctx.log(`branch stacks whose branch is gone from ${remote}:`);
    for (const s of stale) ctx.log(`  ${s.stack} (branch ${s.branch})`);
    await confirmOrRefuse(deps, values.yes, `Destroy every resource of these ${stale.length} stack(s) and remove them?`);
    for (const target of stale) {
      await removeBranchStack(ctx, target);
      deps.stdout(target.stack + "\n");
    }
    return EXIT.ok;
  }

  const detected = resolveBranch(values.branch, deps);
  const stack = qualify(branchStackName(detected.branch));
  if (action === "create") await createBranchStack(ctx, { branch: detected.branch, stack });
  if (action === "select") await selectBranchStack(ctx, { branch: detected.branch, stack });
  if (action === "remove") {
    ctx.log(`stack ${stack} (branch ${detected.branch}, from ${detected.source}) will be destroyed and removed`);
    await confirmOrRefuse(deps, values.yes, `Destroy every resource of stack ${stack} and remove it?`);
    await removeBranchStack(ctx, { branch: detected.branch, stack });
  }
  deps.stdout(values.json ? JSON.stringify({ branch: detected.branch, source: detected.source, stack }) + "\n" : stack + "\n");
  return EXIT.ok;
}

const unavailable: StackBackend = new Proxy({} as StackBackend, {
  get: () => () => Promise.reject(new Error("internal error: this action does not use pulumi")),
});

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

if (require.main === module) {
  runCli(() =>
    main(process.argv.slice(2), {
      run: spawnCommand(),
      // The pulumi on PATH, run in the project folder (where Pulumi.yaml is).
      pulumi: () => automationBackend({ workDir: join(__dirname, "..", "..") }),
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      confirm: process.stdin.isTTY ? askOnTerminal : undefined,
    }),
  );
}
