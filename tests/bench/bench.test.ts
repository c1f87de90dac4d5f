/** The benchmark harness's own contract (the benchmarks' figures are measured by `npm run bench`, not here). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { readRecord, renderResults, writeResults } from "../../bench/lib/results";
import { machineDetails } from "../../bench/lib/machine";
import { sdkModuleFiles } from "../../bench/lib/sdkModules";
import { scaledConfig } from "../../bench/benchmarks/plan-scaling";
import { listBenchmarks } from "../../bench/run";
import { prepareStack } from "../../tools/plan/prepare";
import { REPO, runCli } from "../tools/plan/helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-harness-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("bench harness", () => {
  it("finds the plan benchmarks", () => {
    expect(listBenchmarks()).toEqual(expect.arrayContaining(["plan", "plan-scaling"]));
  });

  it("exits 2 for an unknown benchmark, naming the ones available", async () => {
    const r = await runCli(path.join(REPO, "bench", "run.ts"), ["no-such-bench"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown benchmark 'no-such-bench' (available: ");
    expect(r.stderr).toContain("plan-scaling");
    expect(r.stdout).toBe("");
  });

  it("keeps other benchmarks' entries when one is rewritten, with machine details", () => {
    const file = path.join(tmp, "RESULTS.md");
    const machine = machineDetails(new Date("2030-01-02T03:04:05Z"));
    writeResults(file, { a: { figures: { seconds: 1.5, steps: [1, 2] }, machine } });
    const record = readRecord(file);
    record.b = { figures: { ratio: 2 }, machine };
    writeResults(file, record);
    const text = fs.readFileSync(file, "utf8");
    expect(readRecord(file)).toEqual({ a: { figures: { seconds: 1.5, steps: [1, 2] }, machine }, b: { figures: { ratio: 2 }, machine } });
    expect(text).toContain("| `a` | seconds 1.5 · steps [1,2] | 2030-01-02 |");
    expect(text).toContain(`${machine.cores} cores`);
    expect(text).toContain(machine.node);
    expect(renderResults({})).toContain("# Benchmark results");
    expect(fs.readdirSync(tmp)).toEqual(["RESULTS.md"]);
  });

  it("lists each benchmark's goal and whether the last run met it", () => {
    const machine = machineDetails(new Date("2030-01-02T03:04:05Z"));
    const text = renderResults({
      fast: { figures: { ratio: 1.2, goal: "ratio <= 1.5", met: true }, machine },
      slow: { figures: { ratio: 3, goal: "ratio <= 2", met: false }, machine },
      plain: { figures: { seconds: 1 }, machine },
    });
    expect(text).toContain("## Goals");
    expect(text).toContain("| `fast` | ratio <= 1.5 | yes |");
    expect(text).toContain("| `slow` | ratio <= 2 | **no** |");
    expect(text).not.toMatch(/\| `plain` \| [^|]* \| (yes|\*\*no\*\*) \|/);
  });

  it("counts only the SDK packages a program imports as the floor", () => {
    const files = [
      "/r/node_modules/@pulumi/pulumi/index.js",
      "/r/node_modules/@pulumi/azure-native/storage/storageAccount.js",
      "/r/node_modules/@pulumi/azuread/group.js",
      "/r/node_modules/ajv/dist/ajv.js",
      "/r/node_modules/@pulumi/policy/index.js",
      "/r/infra/index.ts",
    ];
    expect(sdkModuleFiles(files)).toEqual(files.slice(0, 3));
  });
});

describe("plan-scaling config", () => {
  it("grows dev's clusters to N, keeping dev's own (pipelines use them), and passes config validation", () => {
    const yaml = scaledConfig(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"), 50);
    const file = path.join(tmp, "Pulumi.dev-50.yaml");
    fs.writeFileSync(file, yaml);
    const clusters = (parse(yaml).config["mlops:compute"] as { clusters: { name: string }[] }).clusters;
    expect(clusters).toHaveLength(50);
    expect(new Set(clusters.map((c) => c.name)).size).toBe(50);
    const own = (parse(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")).config["mlops:compute"] as { clusters: { name: string }[] }).clusters;
    expect(clusters.slice(0, own.length).map((c) => c.name)).toEqual(own.map((c) => c.name));
    const prepared = prepareStack({ stack: "dev", configFile: file });
    expect(prepared.spec.clusters).toHaveLength(50);
  });
});
