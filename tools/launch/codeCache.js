"use strict";
/**
 * V8 code cache for every CommonJS module a command loads (the Pulumi and Azure SDKs and the project's
 * compiled TypeScript): what Node 22's `module.enableCompileCache()` does, for the Node 20 this project
 * supports. Compiling the SDKs' JavaScript is most of a plan's start-up; with the cache V8 takes the
 * bytecode of the last run instead of parsing again (https://v8.dev/blog/code-caching-for-devs).
 *
 * Each module's cache is a file in `node_modules/.cache/mlops-v8/`, named by a hash of the Node
 * version, the file name and the wrapped source, so an edited or upgraded module gets a new entry and a stale
 * one is never used. V8 checks each entry itself and rejects one made by another V8 or with other flags;
 * a rejected or missing entry is compiled as usual and written when the process exits, with the
 * functions the run compiled, so the next run skips those too.
 *
 * The module wrapper is Node's own (`Module.wrap`) and `require` is built as Node builds it, so a
 * module sees no difference. MLOPS_NO_CODE_CACHE=1 turns it off (to compare, or to rule it out).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const CACHE_DIR = path.resolve(__dirname, "../../node_modules/.cache/mlops-v8");
const SALT = `${process.version}\0${process.arch}\0`;
/** Scripts compiled without an accepted cache entry this run, written at exit. */
const pending = [];

/** The entry of a script: named by Node's version and architecture, the file's name and the exact text compiled. */
function entryFile(filename, content) {
  const key = crypto.createHash("sha1").update(SALT).update(filename).update("\0").update(content).digest("hex");
  return path.join(CACHE_DIR, key.slice(0, 2), key.slice(2));
}

function makeRequire(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** The stored cache data of an entry, or undefined when there is none. */
function readEntry(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Stores an entry whole (write, then rename) or not at all: a read-only checkout just compiles again. */
function writeEntry(file, data) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch {
    // Housekeeping only.
  }
}

/** Writes the entries of the scripts compiled so far: at exit, or earlier in a process that may be killed (tests/support/azuriteProcess.js). */
function writePending() {
  for (const { script, file } of pending.splice(0)) writeEntry(file, script.createCachedData());
}

function install() {
  if (process.env.MLOPS_NO_CODE_CACHE || Module.prototype._compile.mlopsCodeCache) return;
  const nodeCompile = Module.prototype._compile;
  const compile = function (content, filename) {
    // A hashbang is only valid on a script's first line, which the wrapper takes.
    const source = content.charCodeAt(0) === 35 && content.charCodeAt(1) === 33 ? `//${content.slice(2)}` : content;
    const wrapped = Module.wrap(source);
    const file = entryFile(filename, wrapped);
    const cachedData = readEntry(file);
    let script;
    try {
      script = new vm.Script(wrapped, {
        filename,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      // Whatever Node makes of it (its own syntax error report included).
      return nodeCompile.call(this, content, filename);
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      if (pending.length === 0) process.once("exit", writePending);
      pending.push({ script, file });
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };
  compile.mlopsCodeCache = true;
  Module.prototype._compile = compile;
}

module.exports = { install, writePending, entryFile, readEntry, writeEntry, CACHE_DIR };
