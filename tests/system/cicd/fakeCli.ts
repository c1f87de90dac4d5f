import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Fake `pulumi` and `git` executables for the branch-stack tests. They are real programs (the
 * Automation API spawns the CLI), keeping their state in a JSON file: stacks with their config, the
 * remote's branches, every command line received, and failures to inject.
 */
export interface FakeState {
  stacks: Record<string, Record<string, string>>;
  /** Lines `git ls-remote --heads` prints (null: git fails). */
  lsRemote: string | null;
  calls: string[];
  /** Command prefixes (e.g. "destroy", "config set") that fail, with exit 255. */
  fail: string[];
  /** `pulumi stack output --json` of each stack; keys in `secretOutputs` print `[secret]` unless --show-secrets. */
  outputs?: Record<string, Record<string, unknown>>;
  secretOutputs?: Record<string, string[]>;
  /**
   * Engine events `pulumi preview` writes to its `--event-log` file for each stack. The Automation
   * API reads that file from CLIs up to 3.205 (later ones stream events over gRPC), so tests of
   * preview set `version` to such a CLI.
   */
  previewEvents?: Record<string, object[]>;
  /** What `pulumi version` prints (default v3.248.0). */
  version?: string;
}

// The fake CLI speaks the subset of `pulumi` the Automation API sends for these operations, with the
// CLI's own error texts where the SDK reads them (`no stack named … found`, `… already exists`).
const PULUMI = String.raw`
const fs = require("fs");
const file = require("path").join(__dirname, "..", "state.json");
const state = JSON.parse(fs.readFileSync(file, "utf8"));
const args = process.argv.slice(2).filter((a) => a !== "--non-interactive");
const line = args.join(" ");
// The Automation API runs commands concurrently: calls are appended (one write each), the state is
// replaced whole (write and rename), so no process reads another's half-written file.
if (args[0] !== "version") fs.appendFileSync(file + ".calls", JSON.stringify("pulumi " + line) + "\n");
const save = () => { const tmp = file + "." + process.pid; fs.writeFileSync(tmp, JSON.stringify(state)); fs.renameSync(tmp, file); };
const out = (text) => { save(); process.stdout.write(text); process.exit(0); };
const fail = (text) => { save(); process.stderr.write(text + "\n"); process.exit(255); };
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
if (state.fail.some((p) => line.startsWith(p))) fail("error: injected failure of " + line);
const [verb, sub] = args;
if (verb === "version") out((state.version || "v3.248.0") + "\n");
if (verb === "stack" && sub === "ls") out(JSON.stringify(Object.keys(state.stacks).map((name) => ({ name, current: false }))));
if (verb === "stack" && sub === "init") {
  const name = args[2];
  if (state.stacks[name]) fail("error: stack '" + name + "' already exists");
  const from = flag("--copy-config-from");
  if (from && !state.stacks[from]) fail("error: no stack named '" + from + "' found");
  state.stacks[name] = { ...(from ? state.stacks[from] : {}) };
  out("");
}
if (verb === "stack" && sub === "select") {
  const name = flag("--stack");
  if (!state.stacks[name]) fail("error: no stack named '" + name + "' found");
  out("");
}
if (verb === "stack" && sub === "history") out("[]");
if (verb === "stack" && sub === "rm") {
  const name = args.filter((a) => !a.startsWith("-"))[2];
  if (!state.stacks[name]) fail("error: no stack named '" + name + "' found");
  delete state.stacks[name];
  out("");
}
if (verb === "config" && sub === "get") {
  const config = state.stacks[flag("--stack")];
  if (!config) fail("error: no stack named '" + flag("--stack") + "' found");
  const value = config[args[2]];
  if (value === undefined) fail("error: configuration key '" + args[2] + "' not found for stack '" + flag("--stack") + "'");
  out(JSON.stringify({ value, secret: false }));
}
if (verb === "config" && sub === "set") {
  const config = state.stacks[flag("--stack")];
  if (!config) fail("error: no stack named '" + flag("--stack") + "' found");
  config[args[2]] = args[args.indexOf("--") + 1];
  out("");
}
if (verb === "stack" && sub === "output") {
  const name = flag("--stack");
  const outputs = (state.outputs || {})[name];
  if (!outputs) fail("error: no stack named '" + name + "' found");
  const secret = (state.secretOutputs || {})[name] || [];
  const shown = args.includes("--show-secrets");
  out(JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, secret.includes(k) && !shown ? "[secret]" : v]))));
}
if (verb === "preview") {
  const name = flag("--stack");
  if (!state.stacks[name]) fail("error: no stack named '" + name + "' found");
  const events = (state.previewEvents || {})[name] || [];
  const log = flag("--event-log");
  // Appended one event at a time, as the CLI does (rewriting the file would look truncated to the
  // SDK's tail, which then reads it again from the start).
  if (log) for (const e of events) fs.appendFileSync(log, JSON.stringify(e) + "\n");
  out("Previewing update (" + name + ")\n");
}
if (verb === "destroy") out("Destroying (" + flag("--stack") + ")\nResources:\n    3 deleted\n");
fail("error: the fake pulumi does not know: " + line);
`;

const GIT = String.raw`
const fs = require("fs");
const file = require("path").join(__dirname, "..", "state.json");
const state = JSON.parse(fs.readFileSync(file, "utf8"));
fs.appendFileSync(file + ".calls", JSON.stringify("git " + process.argv.slice(2).join(" ")) + "\n");
if (state.lsRemote === null) { process.stderr.write("fatal: could not read from remote repository\n"); process.exit(128); }
process.stdout.write(state.lsRemote);
`;

export interface FakeCli {
  /** Folder with `bin/pulumi` and `bin/git`. */
  root: string;
  env: Record<string, string>;
  state(): FakeState;
  update(change: (state: FakeState) => void): void;
  cleanup(): void;
}

export function lsRemoteLines(branches: string[]): string {
  return branches.map((b, i) => `${(i + 1).toString(16).padStart(40, "0")}\trefs/heads/${b}\n`).join("");
}

export function fakeCli(stacks: Record<string, Record<string, string>>, remoteBranches: string[] | null = []): FakeCli {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-cli-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  const stateFile = path.join(root, "state.json");
  const callsFile = `${stateFile}.calls`;
  const write = ({ calls, ...state }: FakeState) => {
    fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify({ ...state, calls: [] }));
    fs.renameSync(`${stateFile}.tmp`, stateFile);
    fs.writeFileSync(callsFile, calls.map((c) => JSON.stringify(c) + "\n").join(""));
  };
  write({ stacks, lsRemote: remoteBranches === null ? null : lsRemoteLines(remoteBranches), calls: [], fail: [] });
  for (const [name, body] of [["pulumi", PULUMI], ["git", GIT]]) {
    fs.writeFileSync(path.join(bin, name), `#!${process.execPath}\n${body}`, { mode: 0o755 });
  }
  const read = (): FakeState => {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as FakeState;
    const calls = fs.readFileSync(callsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string);
    return { ...state, calls };
  };
  return {
    root,
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    state: read,
    update(change) {
      const state = read();
      change(state);
      write(state);
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
