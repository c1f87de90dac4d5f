/**
 * jest's code-caching runtime (tests/support/codeCacheRuntime.js), run by a nested jest over a probe
 * package: a node_modules module loaded through it sees what jest's own loader gives it, its entry is
 * written after the test file, taken as it is by the next run, and rewritten when V8 rejects it; a
 * worker reads and hashes each node_modules file once; storages a file enabled are off after it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const cache = require("../../tools/launch/codeCache.js") as { entryFile(filename: string, wrapped: string): string };

const REPO = path.resolve(__dirname, "../..");
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlops-jest-cache-")));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const token = randomUUID();
const pkg = path.join(dir, "node_modules", "probe");
const index = path.join(pkg, "index.js");
const indexSource = [
  '"use strict";',
  `module.exports = { token: ${JSON.stringify(token)}, filename: __filename, dirname: __dirname,`,
  '  sibling: require("./sibling"), resolved: require.resolve("./sibling"), isExports: this === module.exports, jest: typeof jest };',
].join("\n");
/** The text the runtime compiles: jest's wrapper, with the parameters jest 30's executor passes. */
const entry = () => cache.entryFile(index, `(function (module, exports, require, __dirname, __filename, jest) {${indexSource}\n})`);

beforeAll(() => {
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(index, indexSource);
  fs.writeFileSync(path.join(pkg, "sibling.js"), 'module.exports = "sibling";\n');
  fs.writeFileSync(
    path.join(dir, "probe.test.js"),
    `const probe = require("probe");
test("the probe module loads as jest loads it", () => {
  expect(probe).toEqual({ token: ${JSON.stringify(token)}, filename: ${JSON.stringify(index)}, dirname: ${JSON.stringify(pkg)},
    sibling: "sibling", resolved: ${JSON.stringify(path.join(pkg, "sibling.js"))}, isExports: true, jest: "object" });
});
`,
  );
  fs.writeFileSync(
    path.join(dir, "jest.config.json"),
    JSON.stringify({ rootDir: dir, testEnvironment: "node", testMatch: ["<rootDir>/probe.test.js"], transform: {}, cacheDirectory: path.join(dir, ".jest"), runtime: path.join(REPO, "tests", "support", "codeCacheRuntime.js") }),
  );
});

/** Runs the nested jest; it exits non-zero (and this throws) when the probe's expectations fail. */
const runJest = () =>
  execFileSync(process.execPath, [path.join(REPO, "node_modules", "jest", "bin", "jest.js"), "--config", path.join(dir, "jest.config.json"), "--ci"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MLOPS_NO_CODE_CACHE: "" },
  });

test("a node_modules module runs from the cache as jest runs it; entries are written, reused, and replaced when rejected", () => {
  fs.rmSync(entry(), { force: true });
  runJest();
  expect(fs.existsSync(entry())).toBe(true);
  const written = fs.readFileSync(entry());

  // Taken as it is: the next run passes and leaves the entry alone.
  runJest();
  expect(fs.readFileSync(entry())).toEqual(written);

  // Rejected by V8: the module still runs, and the entry is rewritten.
  fs.writeFileSync(entry(), "not V8 code");
  runJest();
  expect(fs.readFileSync(entry(), "utf8")).not.toBe("not V8 code");
}, 120_000);

