/**
 * The launcher's V8 code cache (tools/launch/codeCache.js): a module run through it behaves as under
 * plain Node, its cache entry is written at exit and used next time, and an edited module never runs
 * from the entry of its old source.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import Module from "node:module";
import { LAUNCHER } from "../../support/launch";

const cache = require("../../../tools/launch/codeCache.js") as { entryFile(filename: string, wrapped: string): string };
/** The entry the launcher keeps for a module file: keyed by the text it compiles, Node's wrapper around the source. */
const entryFile = (filename: string, source: string) => cache.entryFile(filename, Module.wrap(source));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-code-cache-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (file: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, ["-r", LAUNCHER, file, "arg1"], { encoding: "utf8", env: { ...process.env, ...env } });

function writeModules(token: string): { main: string; dep: string } {
  const dep = path.join(dir, "dep.js");
  const main = path.join(dir, "main.js");
  fs.writeFileSync(dep, `module.exports = { token: ${JSON.stringify(token)}, dirname: __dirname, filename: __filename };\n`);
  fs.writeFileSync(
    main,
    [
      "#!/usr/bin/env node",
      '"use strict";',
      'const dep = require("./dep");',
      "console.log(JSON.stringify({",
      "  token: dep.token,",
      "  isMain: require.main === module,",
      '  resolved: require.resolve("./dep"),',
      "  dirname: dep.dirname, filename: dep.filename,",
      "  thisIsExports: this === module.exports,",
      "  argv: process.argv.slice(2),",
      "  strict: (function () { return this === undefined; })(),",
      "}));",
    ].join("\n") + "\n",
  );
  return { main, dep };
}

test("modules run through the cache see what plain Node gives them, and the entries are written at exit", () => {
  const token = randomUUID();
  const { main, dep } = writeModules(token);
  const plain = JSON.parse(execFileSync(process.execPath, [main, "arg1"], { encoding: "utf8" }));
  const first = JSON.parse(run(main));
  expect(first).toEqual(plain);
  expect(first).toEqual({ token, isMain: true, resolved: dep, dirname: dir, filename: dep, thisIsExports: true, argv: ["arg1"], strict: true });
  // The hashbang line is kept as a comment so the wrapped source compiles; the entry is keyed by what was compiled.
  const mainSource = fs.readFileSync(main, "utf8").replace(/^#!/, "//");
  expect(fs.existsSync(entryFile(main, mainSource))).toBe(true);
  expect(fs.existsSync(entryFile(dep, fs.readFileSync(dep, "utf8")))).toBe(true);
  // The second run takes the entries and gives the same result.
  expect(JSON.parse(run(main))).toEqual(first);
});

test("an edited module gets a new entry: the old bytecode never runs", () => {
  const { main, dep } = writeModules("old");
  expect(JSON.parse(run(main)).token).toBe("old");
  const oldEntry = entryFile(dep, fs.readFileSync(dep, "utf8"));
  writeModules("new");
  expect(JSON.parse(run(main)).token).toBe("new");
  expect(entryFile(dep, fs.readFileSync(dep, "utf8"))).not.toBe(oldEntry);
});

test("a corrupt entry is rejected by V8 and rewritten; MLOPS_NO_CODE_CACHE writes none", () => {
  const token = randomUUID();
  const { main, dep } = writeModules(token);
  const entry = entryFile(dep, fs.readFileSync(dep, "utf8"));
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, "not V8 code");
  expect(JSON.parse(run(main)).token).toBe(token);
  expect(fs.readFileSync(entry, "utf8")).not.toBe("not V8 code");

  const other = randomUUID();
  writeModules(other);
  expect(JSON.parse(run(main, { MLOPS_NO_CODE_CACHE: "1" })).token).toBe(other);
  expect(fs.existsSync(entryFile(dep, fs.readFileSync(dep, "utf8")))).toBe(false);
});

test("a syntax error is reported as Node reports it", () => {
  const bad = path.join(dir, "bad.js");
  fs.writeFileSync(bad, "const = 1;\n");
  let stderr = "";
  try {
    execFileSync(process.execPath, ["-r", LAUNCHER, bad], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    stderr = String((err as { stderr: string }).stderr);
  }
  expect(stderr).toContain("SyntaxError");
  expect(stderr).toContain(bad);
});
