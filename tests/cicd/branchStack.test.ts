import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { InputError } from "../../infra/errors";
import { branchStackName } from "../../infra/naming";
import { CliExit } from "../../tools/lib/cli";
import { main, BranchStackDeps } from "../../tools/branch-stack/cli";
import { CommandResult, CommandRunner } from "../../tools/branch-stack/commands";
import { createBranchStack, removeBranchStack } from "../../tools/branch-stack/stacks";

const repoRoot = join(__dirname, "..", "..");

/** A pretend Pulumi backend: a set of stacks with their config, and every command line it received. */
function fakeTools(initial: Record<string, Record<string, string>>, remoteHeads: string[] = []) {
  const stacks = new Map(Object.entries(initial).map(([name, config]) => [name, { ...config }]));
  const calls: string[] = [];
  const ok = (stdout = ""): CommandResult => ({ status: 0, stdout, stderr: "" });
  const fail = (stderr: string): CommandResult => ({ status: 255, stdout: "", stderr });
  let failDestroy = false;

  const run: CommandRunner = (command, args) => {
    calls.push([command, ...args].join(" "));
    if (command === "git") return ok(remoteHeads.map((b, i) => `${String(i).padStart(40, "0")}\trefs/heads/${b}`).join("\n") + "\n");
    const [verb, sub] = args;
    const flag = (name: string) => args[args.indexOf(name) + 1];
    if (verb === "stack" && sub === "ls") return ok(JSON.stringify([...stacks.keys()].map((name) => ({ name, current: false }))));
    if (verb === "stack" && sub === "init") {
      const name = args[2];
      if (stacks.has(name)) return fail(`stack '${name}' already exists`);
      stacks.set(name, { ...(stacks.get(flag("--copy-config-from")) ?? {}) });
      return ok();
    }
    if (verb === "stack" && sub === "select") {
      const name = args[args.length - 1];
      if (!stacks.has(name) && !args.includes("--create")) return fail("no stack named " + name);
      if (!stacks.has(name)) stacks.set(name, {});
      return ok();
    }
    if (verb === "config" && sub === "set") {
      stacks.get(flag("--stack"))![args[2]] = args[3];
      return ok();
    }
    if (verb === "config" && sub === "get") {
      const value = stacks.get(flag("--stack"))?.[args[2]];
      return value === undefined ? fail("configuration key not found") : ok(value + "\n");
    }
    if (verb === "destroy") return failDestroy ? fail("deleting failed") : ok();
    if (verb === "stack" && sub === "rm") {
      stacks.delete(args[args.length - 1]);
      return ok();
    }
    return fail("unexpected command");
  };
  return {
    run,
    calls,
    stacks,
    failDestroyNext() {
      failDestroy = true;
    },
  };
}

function deps(run: CommandRunner, extra: Partial<BranchStackDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const d: BranchStackDeps = {
    run,
    env: {},
    git: () => null,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...extra,
  };
  return { d, out, err };
}

const devConfig = { "mlops:environment": "dev", "azure-native:location": "westeurope" };

describe("branch-stack create", () => {
  it("creates the stack from dev's config, sets its branch and prints its name", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d, out } = deps(tools.run);
    const stack = branchStackName("feature/churn");

    expect(await main(["create", "--branch", "feature/churn"], d)).toBe(0);

    expect(tools.calls).toEqual([
      "pulumi stack ls --json",
      `pulumi stack init ${stack} --copy-config-from dev`,
      `pulumi config set mlops:branch feature/churn --stack ${stack}`,
    ]);
    expect(out.join("")).toBe(`${stack}\n`);
    expect(tools.stacks.get(stack)).toEqual({ ...devConfig, "mlops:branch": "feature/churn" });
  });

  it("selects the stack on later pushes instead of failing on init", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ dev: devConfig, [stack]: { "mlops:branch": "feature/churn" } });
    const { d } = deps(tools.run);

    expect(await main(["create", "--branch", "feature/churn"], d)).toBe(0);
    expect(tools.calls).toEqual([
      "pulumi stack ls --json",
      `pulumi stack select ${stack}`,
      `pulumi config set mlops:branch feature/churn --stack ${stack}`,
    ]);
  });

  it("qualifies stack names with --org on Pulumi Cloud", async () => {
    const tools = fakeTools({ "acme/dev": devConfig });
    const { d, out } = deps(tools.run);
    await main(["create", "--branch", "feature/churn", "--org", "acme"], d);
    const stack = `acme/${branchStackName("feature/churn")}`;
    expect(tools.calls[1]).toBe(`pulumi stack init ${stack} --copy-config-from acme/dev`);
    expect(out.join("")).toBe(`${stack}\n`);
  });

  it("passes --secrets-provider to new stacks (self-managed backends have no passphrase in CI)", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools.run);
    const provider = "azurekeyvault://kv-mlops.vault.azure.net/keys/pulumi";
    await main(["create", "--branch", "feature/churn", "--secrets-provider", provider], d);
    expect(tools.calls[1]).toBe(`pulumi stack init ${branchStackName("feature/churn")} --copy-config-from dev --secrets-provider ${provider}`);
  });

  it("takes the branch from the CI's variables when --branch is absent", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d, out } = deps(tools.run, {
      env: { SYSTEM_PULLREQUEST_SOURCEBRANCH: "refs/heads/feature/from-ado", BUILD_SOURCEBRANCHNAME: "merge" },
    });
    await main(["create"], d);
    expect(out.join("")).toBe(`${branchStackName("feature/from-ado")}\n`);
    expect(tools.calls[2]).toContain("mlops:branch feature/from-ado");
  });
});

