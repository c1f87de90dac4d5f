/** `npm run drift -- <file>`: formats, --out, exit codes and argument problems. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { InputError } from "../../../shared/errors";
import { EXIT } from "../../../tools/lib/cli";
import { driftCommand, DriftDeps } from "../../../tools/drift/command";
import { launchArgs } from "../../support/launch";
import { fakeCli } from "../../system/cicd/fakeCli";
import { automationStacks } from "../../../tools/lib/pulumiStacks";

const ROOT = path.join(__dirname, "../../..");
const FIXTURES = path.join(__dirname, "fixtures");
const fixture = (name: string) => path.join(FIXTURES, name);

function capture(): DriftDeps & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    pulumi: async () => {
      throw new Error("the drift report must not run the Pulumi CLI");
    },
    credential: () => {
      throw new Error("the drift report must not call Azure");
    },
    isInteractive: () => false,
    confirm: async () => false,
  };
  return io;
}

async function problems(argv: string[]): Promise<string[]> {
  try {
    await driftCommand(argv, capture());
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error("accepted");
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-cli-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("exit codes", () => {
  test("0 with no drift, 4 with drift", async () => {
    expect(await driftCommand([fixture("refresh-no-drift.json")], capture())).toBe(EXIT.ok);
    expect(await driftCommand([fixture("preview-refresh-no-drift.json")], capture())).toBe(EXIT.ok);
    expect(await driftCommand([fixture("refresh-drift.json")], capture())).toBe(EXIT.drift);
    expect(await driftCommand([fixture("preview-refresh-drift.json")], capture())).toBe(EXIT.drift);
  });

  test("the real command: exit 4 on drift, 2 on a truncated file without a stack trace, 0 when clean", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, launchArgs("tools/drift/cli.ts", args), { cwd: ROOT, encoding: "utf8" });
    const drift = run(fixture("refresh-drift.json"), "--format", "json");
    expect(drift.status).toBe(4);
    expect(JSON.parse(drift.stdout).summary).toEqual({ high: 3, medium: 1, low: 1, unchanged: 2 });
    const bad = run(fixture("malformed-truncated.json"));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/malformed-truncated\.json: the JSON ends before the document is complete/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(bad.stdout).toBe("");
    expect(run(fixture("refresh-no-drift.json")).status).toBe(0);
  });
});

describe("formats", () => {
  test("json is the report and nothing else", async () => {
    const io = capture();
    await driftCommand([fixture("refresh-drift.json"), "--format", "json"], io);
    const report = JSON.parse(io.out);
    expect(Object.keys(report)).toEqual(["source", "stack", "drifted", "unattributed", "summary"]);
    expect(Object.keys(report.drifted[0])).toEqual(["urn", "type", "op", "severity", "properties"]);
  });

  test("text names each drifted resource, its severity, reason and values", async () => {
    const io = capture();
    await driftCommand([fixture("refresh-drift.json")], io);
    expect(io.out).toContain("5 drifted resources (3 high, 1 medium, 1 low), 2 unchanged");
    expect(io.out).toMatch(/\[high\] prod-workspace-ws \(azure-native:machinelearningservices:Workspace\): changed in Azure — public network access/);
    expect(io.out).toContain('publicNetworkAccess: declared "Disabled", in Azure "Enabled"');
  });

  test("markdown has the summary table and a property table per resource", async () => {
    const io = capture();
    await driftCommand([fixture("preview-refresh-drift.json"), "--format", "markdown"], io);
    expect(io.out).toMatch(/^## Drift report: stack `prod`/);
    expect(io.out).toContain("| 5 | 1 | 1 | 0 |");
    expect(io.out).toContain("| `publicNetworkAccess` | `\"Disabled\"` | `\"Enabled\"` |");
    expect(io.out).toContain("### 🟠 medium: `prod-cpu-compute`");
  });

  test("markdown with no drift says so", async () => {
    const io = capture();
    await driftCommand([fixture("refresh-no-drift.json"), "--format", "markdown"], io);
    expect(io.out).toContain("**No drift.**");
    expect(io.out).not.toContain("| severity |");
  });
});

describe("--out", () => {
  test("writes the report to the file (what the nightly workflow publishes), not to stdout", async () => {
    const out = path.join(dir, "drift.md");
    const io = capture();
    const code = await driftCommand([fixture("preview-refresh-drift.json"), "--format", "markdown", "--out", out], io);
    expect(code).toBe(EXIT.drift);
    const direct = capture();
    await driftCommand([fixture("preview-refresh-drift.json"), "--format", "markdown"], direct);
    expect(fs.readFileSync(out, "utf8")).toBe(direct.out);
    expect(io.out).toBe("");
    expect(io.err).toMatch(/5 high, 1 medium, 1 low, 0 unchanged; report written to/);
    expect(fs.readdirSync(dir)).toEqual(["drift.md"]);
  });

  test("replaces an existing report whole", async () => {
    const out = path.join(dir, "drift.json");
    fs.writeFileSync(out, "x".repeat(100_000));
    await driftCommand([fixture("refresh-no-drift.json"), "--format", "json", "--out", out], capture());
    expect(JSON.parse(fs.readFileSync(out, "utf8")).drifted).toEqual([]);
  });

  test("bad input writes nothing and leaves an earlier report untouched", async () => {
    const fresh = path.join(dir, "new.md");
    await expect(driftCommand([fixture("malformed-truncated.json"), "--out", fresh], capture())).rejects.toThrow(InputError);
    expect(fs.existsSync(fresh)).toBe(false);
    const old = path.join(dir, "old.md");
    fs.writeFileSync(old, "previous report");
    await expect(driftCommand([fixture("malformed-bad-steps.json"), "--out", old], capture())).rejects.toThrow(InputError);
    expect(fs.readFileSync(old, "utf8")).toBe("previous report");
    expect(fs.readdirSync(dir).sort()).toEqual(["old.md"]);
  });
});

test("an unwritable --out and a broken input file are reported together, before anything is written", async () => {
  const folderAsOut = path.join(dir, "reports");
  fs.mkdirSync(folderAsOut);
  expect(await problems([fixture("malformed-truncated.json"), "--out", folderAsOut])).toEqual([
    `--out: ${folderAsOut} is a directory`,
    expect.stringMatching(/^: the JSON ends before the document is complete/),
  ]);
  expect(fs.readdirSync(dir)).toEqual(["reports"]);
  expect(fs.readdirSync(folderAsOut)).toEqual([]);
});

test("--out into a missing directory is bad input, not a crash", async () => {
  expect(await problems([fixture("refresh-drift.json"), "--out", path.join(dir, "missing", "drift.md")])).toEqual([
    expect.stringMatching(/^--out: cannot write .*drift\.md: its directory does not exist$/),
  ]);
});

describe("argument problems, all at once", () => {
  test("unknown format, stale-only flags, extra files", async () => {
    expect(await problems(["a.json", "b.json", "--format", "yaml", "--delete"])).toEqual([
      '--format: expected one of text, markdown, json; found "yaml"',
      "--delete: only used with --stale",
      "b.json: one input file expected",
      // The first file is still read, so its problems come in the same report.
      ": cannot read the file: no such file",
    ]);
  });

  test("missing file argument", async () => {
    expect(await problems([])).toEqual([expect.stringMatching(/^<pulumi-output.json>: missing/)]);
  });

  test("a file that does not exist", async () => {
    expect(await problems([path.join(dir, "nope.json")])).toEqual([": cannot read the file: no such file"]);
  });

  test("an unknown flag", async () => {
    expect(await problems(["x.json", "--colour"])).toEqual(["--colour: Unknown option '--colour'"]);
  });
});

describe("progress", () => {
  it("says what it does on stderr while stdout carries only the report", async () => {
    const io = capture();
    expect(await driftCommand([fixture("refresh-drift.json"), "--format", "json"], io)).toBe(EXIT.drift);
    expect(io.err).toMatch(/^drift: reading .*refresh-drift\.json\ndrift: compared \d+ resources, rendering json\n$/);
    expect(() => JSON.parse(io.out)).not.toThrow();
  });
});

describe("--preview: pulumi preview --refresh through the Automation API, typed engine events", () => {
  const events = fs.readFileSync(fixture("refresh-events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  function withFakePulumi(change: (state: import("../../system/cicd/fakeCli").FakeState) => void = () => {}) {
    const cli = fakeCli({ qa: {} });
    // A CLI that writes its engine events to the --event-log file the Automation API tails.
    cli.update((st) => {
      st.version = "v3.200.0";
      st.previewEvents = { qa: events };
      change(st);
    });
    const io = capture();
    io.pulumi = () => automationStacks({ workDir: ROOT, pulumiRoot: cli.root, envVars: cli.env, skipVersionCheck: true });
    return { cli, io };
  }

  test("the report equals the one read from the same events saved by the CLI; the events can be saved and read again", async () => {
    const { cli, io } = withFakePulumi();
    try {
      const saved = path.join(dir, "qa.events.json");
      expect(await driftCommand(["--preview", "--stack", "qa", "--format", "json", "--events-out", saved], io)).toBe(EXIT.drift);
      expect(cli.state().calls).toEqual(expect.arrayContaining([expect.stringMatching(/^pulumi preview --refresh .*--event-log \S+ .*--stack qa/)]));
      const fromFile = capture();
      expect(await driftCommand([fixture("refresh-events.jsonl"), "--format", "json"], fromFile)).toBe(EXIT.drift);
      const drifted = (text: string) => JSON.parse(text).drifted;
      expect(drifted(io.out)).toEqual(drifted(fromFile.out));
      expect(drifted(io.out).length).toBeGreaterThan(0);
      const again = capture();
      expect(await driftCommand([saved, "--format", "json"], again)).toBe(EXIT.drift);
      expect(drifted(again.out)).toEqual(drifted(io.out));
      expect(io.err).toMatch(/^drift: pulumi preview --refresh of stack qa \(Pulumi Automation API\)\n/);
    } finally {
      cli.cleanup();
    }
  });

  test("an event handed over twice (the SDK's log tail can re-read its file) counts once", async () => {
    const io = capture();
    io.pulumi = async () => ({
      listStacks: async () => [],
      outputs: async () => ({}),
      previewRefresh: async (_stack, onEvent) => {
        for (const e of [...events, ...events]) onEvent(e);
      },
    });
    expect(await driftCommand(["--preview", "--stack", "qa", "--format", "json"], io)).toBe(EXIT.drift);
    const fromFile = capture();
    await driftCommand([fixture("refresh-events.jsonl"), "--format", "json"], fromFile);
    expect(JSON.parse(io.out)).toEqual({ ...JSON.parse(fromFile.out), source: JSON.parse(io.out).source });
    expect(io.err).toContain(`drift: ${events.length} engine events`);
  });

  test("a failing preview exits with the CLI's own message", async () => {
    const { cli, io } = withFakePulumi((st) => void (st.fail = ["preview"]));
    try {
      await expect(driftCommand(["--preview", "--stack", "qa"], io)).rejects.toThrow(/^pulumi preview --refresh of stack qa failed: error: injected failure of preview/);
    } finally {
      cli.cleanup();
    }
  });

  test("argument problems, all at once", async () => {
    expect(await problems(["--preview", "x.json", "--stacks", "s.json", "--events-out", path.join(dir, "no", "e.json")])).toEqual([
      "--stacks: only used with --stale",
      "--stack: required with --preview (the stack to preview with --refresh, e.g. qa)",
      "x.json: --preview takes no file argument: it runs the preview",
      expect.stringMatching(/^--events-out: /),
    ]);
    expect(await problems(["x.json", "--events-out", "e.json"])).toContain("--events-out: only used with --preview");
  });
});
