/**
 * Hostile input files: oversized, deeply nested, duplicate keys, alias bombs. Each is refused as bad
 * input (exit 2) naming the file and the key path, before any parser or recursive walker can hang or
 * overflow.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfigFiles } from "../../../infra/config";
import { InputError } from "../../../shared/errors";
import { INPUT_LIMITS, jsonStructureProblems } from "../../../infra/inputLimits";
import { driftCommand, DriftDeps } from "../../../tools/drift/command";
import { readPlanFile } from "../../../tools/plan/diff";

const FIXTURES = path.join(__dirname, "../../tools/drift/fixtures");
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "limits-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: mlops\nruntime: nodejs\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function problemsOf(fn: () => unknown): { file: string; path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error("accepted");
}

const config = (text: string) => {
  fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), text);
  return problemsOf(() => readStackConfigFiles({ projectDir: dir, stack: "x" }));
};

describe("stack config files", () => {
  test("a duplicate key is found in a large file in one linear pass (the yaml package's check is quadratic)", () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `  mlops:k${i}: v\n`).join("");
    const problems = config(`config:\n${keys}  mlops:k17: again\n`);
    expect(problems).toEqual([{ file: "Pulumi.x.yaml", path: "config.mlops:k17", message: expect.stringMatching(/^duplicate key 'mlops:k17'/) }]);
  });

  test("a file over the size limit is not read", () => {
    const problems = config("config:\n" + "  # padding\n".repeat(Math.ceil(INPUT_LIMITS.configBytes / 12) + 1));
    expect(problems[0]).toMatchObject({ file: "Pulumi.x.yaml", message: expect.stringMatching(/larger than the 1 MiB this command reads/) });
  });

  test("an alias bomb is refused, not expanded", () => {
    let bomb = 'config:\n  mlops:a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let prev = "a";
    for (let i = 0; i < 9; i++) {
      bomb += `  mlops:b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
      prev = `b${i}`;
    }
    expect(config(bomb)[0]).toMatchObject({ file: "Pulumi.x.yaml", message: expect.stringMatching(/^refused: .*alias/) });
  });

  test("nesting past the limit is refused with its path", () => {
    const problems = config(`config:\n  mlops:deep: ${"[".repeat(200)}${"]".repeat(200)}\n`);
    expect(problems[0]).toMatchObject({ file: "Pulumi.x.yaml", message: `nested deeper than ${INPUT_LIMITS.maxDepth} levels` });
    expect(problems[0].path).toMatch(/^config\.mlops:deep(\[0\])+$/);
  });

  test("a symlink that loops is named, not a crash", () => {
    fs.symlinkSync("Pulumi.x.yaml", path.join(dir, "Pulumi.x.yaml.tmp"));
    fs.renameSync(path.join(dir, "Pulumi.x.yaml.tmp"), path.join(dir, "Pulumi.x.yaml"));
    const problems = problemsOf(() => readStackConfigFiles({ projectDir: dir, stack: "x" }));
    expect(problems[0]).toMatchObject({ file: "Pulumi.x.yaml", message: "cannot read the file: a symbolic link that loops" });
  });
});

function io(): DriftDeps & { out: string; err: string } {
  const d = {
    out: "",
    err: "",
    stdout: (t: string) => void (d.out += t),
    stderr: (t: string) => void (d.err += t),
    pulumi: async () => {
      throw new Error("no pulumi");
    },
    credential: () => {
      throw new Error("no azure");
    },
    isInteractive: () => false,
    confirm: async () => false,
  };
  return d;
}

async function driftProblems(argv: string[]) {
  try {
    await driftCommand(argv, io());
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error("accepted");
}

describe("drift input", () => {
  test("a second `steps` key (which would hide the drifted steps) is bad input, not 'no drift'", async () => {
    const original = fs.readFileSync(path.join(FIXTURES, "preview-refresh-drift.json"), "utf8");
    const file = path.join(dir, "dup.json");
    fs.writeFileSync(file, original.replace(/\n}\s*$/, ',\n  "steps": []\n}\n'));
    expect(await driftProblems([file])).toEqual([{ file, path: "steps", message: expect.stringMatching(/^duplicate key 'steps'/) }]);
  });

  test("nesting deep enough to overflow a recursive walker is refused with its path", async () => {
    const file = path.join(dir, "deep.json");
    fs.writeFileSync(file, `{"steps":[{"newState":{"inputs":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}}]}`);
    const problems = await driftProblems([file]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, message: `nested deeper than ${INPUT_LIMITS.maxDepth} levels` });
    expect(problems[0].path).toMatch(/^steps\[0\]\.newState\.inputs\.a(\[0\])+…$/);
  });

  test("--out naming the input (by any spelling) is refused and the input is left as it was", async () => {
    const file = path.join(dir, "in.json");
    const text = fs.readFileSync(path.join(FIXTURES, "preview-refresh-drift.json"), "utf8");
    fs.writeFileSync(file, text);
    fs.symlinkSync(file, path.join(dir, "link.json"));
    for (const out of [file, path.join(dir, ".", "in.json"), path.join(dir, "link.json")]) {
      const problems = await driftProblems([file, "--out", out]);
      expect(problems).toEqual([{ file: "command line", path: "--out", message: `is the input file ${file}: the report would overwrite it` }]);
    }
    expect(fs.readFileSync(file, "utf8")).toBe(text);
  });
});

describe("saved plans (--against)", () => {
  const plan = (resources: unknown[]) => JSON.stringify({ schemaVersion: 1, stack: "dev", resources, outputs: {} });
  const resource = (extra: Record<string, unknown>) => ({ urn: "urn:pulumi:dev::mlops::t::n", type: "t", dependsOn: [], inputs: {}, ...extra });

  test("wrong-typed parent, dependsOn, custom and protect are named", () => {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, plan([resource({ parent: 7, dependsOn: [1], custom: "yes", protect: null })]));
    expect(problemsOf(() => readPlanFile(file, "plan.json")).map((p) => p.path)).toEqual([
      "resources[0].dependsOn",
      "resources[0].parent",
      "resources[0].custom",
      "resources[0].protect",
    ]);
  });

  test("deep nesting and duplicate keys are refused before the recursive diff", () => {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, plan([resource({ inputs: { x: JSON.parse("[".repeat(60) + "]".repeat(60)) } })]).replace('"x":', '"x":' + "[".repeat(10)).replace(/\]\]\}/, "]]" + "]".repeat(10) + "}"));
    expect(problemsOf(() => readPlanFile(file, "plan.json"))[0]).toMatchObject({ file: "plan.json", message: `nested deeper than ${INPUT_LIMITS.maxDepth} levels` });
    fs.writeFileSync(file, '{"schemaVersion":1,"stack":"dev","stack":"prod","resources":[]}');
    expect(problemsOf(() => readPlanFile(file, "plan.json"))).toEqual([{ file: "plan.json", path: "stack", message: expect.stringMatching(/^duplicate key 'stack'/) }]);
  });
});

describe("the JSON scan", () => {
  test("escaped keys compare by value, strings holding brackets do not count as nesting", () => {
    expect(jsonStructureProblems('{"a":1,"\\u0061":2}', "f")).toEqual([{ file: "f", path: "a", message: expect.stringMatching(/^duplicate key 'a'/) }]);
    expect(jsonStructureProblems(`{"a":"${"[".repeat(500)}","b":{"a":1}}`, "f")).toEqual([]);
    expect(jsonStructureProblems('{"a":[{"k":1},{"k":2}]}\n{"a":1}\n', "f")).toEqual([]);
  });
});
