"use strict";
/**
 * `npm ci` runs this as `prepare`: transpiles every project `.ts` file into the launcher's cache
 * (compile.js, used by register.js and jest's transform), so the first commands and test runs start
 * from compiled JavaScript rather than each loading the compiler. Then it runs one offline plan of dev,
 * the README's first command, with its output thrown away: that fills V8's code cache for the SDK
 * modules a command loads (codeCache.js) and the schema validators' cache
 * (shared/compiledValidators.ts), which every later command reads instead of compiling again. Safe to
 * skip or interrupt: the launcher compiles whatever is missing on use.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { compiled, ROOT } = require("./compile");

const FOLDERS = ["shared", "infra", "components", "pipelines", "policy", "tools", "bench", "tests"];
const SKIP = new Set(["node_modules", "bin", ".git"]);

function* typescriptFiles(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) yield* typescriptFiles(full);
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
      yield full;
    }
  }
}

/** Compiles every project `.ts` file the cache lacks (or holds for an older text); returns how many files there are. */
function compileProject() {
  let count = 0;
  for (const folder of FOLDERS) {
    for (const file of typescriptFiles(path.join(ROOT, folder))) {
      compiled(file);
      count++;
    }
  }
  return count;
}

/** `prepare`: compile, then one offline plan to fill V8's code cache. */
function prepare() {
  try {
    require.resolve("typescript");
  } catch {
    // An install without dev dependencies has no compiler (and no commands to run); nothing to warm.
    process.stderr.write("launcher: typescript is not installed; skipping the compile cache\n");
    return;
  }
  process.stderr.write(`launcher: ${compileProject()} TypeScript files compiled or already current\n`);
  if (process.env.MLOPS_NO_CODE_CACHE) return;
  // Best effort: a plan that fails here (a config being edited) only leaves the first command to compile.
  const plan = spawnSync(process.execPath, ["-r", path.join(__dirname, "register.js"), path.join(ROOT, "tools", "plan", "cli.ts"), "dev", "--json"], {
    cwd: ROOT,
    stdio: "ignore",
    timeout: 180_000,
  });
  process.stderr.write(
    plan.status === 0
      ? "launcher: code cache filled by an offline plan of dev\n"
      : `launcher: the offline plan of dev exited ${plan.status ?? plan.signal}; the first command fills the code cache\n`,
  );
}

module.exports = { compileProject };

if (require.main === module) prepare();
