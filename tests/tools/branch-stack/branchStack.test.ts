import { launchArgs } from "../../support/launch";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { InputError } from "../../../shared/errors";
import { branchStackName } from "../../../shared/naming";
import { CliExit } from "../../../tools/lib/cli";
import { main, BranchStackDeps } from "../../../tools/branch-stack/cli";
import { spawnCommand } from "../../../tools/branch-stack/commands";
import { createBranchStack, removeBranchStack } from "../../../tools/branch-stack/stacks";
import { automationBackend } from "../../../tools/branch-stack/workspace";
import { FakeCli, fakeCli } from "../../system/cicd/fakeCli";

const repoRoot = join(__dirname, "../../..");

let open: FakeCli[] = [];
afterEach(() => {
  for (const f of open) f.cleanup();
  open = [];
});

/** Fake `pulumi` and `git` binaries (real processes: the Automation API spawns the CLI). */
function fakeTools(initial: Record<string, Record<string, string>>, remoteHeads: string[] | null = []) {
  const cli = fakeCli(initial, remoteHeads);
  open.push(cli);
  return {
    cli,
    backend: () => automationBackend({ workDir: repoRoot, pulumiRoot: cli.root, envVars: cli.env, skipVersionCheck: true }),
    get calls() {
      return cli.state().calls;
    },
    get stacks() {
      return new Map(Object.entries(cli.state().stacks));
    },
    failNext(prefix: string) {
      cli.update((s) => s.fail.push(prefix));
    },
  };
}

type Tools = ReturnType<typeof fakeTools>;

function deps(tools: Tools, extra: Partial<BranchStackDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const d: BranchStackDeps = {
    run: spawnCommand(undefined, tools.cli.env),
    pulumi: tools.backend,
    env: {},
    git: () => null,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...extra,
  };
  return { d, out, err };
}

const devConfig = { "mlops:environment": "dev", "mlops:location": "westeurope" };

/** The Pulumi calls, without the ones every operation makes to find its stack. */
const changes = (calls: string[]) => calls.filter((c) => c.startsWith("pulumi ") && !/^pulumi (stack ls|stack history|config get)/.test(c));

describe("branch-stack create", () => {
  it("creates the stack from dev's config, sets its branch and prints its name", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d, out } = deps(tools);
    const stack = branchStackName("feature/churn");

    expect(await main(["create", "--branch", "feature/churn"], d)).toBe(0);

    expect(tools.calls).toEqual([
      "pulumi stack ls --json",
      `pulumi stack init ${stack} --copy-config-from dev`,
      `pulumi config set mlops:branch --stack ${stack} --plaintext -- feature/churn`,
    ]);
    expect(out.join("")).toBe(`${stack}\n`);
    expect(tools.stacks.get(stack)).toEqual({ ...devConfig, "mlops:branch": "feature/churn" });
  });

  it("selects the stack on later pushes instead of failing on init", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ dev: devConfig, [stack]: { "mlops:branch": "refs/heads/feature/churn" } });
    const { d } = deps(tools);

    expect(await main(["create", "--branch", "feature/churn"], d)).toBe(0);
    expect(changes(tools.calls)).toEqual([`pulumi stack select --stack ${stack}`, `pulumi config set mlops:branch --stack ${stack} --plaintext -- feature/churn`]);
  });

  it("removes the stack it created when a later step fails, and reports the failure", async () => {
    const tools = fakeTools({ dev: devConfig });
    tools.failNext("config set");
    const { d } = deps(tools);
    const stack = branchStackName("feature/churn");
    await expect(main(["create", "--branch", "feature/churn"], d)).rejects.toThrow(/injected failure of config set/);
    expect(changes(tools.calls)).toEqual([
      `pulumi stack init ${stack} --copy-config-from dev`,
      `pulumi config set mlops:branch --stack ${stack} --plaintext -- feature/churn`,
      `pulumi stack rm --yes ${stack}`,
    ]);
    expect([...tools.stacks.keys()]).toEqual(["dev"]);
  });

  it("names the half-made stack when removing it fails too", async () => {
    const tools = fakeTools({ dev: devConfig });
    tools.failNext("config set");
    tools.failNext("stack rm");
    const { d } = deps(tools);
    const stack = branchStackName("feature/churn");
    await expect(main(["create", "--branch", "feature/churn"], d)).rejects.toThrow(new RegExp(`removing the half-made stack ${stack} failed too`));
  });

  it("never reconfigures an existing stack that belongs to another branch", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ dev: devConfig, [stack]: { "mlops:branch": "feature/other" } });
    const { d } = deps(tools);
    const err = await main(["create", "--branch", "feature/churn"], d).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(changes(tools.calls)).toEqual([]);
  });

  it("qualifies stack names with --org on Pulumi Cloud", async () => {
    const tools = fakeTools({ "acme/dev": devConfig });
    const { d, out } = deps(tools);
    await main(["create", "--branch", "feature/churn", "--org", "acme"], d);
    const stack = `acme/${branchStackName("feature/churn")}`;
    expect(tools.calls[1]).toBe(`pulumi stack init ${stack} --copy-config-from acme/dev`);
    expect(out.join("")).toBe(`${stack}\n`);
  });

  it("passes --secrets-provider to new stacks (self-managed backends have no passphrase in CI)", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools);
    const provider = "azurekeyvault://kv-mlops.vault.azure.net/keys/pulumi";
    await main(["create", "--branch", "feature/churn", "--secrets-provider", provider], d);
    expect(tools.calls[1]).toBe(`pulumi stack init ${branchStackName("feature/churn")} --copy-config-from dev --secrets-provider ${provider}`);
  });

  it("takes the branch from the CI's variables when --branch is absent", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d, out } = deps(tools, {
      env: { SYSTEM_PULLREQUEST_SOURCEBRANCH: "refs/heads/feature/from-ado", BUILD_SOURCEBRANCHNAME: "merge" },
    });
    await main(["create"], d);
    expect(out.join("")).toBe(`${branchStackName("feature/from-ado")}\n`);
    expect(tools.calls[2]).toContain("mlops:branch --stack");
    expect(tools.calls[2]).toMatch(/-- feature\/from-ado$/);
  });
});

