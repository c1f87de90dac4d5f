import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { main, ModelCliDeps } from "../../../tools/model/approval";
import { InputError } from "../../../shared/errors";
import { expectGolden, lastPut } from "../../system/golden/golden";
import { launchArgs } from "../../support/launch";

const WS = { subscriptionId: "33333333-3333-3333-3333-333333333333", resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" };
const ROOT = path.resolve(__dirname, "../../..");

let aml: AmlServer;
let dir: string;
let outputsFile: string;
let printed: string[];
let deps: ModelCliDeps;

const versionPath = (v: string) => `${aml.workspacePath(WS.subscriptionId, WS.resourceGroupName, WS.workspaceName)}/models/churn/versions/${v}`;
const run = (...args: string[]) => main([...args, "--stack", "dev", "--outputs", outputsFile, "--arm-endpoint", aml.url], deps);

beforeAll(async () => {
  aml = await startAmlServer();
  aml.seedWorkspace({ ...WS, storageAccountName: "stmlopsdev" });
  for (const [v, createdAt, tags] of [
    ["1", "2024-01-01T00:00:00Z", { stage: "production", evaluation: "first", metric_f1: "0.8000" }],
    ["2", "2024-02-01T00:00:00Z", { team: "churn", evaluation: "passed", metric_f1: "0.9000" }],
  ] as const) {
    aml.seed(versionPath(v), { properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/m/${v}`, modelType: "custom_model", tags } }, createdAt);
  }
  dir = mkdtempSync(path.join(os.tmpdir(), "model-cli-"));
  outputsFile = path.join(dir, "dev.outputs.json");
  writeFileSync(outputsFile, JSON.stringify({ ...WS, storageAccountName: "stmlopsdev", environment: "dev" }));
});
afterAll(async () => {
  await aml.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  printed = [];
  deps = { credential: aml.credential, additionalPolicies: aml.clientOptions.additionalPolicies, stdout: (t) => void printed.push(t) };
  aml.clearRequests();
});

describe("npm run model against the local Azure ML server", () => {
  it("approve sets the tag on that version, keeping its other tags, and reports what is promoted next", async () => {
    expect(await run("approve", "churn", "2")).toBe(0);
    expect(aml.get(versionPath("2")).properties.tags).toEqual({ team: "churn", evaluation: "passed", metric_f1: "0.9000", stage: "production" });
    expect(aml.get(versionPath("2")).properties.modelUri).toBe("azureml://datastores/workspaceblobstore/paths/m/2");
    expect(printed.join("")).toMatch(/^approved churn:2 \(stage=production\) in workspace 'mlw-mlops-dev'.*newest approved version is now 2/);
    expect(aml.writes().map((r) => r.method)).toEqual(["PUT"]);
    expectGolden("model-approve-tag", lastPut(aml.requests, /\/models\/churn\/versions\/2$/));
  });

  it("approving an approved version writes nothing", async () => {
    expect(await run("approve", "churn", "2")).toBe(0);
    expect(aml.writes()).toEqual([]);
    expect(printed.join("")).toMatch(/already approved/);
  });

  it("list shows every version with its tags, newest first, and which one is promoted next", async () => {
    expect(await run("list", "churn", "--json")).toBe(0);
    const listed = JSON.parse(printed.join(""));
    expect(listed.newestApproved).toBe("2");
    expect(listed.versions.map((v: any) => [v.version, v.approved])).toEqual([["2", true], ["1", true]]);
    expect(listed.versions[0].tags).toEqual({ team: "churn", evaluation: "passed", metric_f1: "0.9000", stage: "production" });

    printed = [];
    await run("list", "churn");
    expect(printed.join("")).toMatch(/ 2\t.*approved, promoted next/);
  });

  it("revoke removes the tag: the previous approved version is what the next up promotes", async () => {
    expect(await run("revoke", "churn", "2")).toBe(0);
    expect(aml.get(versionPath("2")).properties.tags).toEqual({ team: "churn", evaluation: "passed", metric_f1: "0.9000" });
    expect(printed.join("")).toMatch(/revoked approval of churn:2.*newest approved version is now 1/);
  });

  it("honours a custom approval tag", async () => {
    expect(await main(["approve", "churn", "1", "--stack", "dev", "--outputs", outputsFile, "--arm-endpoint", aml.url, "--tag", "release=qa"], deps)).toBe(0);
    expect(aml.get(versionPath("1")).properties.tags).toEqual({ stage: "production", evaluation: "first", metric_f1: "0.8000", release: "qa" });
  });

  it("reads the workspace from `pulumi stack output --json` when no --outputs file is given", async () => {
    const asked: string[] = [];
    deps.stackOutputs = async (stack) => {
      asked.push(stack);
      return JSON.stringify(WS);
    };
    expect(await main(["list", "churn", "--stack", "dev", "--arm-endpoint", aml.url, "--json"], deps)).toBe(0);
    expect(asked).toEqual(["dev"]);
    expect(JSON.parse(printed.join("")).workspace).toEqual(WS);
  });

  it("rejects a version the workspace does not have as bad input, writing nothing", async () => {
    const err = await run("approve", "churn", "9").catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems).toEqual([
      { file: "command line", path: "<version>", message: expect.stringMatching(/model 'churn' has no version '9' in workspace 'mlw-mlops-dev'/) },
    ]);
    expect(aml.writes()).toEqual([]);
  });
});

describe("evaluation before approval", () => {
  const seed = (v: string, tags: Record<string, string>) =>
    aml.seed(versionPath(v), { properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/m/${v}`, modelType: "custom_model", tags } }, `2024-0${v}-01T00:00:00Z`);

  it("refuses a version without an evaluation or whose evaluation failed, writing nothing", async () => {
    seed("3", { metric_f1: "0.9900" });
    seed("4", { evaluation: "failed", evaluation_detail: "f1 0.7000 vs approved 0.9000 (-0.2000, tolerance 0.0)", metric_f1: "0.7000" });
    for (const [v, why] of [["3", /churn:3 is not approved: it has no evaluation/], ["4", /churn:4 is not approved: its evaluation failed \(f1 0\.7000 vs approved 0\.9000/]] as const) {
      const err = await run("approve", "churn", v).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).problems[0].message).toMatch(why);
    }
    expect(aml.writes()).toEqual([]);
  });

  it("refuses a passed evaluation whose metric is below the version approved now", async () => {
    seed("5", { evaluation: "passed", metric_f1: "0.7500" });
    const err = await run("approve", "churn", "5").catch((e) => e);
    expect((err as InputError).problems[0].message).toMatch(/its f1 0\.7500 is below the approved version 1's 0\.8000/);
  });

  it("--force --reason approves anyway and records both on the version", async () => {
    expect(await run("approve", "churn", "4", "--force", "--reason", "hotfix for ticket 42")).toBe(0);
    expect(aml.get(versionPath("4")).properties.tags).toMatchObject({ stage: "production", approval_forced: "true", approval_reason: "hotfix for ticket 42" });
    const err = await main(["approve", "churn", "4", "--stack", "dev", "--force"], deps).catch((e) => e);
    expect((err as InputError).problems.map((p) => p.path)).toEqual(["--reason"]);
    const onList = await main(["list", "churn", "--stack", "dev", "--reason", "x"], deps).catch((e) => e);
    expect((onList as InputError).problems.map((p) => p.path)).toEqual(["--reason"]);
  });
});

describe("bad arguments exit 2 with every problem and no stack trace", () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, launchArgs(path.join(ROOT, "tools/model/cli.ts"), args), {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("reports command, model, version, stack, tag and endpoint problems together", () => {
    const res = cli(["promote", "bad name", "--stack", "no spaces", "--tag", "stage", "--arm-endpoint", "http://insecure"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^5 problems found:/);
    for (const p of ["<command>: unknown command 'promote'", "<model>: 'bad name' is not a model name", "--stack: 'no spaces'", "--tag: 'stage' is not <key>=<value>", "--arm-endpoint: 'http://insecure'"]) {
      expect(res.stderr).toContain(`command line: ${p}`);
    }
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe("");
  });

  it("names the outputs file and the missing keys, along with argument problems", () => {
    const bad = path.join(dir, "bad.outputs.json");
    writeFileSync(bad, JSON.stringify({ workspaceName: "mlw", subscriptionId: "[secret]" }));
    const res = cli(["approve", "churn", "--stack", "dev", "--outputs", bad]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("command line: <version>: missing");
    expect(res.stderr).toContain(`${bad}: subscriptionId: expected a non-empty string, found "[secret]"`);
    expect(res.stderr).toContain(`${bad}: resourceGroupName: missing`);
  });

  it("rejects an unknown flag", () => {
    const res = cli(["list", "churn", "--stack", "dev", "--yes"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("command line: --yes: Unknown option '--yes'");
  });
});
