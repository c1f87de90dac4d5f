/**
 * `npm run drift -- --stale --stack dev [--delete]` against the local Azure ML REST server, with
 * the real `@azure/arm-machinelearning` client.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { EXIT } from "../../../tools/lib/cli";
import { driftCommand, DriftDeps } from "../../../tools/drift/command";
import { AmlServer, startAmlServer } from "../../support/amlServer";
import { expectGolden, lastPut } from "../../system/golden/golden";
import { fakeCli, FakeCli } from "../../system/cicd/fakeCli";
import { automationStacks } from "../../../tools/lib/pulumiStacks";

const SUB = "00000000-1111-2222-3333-444444444444";
const RG = "rg-mlops-dev";
const WS = "mlw-dev-7f3a2c";
const DEAD = { branch: "feature/gone", "branch-slug": "feature-gone", stack: "branch-feature-gone-9c8d" };
const LIVE = { branch: "feature/live", "branch-slug": "feature-live", stack: "branch-feature-live-1a2b" };

let aml: AmlServer;
let dir: string;
let stacksFile: string;
let outputsFile: string;
let ws: string;

beforeAll(async () => {
  aml = await startAmlServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-stale-"));
  stacksFile = path.join(dir, "stacks.json");
  outputsFile = path.join(dir, "outputs.json");
  fs.writeFileSync(
    stacksFile,
    JSON.stringify([
      { name: "dev", current: true, lastUpdate: "2025-06-01T02:00:00.000Z", updateInProgress: false, resourceCount: 41, url: "https://app.pulumi.com/acme/mlops-azure/dev" },
      { name: "acme/mlops-azure/qa", current: false, updateInProgress: false, resourceCount: 30 },
      { name: "prod", current: false, updateInProgress: false, resourceCount: 33 },
      { name: LIVE.stack, current: false, updateInProgress: false, resourceCount: 4 },
    ]),
  );
  fs.writeFileSync(outputsFile, JSON.stringify({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, workspaceUrl: "https://ml.azure.com" }));
});

afterAll(async () => {
  await aml.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function seedWorkspace(): void {
  aml.seedWorkspace({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS, storageAccountName: "stmlopsdev7f3a2c" });
  ws = aml.workspacePath(SUB, RG, WS);
  const container = (kind: string, name: string, tags: Record<string, string>, archived = false) =>
    aml.seed(`${ws}/${kind}/${name}`, { properties: { description: name, tags, properties: {}, isArchived: archived } });
  const component = (name: string, version: string, tags: Record<string, string>) =>
    aml.seed(`${ws}/components/${name}/versions/${version}`, {
      properties: { description: `${name} ${version}`, tags, properties: {}, isArchived: false, isAnonymous: false, componentSpec: { name, version, type: "command" } },
    });
  const model = (name: string, version: string, tags: Record<string, string>) =>
    aml.seed(`${ws}/models/${name}/versions/${version}`, {
      properties: { description: `${name} ${version}`, tags, properties: {}, isArchived: false, modelType: "custom_model", modelUri: `azureml://datastores/workspaceblobstore/paths/models/${name}/${version}` },
    });
  const job = (name: string, status: string, tags: Record<string, string>) =>
    aml.seed(`${ws}/jobs/${name}`, { properties: { jobType: "Pipeline", experimentName: "training", displayName: name, status, tags, properties: {}, jobs: {}, isArchived: false } });

  // A branch's own component: the container carries the marker.
  container("components", "train_model_feature_gone", DEAD);
  component("train_model_feature_gone", "1", DEAD);
  container("components", "train_model_feature_live", LIVE);
  component("train_model_feature_live", "1", LIVE);
  // A shared component: only one version came from the deleted branch.
  container("components", "prep_data", {});
  component("prep_data", "1", { stack: "dev" });
  component("prep_data", "a1b2c3", DEAD);
  // Tagged by an environment stack, no branch marker.
  container("components", "score_dev", { stack: "dev" });
  // Already archived: nothing left to clean.
  container("components", "old_feature_gone", DEAD, true);
  container("models", "churn_feature-gone", DEAD);
  model("churn_feature-gone", "1", DEAD);
  container("models", "churn", { stage: "production" });
  model("churn", "3", { stage: "production" });
  model("churn", "4", DEAD);
  job("run-gone-active", "Running", DEAD);
  job("run-gone-done", "Completed", DEAD);
  job("run-live", "Running", LIVE);
  job("run-dev", "Completed", { stack: "dev" });
}

function deps(overrides: Partial<DriftDeps> = {}): DriftDeps & { out: string; err: string; pulumiCalls: string[][]; questions: string[] } {
  const io = {
    out: "",
    err: "",
    pulumiCalls: [] as string[][],
    questions: [] as string[],
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    pulumi: async () => {
      io.pulumiCalls.push([]);
      throw new Error("unexpected pulumi call");
    },
    credential: () => aml.credential,
    clientOptions: { additionalPolicies: aml.clientOptions.additionalPolicies, retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 } },
    pollIntervalMs: 5,
    isInteractive: () => false,
    confirm: async (q: string) => {
      io.questions.push(q);
      return false;
    },
    ...overrides,
  };
  return io;
}

const args = (...extra: string[]) => ["--stale", "--stack", "dev", "--stacks", stacksFile, "--outputs", outputsFile, "--arm-endpoint", aml.url, ...extra];

const EXPECTED_STALE = [
  { kind: "job", name: "run-gone-active", ...DEAD, branchSlug: "feature-gone", status: "Running", action: "cancel-and-delete" },
  { kind: "job", name: "run-gone-done", ...DEAD, branchSlug: "feature-gone", status: "Completed", action: "delete" },
  { kind: "component", name: "train_model_feature_gone", ...DEAD, branchSlug: "feature-gone", action: "archive" },
  { kind: "component", name: "prep_data", version: "a1b2c3", ...DEAD, branchSlug: "feature-gone", action: "archive" },
  { kind: "model", name: "churn_feature-gone", ...DEAD, branchSlug: "feature-gone", action: "archive" },
  { kind: "model", name: "churn", version: "4", ...DEAD, branchSlug: "feature-gone", action: "archive" },
].map(({ "branch-slug": _slug, ...rest }) => rest);

describe("listing", () => {
  beforeAll(() => seedWorkspace());
  beforeEach(() => aml.clearRequests());

  test("lists exactly the assets of stacks that are gone, and changes nothing", async () => {
    const io = deps();
    const code = await driftCommand(args("--format", "json"), io);
    expect(code).toBe(EXIT.drift);
    const result = JSON.parse(io.out);
    expect(result.workspace).toEqual({ subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS });
    expect(result.stale).toEqual(EXPECTED_STALE);
    expect(result.cleaned).toBeNull();
    expect(aml.writes()).toEqual([]);
    expect(aml.reads().length).toBeGreaterThan(0);
  });

  test("text listing names each asset, its branch stack and what --delete would do", async () => {
    const io = deps();
    expect(await driftCommand(args(), io)).toBe(EXIT.drift);
    expect(io.out).toContain(`Workspace ${WS} (resource group ${RG}) of stack dev: 6 assets of deleted branch stacks:`);
    expect(io.out).toContain("job run-gone-active (Running): stack branch-feature-gone-9c8d, branch feature/gone → cancel, then delete");
    expect(io.out).toContain("component prep_data version a1b2c3: stack branch-feature-gone-9c8d, branch feature/gone → archive");
    expect(io.out).toContain("model churn_feature-gone (all versions)");
    expect(io.out).not.toContain("feature-live");
    expect(io.out).not.toContain("score_dev");
  });

  describe("without --stacks/--outputs: the Pulumi Automation API (a fake `pulumi` on PATH)", () => {
    let cli: FakeCli;
    beforeEach(() => {
      cli = fakeCli({ dev: {}, "acme/mlops-azure/qa": {}, prod: {}, [LIVE.stack]: {} });
      cli.update((st) => {
        st.outputs = { dev: { subscriptionId: SUB, resourceGroupName: RG, workspaceName: WS } };
      });
    });
    afterEach(() => cli.cleanup());
    const viaAutomation = () => deps({ pulumi: () => automationStacks({ workDir: path.join(__dirname, "../../.."), pulumiRoot: cli.root, envVars: cli.env, skipVersionCheck: true }) });
    const run = (io: DriftDeps) => driftCommand(["--stale", "--stack", "dev", "--arm-endpoint", aml.url, "--format", "json"], io);

    test("lists stacks and reads the outputs through LocalWorkspace (typed results, no text parsing)", async () => {
      const io = viaAutomation();
      expect(await run(io)).toBe(EXIT.drift);
      expect(JSON.parse(io.out).stale).toHaveLength(6);
      expect(cli.state().calls).toEqual(
        expect.arrayContaining(["pulumi stack ls --json", "pulumi stack output --json --stack dev", "pulumi stack output --json --show-secrets --stack dev"]),
      );
      expect(io.err).toContain("drift: listing stacks (Pulumi Automation API)");
    });

    test("a secret output stays masked and is refused, naming the output", async () => {
      cli.update((st) => {
        st.secretOutputs = { dev: ["resourceGroupName"] };
      });
      await expect(run(viaAutomation())).rejects.toMatchObject({
        problems: [expect.objectContaining({ path: "resourceGroupName", message: expect.stringMatching(/is a secret output/) })],
      });
    });

    test("a failing CLI is reported with its own message and the files to pass instead", async () => {
      cli.update((st) => {
        st.fail = ["stack ls"];
      });
      await expect(run(viaAutomation())).rejects.toThrow(/cannot read the stacks listed by the Pulumi Automation API .*: error: injected failure of stack ls --json; pass --stacks <file>/);
      // The outputs were still being read when the listing failed: the command waits for them, so no
      // `pulumi` it started outlives it (one that did once wrote into this folder as it was removed).
      expect(cli.state().calls).toContain("pulumi stack output --json --show-secrets --stack dev");
    });

    test("when both reads fail, both failures are reported at once, with the files to pass once", async () => {
      cli.update((st) => {
        st.fail = ["stack ls", "stack output"];
      });
      const failure = run(viaAutomation());
      await expect(failure).rejects.toThrow(/injected failure of stack ls --json; cannot read the outputs of stack dev .*: error: injected failure of stack output --json --stack dev; pass --stacks <file>/);
      const message = ((await failure.catch((e: Error) => e)) as Error).message;
      expect(message.match(/pass --stacks/g)).toHaveLength(1);
    });
  });
});

describe("--delete", () => {
  beforeEach(() => {
    for (const p of aml.list(`${aml.workspacePath(SUB, RG, WS)}/jobs`)) aml.remove(p.id);
    seedWorkspace();
    aml.clearRequests();
  });

  test("with no terminal and no --yes: refused with exit 2 before any call to Azure", async () => {
    await expect(driftCommand(args("--delete"), deps())).rejects.toThrow(/refusing to delete without confirmation.*--yes/);
    expect(aml.requests).toEqual([]);
  });

  test("interactive and declined: nothing changes", async () => {
    const io = deps({ isInteractive: () => true });
    expect(await driftCommand(args("--delete"), io)).toBe(EXIT.drift);
    expect(io.questions).toEqual([`Archive or delete these 6 assets in workspace ${WS}? [y/N] `]);
    expect(io.err).toContain("Nothing changed.");
    expect(aml.writes()).toEqual([]);
  });

  test("--yes archives components and models, cancels active jobs, deletes jobs; others untouched", async () => {
    const io = deps();
    expect(await driftCommand(args("--delete", "--yes"), io)).toBe(EXIT.ok);
    expect(io.questions).toEqual([]);
    expect(aml.get(`${ws}/components/train_model_feature_gone`).properties.isArchived).toBe(true);
    expect(aml.get(`${ws}/components/prep_data/versions/a1b2c3`).properties.isArchived).toBe(true);
    expect(aml.get(`${ws}/components/prep_data/versions/1`).properties.isArchived).toBe(false);
    expect(aml.get(`${ws}/components/prep_data`).properties.isArchived).toBe(false);
    expect(aml.get(`${ws}/models/churn_feature-gone`).properties.isArchived).toBe(true);
    expect(aml.get(`${ws}/models/churn/versions/4`).properties.isArchived).toBe(true);
    expect(aml.get(`${ws}/models/churn/versions/3`).properties.isArchived).toBe(false);
    expectGolden("stale-archive-component-container", lastPut(aml.requests, /\/components\/train_model_feature_gone$/));
    expectGolden("stale-archive-component-version", lastPut(aml.requests, /\/components\/prep_data\/versions\/a1b2c3$/));
    expectGolden("stale-archive-model-container", lastPut(aml.requests, /\/models\/churn_feature-gone$/));
    expectGolden("stale-archive-model-version", lastPut(aml.requests, /\/models\/churn\/versions\/4$/));
    expect(aml.get(`${ws}/components/train_model_feature_live`).properties.isArchived).toBe(false);
    // Archiving keeps what the asset was (description, tags).
    expect(aml.get(`${ws}/components/train_model_feature_gone`).properties).toMatchObject({ description: "train_model_feature_gone", tags: DEAD });
    expect(aml.get(`${ws}/jobs/run-gone-active`)).toBeUndefined();
    expect(aml.get(`${ws}/jobs/run-gone-done`)).toBeUndefined();
    expect(aml.get(`${ws}/jobs/run-live`)).toBeDefined();
    expect(aml.get(`${ws}/jobs/run-dev`)).toBeDefined();
    const jobWrites = aml.writes(/\/jobs\//).map((r) => `${r.method} ${r.path.slice(ws.length)}`);
    expect(jobWrites).toEqual(["POST /jobs/run-gone-active/cancel", "DELETE /jobs/run-gone-active", "DELETE /jobs/run-gone-done"]);
    expect(io.out).toContain("done: cancel, then delete job run-gone-active (Running)");

    const again = deps();
    expect(await driftCommand(args(), again)).toBe(EXIT.ok);
    expect(again.out).toContain("no assets of deleted branch stacks");
  });

  test("interactive and confirmed: cleans", async () => {
    const io = deps({ isInteractive: () => true, confirm: async () => true });
    expect(await driftCommand(args("--delete", "--format", "json"), io)).toBe(EXIT.ok);
    const result = JSON.parse(io.out);
    expect(result.cleaned).toHaveLength(6);
    expect(result.cleaned.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(aml.get(`${ws}/models/churn_feature-gone`).properties.isArchived).toBe(true);
  });

  test("one asset failing does not stop the others; exit 1 names it", async () => {
    aml.inject({ method: "PUT", path: "/models/churn_feature-gone", kind: "status", status: 409, code: "UserError" });
    const io = deps();
    expect(await driftCommand(args("--delete", "--yes"), io)).toBe(EXIT.failure);
    expect(io.out).toMatch(/FAILED: archive model churn_feature-gone \(all versions\)/);
    expect(io.err).toContain("1 of 6 assets could not be cleaned");
    expect(aml.get(`${ws}/models/churn_feature-gone`).properties.isArchived).toBe(false);
    expect(aml.get(`${ws}/models/churn/versions/4`).properties.isArchived).toBe(true);
  });
});

describe("bad input", () => {
  beforeEach(() => aml.clearRequests());

  async function problems(argv: string[], io = deps()): Promise<string[]> {
    try {
      await driftCommand(argv, io);
    } catch (err) {
      if (err instanceof InputError) return err.problems.map((p) => `${path.basename(p.file)}: ${p.path}: ${p.message}`);
      throw err;
    }
    throw new Error("accepted");
  }

  test("a stack listing without the audited stack (another project or backend) is refused", async () => {
    const other = path.join(dir, "other-stacks.json");
    fs.writeFileSync(other, JSON.stringify([{ name: "staging" }]));
    const found = await problems(["--stale", "--stack", "dev", "--stacks", other, "--outputs", outputsFile, "--arm-endpoint", aml.url]);
    expect(found).toEqual([expect.stringMatching(/^other-stacks.json: : does not list the stack `dev`/)]);
    expect(aml.requests).toEqual([]);
  });

  test("problems in both files are reported together", async () => {
    const stacks = path.join(dir, "bad-stacks.json");
    const outputs = path.join(dir, "bad-outputs.json");
    fs.writeFileSync(stacks, JSON.stringify([{ name: "dev" }, { current: true }]));
    fs.writeFileSync(outputs, JSON.stringify({ subscriptionId: SUB, resourceGroupName: "[secret]" }));
    expect(await problems(["--stale", "--stack", "dev", "--stacks", stacks, "--outputs", outputs, "--arm-endpoint", aml.url])).toEqual([
      "bad-stacks.json: [1].name: expected a stack name",
      "bad-outputs.json: resourceGroupName: is a secret output; export it in clear or pass --outputs with the value",
      "bad-outputs.json: workspaceName: missing: expected the workspace's workspaceName as a string",
    ]);
    expect(aml.requests).toEqual([]);
  });

  test("argument problems", async () => {
    expect(await problems(["--stale", "x.json", "--yes", "--format", "markdown", "--out", "r.md", "--arm-endpoint", "nowhere"])).toEqual([
      'command line: --format: with --stale expected text or json; found "markdown"',
      "command line: x.json: --stale takes no file argument",
      "command line: --out: not used with --stale",
      "command line: --stack: required with --stale (the stack whose workspace holds the assets, e.g. dev)",
      "command line: --yes: only meaningful with --delete",
      'command line: --arm-endpoint: expected an http(s) URL; found "nowhere"',
    ]);
  });
});