describe("branch-stack select and name", () => {
  it("select creates the stack when missing and sets the branch", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools);
    const stack = branchStackName("bugfix/y");
    await main(["select", "--branch", "bugfix/y"], d);
    expect(changes(tools.calls)).toEqual([
      `pulumi stack select --stack ${stack}`,
      `pulumi stack init ${stack}`,
      `pulumi config set mlops:branch --stack ${stack} --plaintext -- bugfix/y`,
    ]);
    expect(tools.stacks.get(stack)).toEqual({ "mlops:branch": "bugfix/y" });
  });

  it("name runs nothing and prints the name, or JSON with its source", async () => {
    const tools = fakeTools({});
    let opened = false;
    const { d, out } = deps(tools, {
      git: () => "feature/local",
      pulumi: () => {
        opened = true;
        return tools.backend();
      },
    });
    await main(["name", "--json"], d);
    expect(opened).toBe(false);
    expect(tools.calls).toEqual([]);
    expect(JSON.parse(out.join(""))).toEqual({ branch: "feature/local", source: "git", stack: branchStackName("feature/local") });
  });
});

describe("branch-stack remove", () => {
  it("destroys, then removes the stack when --yes is given", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ dev: devConfig, [stack]: { "mlops:branch": "feature/churn" } });
    const { d, err } = deps(tools);
    await main(["remove", "--branch", "feature/churn", "--yes"], d);
    expect(changes(tools.calls)).toEqual([
      `pulumi stack select --stack ${stack}`,
      `pulumi destroy --yes --skip-preview --exec-kind auto.local --stack ${stack}`,
      `pulumi stack rm --yes ${stack}`,
    ]);
    expect(tools.stacks.has(stack)).toBe(false);
    expect(err.join("")).toContain(`stack ${stack} (branch feature/churn`);
    expect(err.join("")).toContain("3 deleted");
  });

  it("asks first, and removes nothing when the answer is no", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ [stack]: {} });
    const questions: string[] = [];
    const { d } = deps(tools, {
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    await expect(main(["remove", "--branch", "feature/churn"], d)).rejects.toBeInstanceOf(CliExit);
    expect(questions[0]).toContain(stack);
    expect(tools.calls).toEqual([]);
  });

  it("refuses without --yes when there is no terminal to ask on (exit 2)", async () => {
    const tools = fakeTools({});
    const { d } = deps(tools);
    const err = await main(["remove", "--branch", "feature/churn"], d).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems[0].path).toBe("--yes");
    expect(tools.calls).toEqual([]);
  });

  it("refuses to destroy a stack whose recorded branch is another branch", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ [stack]: { "mlops:branch": "feature/someone-else" } });
    const { d } = deps(tools);
    const err = await main(["remove", "--branch", "feature/churn", "--yes"], d).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String(err.message)).toMatch(/belongs to branch 'feature\/someone-else'/);
    expect(changes(tools.calls)).toEqual([]);
    expect(tools.stacks.has(stack)).toBe(true);
  });

  it("succeeds without running destroy when the stack never existed (fork pull requests)", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools);
    expect(await main(["remove", "--branch", "feature/never", "--yes"], d)).toBe(0);
    expect(tools.calls).toEqual(["pulumi stack ls --json"]);
  });

  it("keeps the stack when destroy fails", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ [stack]: {} });
    tools.failNext("destroy");
    const { d } = deps(tools);
    await expect(main(["remove", "--branch", "feature/churn", "--yes"], d)).rejects.toThrow(/injected failure of destroy/);
    expect(tools.calls.some((c) => c.startsWith("pulumi stack rm"))).toBe(false);
    expect(tools.stacks.has(stack)).toBe(true);
  });
});

