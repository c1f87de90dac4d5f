/**
 * The plan CLI end to end, as a child process, on a small fixture program (tests/tools/plan/fixtures): what
 * the JSON, text and Markdown hold, exit codes 0/2/3, `--out` and `--against`. Each plan costs a
 * process start, so the runs happen once, side by side, and the tests read their results.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { allStrings, CliRun, FIXTURE_CLI, FIXTURE_PROJECT, runCli } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
const file = (name: string, text?: string) => {
  const f = path.join(tmp, name);
  if (text !== undefined) fs.writeFileSync(f, text);
  return f;
};
const fixture = (...args: string[]) => runCli(FIXTURE_CLI, args);

const qaOut = path.join(tmp, "qa-out");
const devOut = path.join(tmp, "dev-out");
let devJson: CliRun;
let qaJson: CliRun;
let branchJson: CliRun;
/** `dev` as text, with `--out` and `--against` the qa plan. */
let devText: CliRun;
let dev: PlanDocument;
let qa: PlanDocument;

beforeAll(async () => {
  [devJson, qaJson, branchJson] = await Promise.all([
    fixture("dev", "--json"),
    fixture("qa", "--json", "--out", qaOut),
    fixture("branch-x", "--branch", "feature/x", "--config", path.join(FIXTURE_PROJECT, "Pulumi.dev.yaml"), "--json"),
  ]);
  dev = JSON.parse(devJson.stdout);
  qa = JSON.parse(qaJson.stdout);
  devText = await fixture("dev", "--out", devOut, "--against", file("qa.plan.json", qaJson.stdout));
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const byName = (p: PlanDocument, name: string): PlanResource => {
  const r = p.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name} in plan`);
  return r;
};

describe("plan JSON", () => {
  it("is the only thing on stdout, with schemaVersion 1 and the stack's identity", () => {
    expect(devJson.code).toBe(0);
    expect(devJson.stdout.trimStart().startsWith("{")).toBe(true);
    expect(devJson.stderr).toContain("fixture program says hello");
    expect(devJson.stderr).toContain("fixture program logs through pulumi.log");
    expect(dev).toMatchObject({ schemaVersion: 1, project: "mlops", stack: "dev", kind: "environment", environment: "dev", branch: null });
  });

  it("records every registered resource with parent, protect and dependencies", () => {
    expect(dev.resources.map((r) => r.type).sort()).toEqual([
      "azure-native:machinelearningservices:Compute",
      "azure-native:machinelearningservices:Workspace",
      "azure-native:resources:ResourceGroup",
      "mlops:fixture:Environment",
      "pulumi-nodejs:dynamic/mlops:Marker",
      "pulumi:pulumi:StackReference",
    ]);
    const env = byName(dev, "fxt");
    const ws = byName(dev, "fxt-workspace");
    const cpu = byName(dev, "fxt-cpu");
    const rg = byName(dev, "fxt-rg");
    expect(env).toMatchObject({ custom: false, parent: null });
    expect(ws).toMatchObject({ parent: env.urn, protect: true, custom: true });
    expect(ws.urn).toBe("urn:pulumi:dev::mlops::mlops:fixture:Environment$azure-native:machinelearningservices:Workspace::fxt-workspace");
    // The engine qualifies a grandchild's type with the whole parent chain.
    expect(cpu.urn).toBe(
      "urn:pulumi:dev::mlops::mlops:fixture:Environment$azure-native:machinelearningservices:Workspace$azure-native:machinelearningservices:Compute::fxt-cpu",
    );
    expect(cpu.parent).toBe(ws.urn);
    expect(cpu.protect).toBe(true); // inherited from the protected parent
    expect(cpu.dependsOn).toEqual([ws.urn, rg.urn].sort());
    expect(ws.dependsOn).toEqual([rg.urn]);
    // Depending on a component means depending on what it holds.
    expect(byName(dev, "fxt-marker").dependsOn).toEqual(expect.arrayContaining([ws.urn, rg.urn, byName(dev, "upstream").urn]));
  });

  it("keeps parents before children", () => {
    const index = new Map(dev.resources.map((r, i) => [r.urn, i]));
    for (const r of dev.resources) if (r.parent) expect(index.get(r.parent)!).toBeLessThan(index.get(r.urn)!);
  });

  it("fills names known before deployment: physical names flow into dependants", () => {
    expect(byName(dev, "fxt-cpu").inputs).toMatchObject({ workspaceName: "mlw-fxt-dev", resourceGroupName: "rg-fxt-dev", computeName: "cpu-fxt" });
    expect(dev.outputs.workspaceName).toBe("mlw-fxt-dev");
  });

  it("redacts secrets wherever they occur and hides the dynamic provider's code", () => {
    const marker = byName(dev, "fxt-marker");
    expect(marker.type).toBe("pulumi-nodejs:dynamic/mlops:Marker");
    expect(marker.inputs).toMatchObject({ apiToken: "[secret]", inlineSecret: "[secret]", label: "marker" });
    expect(marker.inputs).not.toHaveProperty("__provider");
    expect(dev.outputs.secretValue).toBe("[secret]");
    expect(devJson.stdout).not.toContain("fixture-clear-text-secret");
    expect(devJson.stdout).not.toContain("__provider");
  });

  it("shows values known only after deployment as unknown", () => {
    expect(dev.outputs.principalId).toBe("[unknown]");
    expect(dev.outputs.workspaceDiscoveryUrl).toBe("[unknown]");
    // No raw wire sentinel leaks through.
    expect(allStrings(dev).some((s) => s.includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9") || s.includes("4dabf18193072939515e22adb298388d"))).toBe(false);
  });

  it("resolves stack references to <stack>:<output> placeholders", () => {
    expect(byName(dev, "upstream")).toMatchObject({ type: "pulumi:pulumi:StackReference", read: true, inputs: { name: "organization/mlops/dev" } });
    expect(dev.outputs.upstreamWorkspace).toBe("organization/mlops/dev:workspaceName");
    expect(byName(dev, "fxt-marker").inputs.upstreamWorkspace).toBe("organization/mlops/dev:workspaceName");
  });

  it("runs the policy and records findings and waivers", () => {
    expect(dev.violations).toEqual([{ policy: "fixture-advisory", level: "advisory", urn: byName(dev, "fxt-rg").urn, message: "resource groups are noted" }]);
    expect(dev.waivers).toEqual([{ policy: "fixture-waived", urn: byName(dev, "fxt-workspace").urn, reason: "fixture waiver" }]);
  });

  it("plans a branch stack with --branch and --config", () => {
    expect(branchJson.code).toBe(0);
    const branch = JSON.parse(branchJson.stdout) as PlanDocument;
    expect(branch).toMatchObject({ stack: "branch-x", kind: "branch", branch: "feature/x", environment: "dev" });
    expect(branch.outputs.environmentKind).toBe("branch");
    expect(branch.resources[0].urn.startsWith("urn:pulumi:branch-x::mlops::")).toBe(true);
  });
});

describe("plan text", () => {
  it("prints the tree with key settings, counts, outputs and policy", () => {
    expect(devText.code).toBe(0);
    const t = devText.stdout;
    expect(t).toContain("Plan for stack dev (project mlops, environment dev)");
    expect(t).toMatch(/├─ fxt  mlops:fixture:Environment\n│  ├─ fxt-workspace  azure-native:machinelearningservices:Workspace  \[protected\]  name=mlw-fxt-dev/);
    expect(t).toMatch(/│  │  └─ fxt-cpu  azure-native:machinelearningservices:Compute  \[protected\]  name=cpu-fxt .*vmSize=Standard_DS3_v2/);
    expect(t).toContain("Resources by type:");
    expect(t).toContain('principalId = "[unknown]"');
    expect(t).toContain("! advisory   fixture-advisory  fxt-rg");
    expect(t).not.toContain("fixture-clear-text-secret");
  });
});

describe("exit codes", () => {
  it("exits 3 on a mandatory violation, naming the policy, after printing the plan", () => {
    expect(qaJson.code).toBe(3);
    // qa's config tags everything it tags (the resource group and the workspace) as a violation.
    const flagged = qa.violations.filter((v) => v.level === "mandatory");
    expect(flagged.map((v) => qa.resources.find((r) => r.urn === v.urn)?.name).sort()).toEqual(["fxt-rg", "fxt-workspace"]);
    expect(new Set(flagged.map((v) => `${v.policy}: ${v.message}`))).toEqual(new Set(["fixture-mandatory: tagged fixture-violation"]));
    expect(qaJson.stderr).toContain("mandatory policy violation(s): fixture-mandatory");
  });

  it("exits 2 for bad arguments, with no stack trace", async () => {
    const notAFolder = file("plain-file", "x");
    const runs = await Promise.all([
      fixture(),
      fixture("dev", "--bogus"),
      fixture("bad/name"),
      fixture("dev", "qa"),
      fixture("dev", "--config"),
      fixture("dev", "--out", path.join(notAFolder, "out")),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(runs[0].stderr).toContain("command line: stack: missing <stack>");
    expect(runs[1].stderr).toContain("Unknown option '--bogus'");
    expect(runs[2].stderr).toContain("invalid stack name 'bad/name'");
    expect(runs[3].stderr).toContain("expected one stack, found 2");
    expect(runs[4].stderr).toContain("--config: Option '--config <value>' argument missing");
    expect(runs[5].stderr).toContain(`command line: --out: ${notAFolder} is not a directory`);
    expect(fs.readFileSync(notAFolder, "utf8")).toBe("x");
    for (const r of runs) {
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("exits 2 listing every problem of the config and the --against file at once, and writes nothing", async () => {
    const out = path.join(tmp, "never");
    const r = await fixture("dev", "--config", path.join(FIXTURE_PROJECT, "bad.yaml"), "--against", file("missing.json"), "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^5 problems found:/);
    expect(r.stderr).toContain("missing.json: cannot read the file: no such file");
    expect(r.stderr).toContain("bad.yaml: mlops:prefix:");
    expect(r.stderr).toContain("bad.yaml: mlops:location:");
    expect(r.stderr).toContain("bad.yaml: mlops:compute.clusters[0].kind:");
    expect(r.stdout).toBe("");
    expect(fs.existsSync(out)).toBe(false);
    // The program was never loaded, so nothing was registered.
    expect(r.stderr).not.toContain("fixture program says hello");
  });

  it("exits 1 when the program fails (an error inside an apply), without a stack trace or output files", async () => {
    const failOut = path.join(tmp, "fail-out");
    const r = await runCli(FIXTURE_CLI, ["dev", "--out", failOut], { FIXTURE_FAIL: "apply" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: fixture apply failed for mlw-fxt-dev");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(failOut)).toBe(false);
  });

  it("exits 2 naming an --against file that is not JSON or not a plan", async () => {
    const [notJson, notPlan] = await Promise.all([
      fixture("dev", "--against", file("notjson.json", "{ nope")),
      fixture("dev", "--against", file("v2.json", JSON.stringify({ schemaVersion: 2, stack: "dev", resources: [] }))),
    ]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain(`${file("notjson.json")}: not valid JSON`);
    expect(notPlan.code).toBe(2);
    expect(notPlan.stderr).toContain(`${file("v2.json")}: schemaVersion: expected 1, found 2`);
  });
});

describe("--out and --against", () => {
  const out = devOut;
  const run = () => devText;

  it("writes <stack>.plan.json (the same plan as --json) and <stack>.plan.md, and nothing else", () => {
    expect(run().code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["dev.plan.json", "dev.plan.md"]);
    expect(JSON.parse(fs.readFileSync(path.join(out, "dev.plan.json"), "utf8"))).toEqual(dev);
  });

  it("puts the diff in the text: changed property paths with before and after", () => {
    expect(run().stdout).toContain("Changes against");
    expect(run().stdout).toMatch(/0 added, 0 removed, 3 changed, 3 unchanged/);
    expect(run().stdout).toContain('inputs.workspaceName: "mlw-fxt-qa" → "mlw-fxt-dev"');
    expect(run().stdout).toContain('inputs.tags.fixture-violation: "mandatory" → (absent)');
  });

  it("writes Markdown with the diff, the Mermaid diagram, policy and resources", () => {
    const md = fs.readFileSync(path.join(out, "dev.plan.md"), "utf8");
    expect(md).toContain("## Plan: `mlops` / `dev`");
    expect(md).toContain("| ~ | fxt-workspace (azure-native:machinelearningservices:Workspace) | `inputs.resourceGroupName` | `\"rg-fxt-qa\"` | `\"rg-fxt-dev\"` |");
    expect(md).toMatch(/```mermaid\nflowchart LR\n  subgraph g\d+\["resource group rg-fxt-dev"\]/);
    expect(md).toMatch(/n\d+\("upstream stack<br\/>organization\/mlops\/dev"\)/);
    expect(md).toContain("| advisory | `fixture-advisory` |");
    expect(md).not.toContain("fixture-clear-text-secret");
  });

  it("still writes both files when a mandatory policy fails (exit 3), so a pull request can show why", () => {
    expect(qaJson.code).toBe(3);
    expect(fs.readdirSync(qaOut).sort()).toEqual(["qa.plan.json", "qa.plan.md"]);
    expect(JSON.parse(fs.readFileSync(path.join(qaOut, "qa.plan.json"), "utf8"))).toEqual(qa);
    expect(fs.readFileSync(path.join(qaOut, "qa.plan.md"), "utf8")).toContain("| **mandatory** | `fixture-mandatory` |");
  });
});
