import { checkName, NameKind } from "../../../shared/naming";
import { runTool } from "../../support/plans";

const ALL_KINDS: NameKind[] = [
  "stack", "experiment", "pipeline", "model", "component", "batchEndpoint", "onlineEndpoint",
  "computeCluster", "workspace", "storageAccount", "keyVault", "containerRegistry", "aksCluster", "datastore",
];

describe("npm run names", () => {
  test("a long, messy branch gets a valid name of every kind", async () => {
    // Messy but a branch git accepts (a space would not be: see the next test).
    const branch = "feature/Some_Very-Long.Branch/name-that-goes-on-and-on";
    const r = await runTool("names", ["--branch", branch, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { branch: string; slug: string; stack: string; names: { kind: NameKind; value: string }[] };
    expect(out.branch).toBe(branch);
    expect(out.slug).toMatch(/^[a-z0-9-]+$/);
    expect(out.stack).toMatch(/^branch-/);
    expect(new Set(out.names.map((n) => n.kind))).toEqual(new Set(ALL_KINDS));
    for (const n of out.names) expect(checkName(n.kind, n.value)).toBeNull();
    const models = out.names.filter((n) => n.kind === "model").map((n) => n.value);
    expect(models.every((m) => m.length <= 30)).toBe(true);
    expect(out.names.find((n) => n.kind === "stack")!.value).toBe(out.stack);
  });

  test("a branch git would refuse, or none at all after refs/heads/, is bad input", async () => {
    for (const branch of ["feature/with space", "refs/heads/"]) {
      const r = await runTool("names", ["--branch", branch, "--json"]);
      expect([branch, r.code]).toEqual([branch, 2]);
      expect(r.stderr).toMatch(/--branch: '.*' (is not a valid git branch name|names no branch)/);
      expect(r.stdout).toBe("");
    }
  });

  test("two branches that differ only at the end get different pipeline names", async () => {
    const [a, b] = await Promise.all(
      ["feature/customer-churn-model-a", "feature/customer-churn-model-b"].map(async (branch) => JSON.parse((await runTool("names", ["--branch", branch, "--json"])).stdout)),
    );
    const assets = (o: { names: { kind: string; value: string }[] }) =>
      o.names.filter((n) => ["pipeline", "model", "experiment", "component"].includes(n.kind)).map((n) => n.value);
    expect(a.names.filter((n: { kind: string }) => n.kind === "pipeline").length).toBeGreaterThan(0);
    // Same number of names on both sides, none shared: truncation kept them apart.
    expect(assets(a)).toHaveLength(assets(b).length);
    for (const name of assets(a)) expect(assets(b)).not.toContain(name);
    expect(a.stack).not.toBe(b.stack);
  });

  test("an environment stack's pipelines carry no branch marker", async () => {
    const r = await runTool("names", ["--branch", "dev", "--stack", "dev", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { stack: string; names: { kind: string; value: string }[] };
    expect(out.stack).toBe("dev");
    expect(out.names.find((n) => n.kind === "pipeline")!.value).toBe("training_badpixels");
  });

  test.each([
    [["--json"], /--branch: is required/],
    [["--branch"], /argument missing/],
    [["--branch", "x", "--stack", "bad name"], /invalid stack name/],
    [["--branch", "x", "--bogus"], /Unknown option '--bogus'/],
  ])("bad arguments %j exit 2 with a message", async (args, message) => {
    const r = await runTool("names", args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe("");
  });
});

test("every argument problem is reported at once, with the closest flag suggested", async () => {
  const r = await runTool("names", ["--brnch", "x", "--stack", "--json=yes"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^3 problems found:/);
  expect(r.stderr).toContain("--brnch: Unknown option '--brnch'; did you mean '--branch'?");
  expect(r.stderr).toContain("--stack: Option '--stack <value>' argument missing (found the flag '--json=yes'");
});

test("a missing branch and a bad stack name are reported together", async () => {
  const r = await runTool("names", ["--stack", "bad/name"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^2 problems found:/);
  expect(r.stderr).toContain("command line: --branch: is required");
  expect(r.stderr).toContain("command line: --stack: invalid stack name 'bad/name'");
  expect(r.stdout).toBe("");
});