test("a storage a test file enabled is disabled before the worker's next file runs", () => {
  const alsDir = path.join(dir, "storages");
  fs.mkdirSync(alsDir, { recursive: true });
  const results = path.join(alsDir, "results.txt");
  // Two identical files, whichever runs first: each checks the storages earlier files left (on a core
  // module, which every file of a worker shares), then enables its own.
  const body = `const hooks = require("node:async_hooks");
const fs = require("node:fs");
test("earlier files' storages are off", async () => {
  const earlier = (hooks.mlopsProbeStorages ??= []);
  const stillOn = earlier.filter((s) => s.enabled === true).length;
  const storage = new hooks.AsyncLocalStorage();
  await storage.run({ file: __filename }, async () => expect(storage.getStore()).toEqual({ file: __filename }));
  fs.appendFileSync(${JSON.stringify(results)}, \`earlier=\${earlier.length} on=\${stillOn} own=\${storage.enabled}\\n\`);
  earlier.push(storage);
});
`;
  for (const name of ["first", "second"]) fs.writeFileSync(path.join(alsDir, `${name}.test.js`), body);
  fs.writeFileSync(
    path.join(alsDir, "jest.config.json"),
    JSON.stringify({ rootDir: alsDir, testEnvironment: "node", transform: {}, cacheDirectory: path.join(alsDir, ".jest"), runtime: path.join(REPO, "tests", "support", "codeCacheRuntime.js") }),
  );
  execFileSync(process.execPath, [path.join(REPO, "node_modules", "jest", "bin", "jest.js"), "--config", path.join(alsDir, "jest.config.json"), "--ci", "--runInBand"], {
    cwd: alsDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Each file's own storage was on while it ran (so the check can fail); the second found the first's off.
  expect(fs.readFileSync(results, "utf8").trim().split("\n")).toEqual(["earlier=0 on=0 own=true", "earlier=1 on=0 own=true"]);
}, 120_000);


test("a worker reads and hashes each installed node_modules file once, and every test file still runs its own instance and reads the caches the run writes", () => {
  const onceDir = path.join(dir, "once");
  const lib = path.join(onceDir, "node_modules", "twice");
  fs.mkdirSync(lib, { recursive: true });
  fs.writeFileSync(path.join(lib, "index.js"), 'module.exports = { part: require("./part"), instance: Symbol("instance") };\n');
  fs.writeFileSync(path.join(lib, "part.js"), 'const os = require("node:os");\nos.mlopsProbeRuns = (os.mlopsProbeRuns ?? 0) + 1;\nmodule.exports = "part";\n');
  // Two identical files: each loads the package, which runs again in each (a core module, shared by the
  // worker's files, counts the runs); and each writes a module of its own into node_modules/.cache, as
  // the run's caches are written, and gets what it wrote.
  const generated = path.join(onceDir, "node_modules", ".cache", "generated.js");
  fs.mkdirSync(path.dirname(generated), { recursive: true });
  const body = `const os = require("node:os");
test("the package runs in this file", () => {
  const before = os.mlopsProbeRuns ?? 0;
  expect(require("twice").part).toBe("part");
  expect(os.mlopsProbeRuns).toBe(before + 1);
});
test("a module the run writes under node_modules/.cache is read as written", () => {
  require("node:fs").writeFileSync(${JSON.stringify(generated)}, \`module.exports = \${JSON.stringify(__filename)};\`);
  expect(require(${JSON.stringify(generated)})).toBe(__filename);
});
`;
  for (const name of ["first", "second"]) fs.writeFileSync(path.join(onceDir, `${name}.test.js`), body);
  // Reporters run in the jest process, which runs the files too (--runInBand): the runtime's module is
  // the one that loaded them.
  const results = path.join(onceDir, "stats.json");
  const runtime = path.join(REPO, "tests", "support", "codeCacheRuntime.js");
  fs.writeFileSync(
    path.join(onceDir, "statsReporter.js"),
    `module.exports = class { onRunComplete() { const { stats } = require(${JSON.stringify(runtime)});
  const mine = (files) => files.filter((f) => f.startsWith(${JSON.stringify(lib + path.sep)})).map((f) => f.slice(${lib.length + 1})).sort();
  require("node:fs").writeFileSync(${JSON.stringify(results)}, JSON.stringify({ sourceReads: mine(stats.sourceReads), entryHashes: mine(stats.entryHashes) })); } };\n`,
  );
  fs.writeFileSync(
    path.join(onceDir, "jest.config.json"),
    JSON.stringify({ rootDir: onceDir, testEnvironment: "node", transform: {}, cacheDirectory: path.join(onceDir, ".jest"), runtime, reporters: ["default", "<rootDir>/statsReporter.js"] }),
  );
  const r = spawnSync(process.execPath, [path.join(REPO, "node_modules", "jest", "bin", "jest.js"), "--config", path.join(onceDir, "jest.config.json"), "--ci", "--runInBand"], {
    cwd: onceDir,
    encoding: "utf8",
    env: { ...process.env, MLOPS_NO_CODE_CACHE: "" },
  });
  expect({ status: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ status: 0, stderr: "" });
  expect(JSON.parse(fs.readFileSync(results, "utf8"))).toEqual({ sourceReads: ["index.js", "part.js"], entryHashes: ["index.js", "part.js"] });
}, 120_000);