describe("branch-stack prune", () => {
  const gone = branchStackName("feature/merged");
  const live = branchStackName("feature/open");
  const liveRef = branchStackName("feature/open-ref");
  const initial: Record<string, Record<string, string>> = {
    dev: devConfig,
    qa: {},
    prod: {},
    Prod: {},
    [gone]: { "mlops:branch": "feature/merged" },
    [live]: { "mlops:branch": "feature/open" },
    // The program itself accepts `refs/heads/…` in mlops:branch: it is the same, live branch.
    [liveRef]: { "mlops:branch": "refs/heads/feature/open-ref" },
    "branch-orphan": {},
  };

  it("removes only branch stacks whose branch is gone from the remote, after listing them", async () => {
    const tools = fakeTools(initial, ["dev", "qa", "main", "feature/open", "feature/open-ref"]);
    const { d, out, err } = deps(tools);
    await main(["prune", "--yes"], d);
    expect(tools.calls[0]).toBe("git ls-remote --heads origin");
    expect(changes(tools.calls).filter((c) => c.startsWith("pulumi destroy"))).toEqual([`pulumi destroy --yes --skip-preview --exec-kind auto.local --stack ${gone}`]);
    expect([...tools.stacks.keys()].sort()).toEqual([live, liveRef, "branch-orphan", "dev", "prod", "Prod", "qa"].sort());
    expect(out.join("")).toBe(`${gone}\n`);
    expect(err.join("")).toContain(`  ${gone} (branch feature/merged)`);
  });

  it("removes nothing when the remote lists no branches", async () => {
    const tools = fakeTools(initial, []);
    const { d } = deps(tools);
    await expect(main(["prune", "--yes"], d)).rejects.toThrow(/listed no branches.*nothing removed/);
    expect(changes(tools.calls)).toEqual([]);
  });

  it("removes nothing when git fails or prints something else", async () => {
    const failing = fakeTools(initial, null);
    await expect(main(["prune", "--yes"], deps(failing).d)).rejects.toThrow(/git ls-remote --heads origin` exited with 128/);
    expect(changes(failing.calls)).toEqual([]);

    const garbled = fakeTools(initial, ["main"]);
    garbled.cli.update((s) => (s.lsRemote = "warning: redirecting to https://example.invalid\n" + s.lsRemote));
    await expect(main(["prune", "--yes"], deps(garbled).d)).rejects.toThrow(/not '<sha>\\t<ref>'/);
    expect(changes(garbled.calls)).toEqual([]);
  });

  it("needs --yes without a terminal, and destroys nothing then", async () => {
    const tools = fakeTools(initial, ["main"]);
    const { d, err } = deps(tools);
    const e = await main(["prune"], d).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect(err.join("")).toContain(gone);
    expect(changes(tools.calls)).toEqual([]);
  });
});

describe("branch-stack bad input", () => {
  it("reports every bad argument at once", async () => {
    const tools = fakeTools({});
    const { d } = deps(tools);
    const err = (await main(["explode", "--branch", "bad branch..name", "--org=-x", "--secrets-provider", "vault"], d).catch((e) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.problems.map((p) => p.path).sort()).toEqual(["--branch", "--org", "--secrets-provider", "--secrets-provider", "action"]);
    expect(tools.calls).toEqual([]);
  });

  it("never destroys or reconfigures an environment stack, even when asked to", async () => {
    const tools = fakeTools({ dev: devConfig, "acme/prod": {} });
    const ctx = { pulumi: await tools.backend(), run: spawnCommand(undefined, tools.cli.env), devStack: "dev", log: () => undefined };
    await expect(removeBranchStack(ctx, "dev")).rejects.toThrow(/environment stack 'dev'/);
    await expect(removeBranchStack(ctx, "acme/Prod")).rejects.toThrow(/environment stack 'acme\/Prod'/);
    await expect(createBranchStack(ctx, { branch: "main", stack: "acme/prod" })).rejects.toThrow(/environment stack 'acme\/prod'/);
    expect(tools.calls).toEqual([]);
  });

  it("exits 2 with a message and no stack trace from the command line", () => {
    const result = spawnSync(process.execPath, launchArgs("tools/branch-stack/cli.ts", ["remove", "--bogus"]), {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("command line: --bogus: Unknown option '--bogus'");
    expect(result.stderr).toContain("--bogus");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("prints the stack name alone on stdout from the command line", () => {
    const result = spawnSync(process.execPath, launchArgs("tools/branch-stack/cli.ts", ["name", "--branch", "feature/x"]), {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${branchStackName("feature/x")}\n`);
  });

  it("drives the pulumi found on PATH from the command line, exit 1 naming the failing command", () => {
    const tools = fakeTools({ dev: devConfig }, ["main"]);
    tools.failNext("stack init");
    const result = spawnSync(process.execPath, launchArgs("tools/branch-stack/cli.ts", ["create", "--branch", "feature/x"]), {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, ...tools.cli.env, PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true" },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("injected failure of stack init");
    expect(result.stderr).toContain("exit 1: not a problem with your input");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(tools.stacks.has(branchStackName("feature/x"))).toBe(false);
  });
});