describe("branch-stack select and name", () => {
  it("select runs `pulumi stack select --create` and sets the branch", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools.run);
    const stack = branchStackName("bugfix/y");
    await main(["select", "--branch", "bugfix/y"], d);
    expect(tools.calls).toEqual([`pulumi stack select --create ${stack}`, `pulumi config set mlops:branch bugfix/y --stack ${stack}`]);
  });

  it("name runs nothing and prints the name, or JSON with its source", async () => {
    const tools = fakeTools({});
    const { d, out } = deps(tools.run, { git: () => "feature/local" });
    await main(["name", "--json"], d);
    expect(tools.calls).toEqual([]);
    expect(JSON.parse(out.join(""))).toEqual({ branch: "feature/local", source: "git", stack: branchStackName("feature/local") });
  });
});

describe("branch-stack remove", () => {
  it("destroys, then removes the stack when --yes is given", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ dev: devConfig, [stack]: {} });
    const { d } = deps(tools.run);
    await main(["remove", "--branch", "feature/churn", "--yes"], d);
    expect(tools.calls).toEqual(["pulumi stack ls --json", `pulumi destroy --yes --stack ${stack}`, `pulumi stack rm --yes ${stack}`]);
    expect(tools.stacks.has(stack)).toBe(false);
  });

  it("asks first, and removes nothing when the answer is no", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ [stack]: {} });
    const questions: string[] = [];
    const { d } = deps(tools.run, {
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
    const { d } = deps(tools.run);
    const err = await main(["remove", "--branch", "feature/churn"], d).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems[0].path).toBe("--yes");
    expect(tools.calls).toEqual([]);
  });

  it("succeeds without running destroy when the stack never existed (fork pull requests)", async () => {
    const tools = fakeTools({ dev: devConfig });
    const { d } = deps(tools.run);
    expect(await main(["remove", "--branch", "feature/never", "--yes"], d)).toBe(0);
    expect(tools.calls).toEqual(["pulumi stack ls --json"]);
  });

  it("keeps the stack when destroy fails", async () => {
    const stack = branchStackName("feature/churn");
    const tools = fakeTools({ [stack]: {} });
    tools.failDestroyNext();
    const { d } = deps(tools.run);
    await expect(main(["remove", "--branch", "feature/churn", "--yes"], d)).rejects.toThrow(/pulumi destroy --yes --stack .* exited with 255/);
    expect(tools.calls.some((c) => c.startsWith("pulumi stack rm"))).toBe(false);
    expect(tools.stacks.has(stack)).toBe(true);
  });
});

describe("branch-stack prune", () => {
  it("removes only branch stacks whose branch is gone from the remote", async () => {
    const gone = branchStackName("feature/merged");
    const live = branchStackName("feature/open");
    const tools = fakeTools(
      { dev: devConfig, qa: {}, prod: {}, [gone]: { "mlops:branch": "feature/merged" }, [live]: { "mlops:branch": "feature/open" }, "branch-orphan": {} },
      ["dev", "qa", "main", "feature/open"],
    );
    const { d, out } = deps(tools.run);
    await main(["prune", "--yes"], d);
    expect(tools.calls).toContain(`pulumi destroy --yes --stack ${gone}`);
    expect(tools.calls.filter((c) => c.startsWith("pulumi destroy"))).toHaveLength(1);
    expect(tools.calls[0]).toBe("git ls-remote --heads origin");
    expect([...tools.stacks.keys()].sort()).toEqual([live, "branch-orphan", "dev", "prod", "qa"].sort());
    expect(out.join("")).toBe(`${gone}\n`);
  });
});

describe("branch-stack bad input", () => {
  it("reports every bad argument at once", async () => {
    const tools = fakeTools({});
    const { d } = deps(tools.run);
    const err = (await main(["explode", "--branch", "bad branch..name", "--org=-x", "--secrets-provider", "vault"], d).catch((e) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.problems.map((p) => p.path).sort()).toEqual(["--branch", "--org", "--secrets-provider", "--secrets-provider", "action"]);
    expect(tools.calls).toEqual([]);
  });

  it("never destroys or reconfigures an environment stack, even when asked to", () => {
    const tools = fakeTools({ dev: devConfig, "acme/prod": {} });
    const ctx = { run: tools.run, devStack: "dev", log: () => undefined };
    expect(() => removeBranchStack(ctx, "dev")).toThrow(/environment stack 'dev'/);
    expect(() => createBranchStack(ctx, { branch: "main", stack: "acme/prod" })).toThrow(/environment stack 'acme\/prod'/);
    expect(tools.calls).toEqual([]);
  });

  it("exits 2 with a message and no stack trace from the command line", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/branch-stack/cli.ts", "remove", "--bogus"], {
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
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/branch-stack/cli.ts", "name", "--branch", "feature/x"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${branchStackName("feature/x")}\n`);
  });
});
