/**
 * Pull-request builds per changed pipeline: against a copy of the development branch, a pipeline
 * whose step code changed is run, one whose content is the same is skipped with its reason.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipelineDefinitions } from "../../../pipelines/definitions";
import { changedCommand, changedPipelines, loadDefinitions } from "../../../tools/pipeline/changed";
import { InputError } from "../../../shared/errors";

const REPO = path.resolve(__dirname, "../../..");
let base: string;

/** The development branch as a separate checkout: the project's pipelines folder, copied. */
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "changed-base-"));
  fs.cpSync(path.join(REPO, "pipelines"), path.join(base, "pipelines"), { recursive: true, filter: (src) => !src.includes("__pycache__") });
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await changedCommand(["changed", ...argv], REPO, pipelineDefinitions, (l) => void (text += l));
  return { code, text };
}

test("identical checkouts: every published pipeline is skipped, each with its unchanged hash", async () => {
  const { code, text } = await run(["--base", base, "--json"]);
  expect(code).toBe(0);
  const result = JSON.parse(text);
  expect(result.changed).toEqual([]);
  expect(result.skipped.map((s: { pipeline: string; reason: string }) => [s.pipeline, s.reason])).toEqual([
    ["scoring", expect.stringMatching(/^content hash [0-9a-f]{12} unchanged against the development branch$/)],
    ["training", expect.stringMatching(/^content hash [0-9a-f]{12} unchanged against the development branch$/)],
  ]);
});

test("a step only training uses changed on the development branch: training runs, scoring is skipped", async () => {
  const script = path.join(base, "pipelines/steps/register_model/register_model.py");
  const original = fs.readFileSync(script, "utf8");
  fs.writeFileSync(script, `${original}\n# an older revision\n`);
  try {
    const { text } = await run(["--base", base, "--json"]);
    const result = JSON.parse(text);
    expect(result.changed).toEqual([{ pipeline: "training", hash: expect.any(String), reason: expect.stringMatching(/^content hash [0-9a-f]{12} on the development branch → [0-9a-f]{12}$/) }]);
    expect(result.skipped.map((s: { pipeline: string }) => s.pipeline)).toEqual(["scoring"]);
    const plain = await run(["--base", base]);
    expect(plain.text.split("\n")).toEqual([
      "pipelines to publish and run on the toy dataset: training",
      expect.stringMatching(/^ {2}run {3}training: content hash /),
      expect.stringMatching(/^ {2}skip {2}scoring: content hash .* unchanged/),
    ]);
  } finally {
    fs.writeFileSync(script, original);
  }
});

test("a pipeline the development branch lacks is new; one the stack does not publish is skipped as such", () => {
  const baseDefinitions = loadDefinitions(base)!;
  const { scoring: _dropped, ...withoutScoring } = baseDefinitions;
  const result = changedPipelines({
    head: { root: REPO, definitions: pipelineDefinitions },
    base: { root: base, definitions: withoutScoring, label: "dev" },
    clusters: { cpu: { name: "c", kind: "cpu" }, gpu: { name: "g", kind: "gpu" } },
    published: ["scoring"],
  });
  expect(result.changed).toEqual([{ pipeline: "scoring", hash: expect.any(String), reason: "new: not on dev" }]);
  expect(result.skipped).toEqual([{ pipeline: "training", hash: expect.any(String), reason: "not published by the stack (mlops:pipelines.publish)" }]);
});

test("a missing --base is bad input", async () => {
  await expect(run([])).rejects.toBeInstanceOf(InputError);
  await expect(run(["--base", path.join(base, "nope")])).rejects.toThrow(/--base: '.*nope' is not a folder/);
});
