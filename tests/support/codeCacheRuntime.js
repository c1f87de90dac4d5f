"use strict";
/**
 * jest's runtime with a V8 code cache for the modules it loads from node_modules. Every test file gets a
 * fresh module registry, so each file that touches the Pulumi SDK compiled the SDK's JavaScript again
 * (typescript.js alone is 9 MB): about half a second per file. With the cache, V8 takes the bytecode
 * compiled for an earlier file: in memory per worker, and across workers and runs in the launcher's cache
 * (tools/launch/codeCache.js, whose entry names and atomic writes this shares).
 *
 * Only node_modules files: the project's own code keeps jest's compile path untouched (its transform,
 * its error reporting). The hook is jest 30's module executor (`executor.compile`); with a jest that has
 * none, this is the plain runtime. Plain JavaScript: jest loads it untransformed (`runtime` in
 * jest.config.js).
 */
const { AsyncLocalStorage } = require("node:async_hooks");
const path = require("node:path");
const vm = require("node:vm");
const Runtime = require("jest-runtime").default;
const { entryFile, readEntry, writeEntry } = require("../../tools/launch/codeCache");

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const WRITTEN_DURING_RUNS = `${NODE_MODULES}.cache${path.sep}`;
/** Cache data by entry file, for the later test files of this worker. */
const memory = new Map();
/**
 * The text of each node_modules file this worker has read, and the entry its wrapped text hashes to.
 * jest reads every module's file again for each test file (its file cache lives as long as one test
 * file) even when its transform cache, which is per worker, already holds the result; and hashing the
 * text for the entry name is most of what a cached load costs besides V8. Files under node_modules do
 * not change during a run (`npm ci` ran before it), except the caches under node_modules/.cache that
 * the run itself writes (compiled validators, plans): those are read as jest reads them. Measured over
 * the suite run in band: 1.8 s reading and decoding files, 1.0 s hashing.
 */
const sources = new Map();
const entries = new Map();
/** The files this worker read and hashed for the above (the test beside this file checks each happens once). */
const stats = { sourceReads: [], entryHashes: [] };

/**
 * The AsyncLocalStorage instances enabled while the current test file runs. Node 20 keeps every
 * enabled storage in one process-wide list and visits each of them for every promise created, until
 * the storage is disabled. jest-circus (its per-file test context) enables one in every test file, and
 * the Pulumi SDK (runtime/state.js) another in a file that runs a Pulumi program; nothing disables them,
 * so a worker that has run 40 files visited 40 forgotten storages or more per promise. Node's own
 * `run()` and `enterWith()` enable a storage through `_enable` (lib/async_hooks.js); where a Node has
 * no such method this list stays empty.
 */
const enabledStorages = new Set();
const enableStorage = AsyncLocalStorage.prototype._enable;
if (typeof enableStorage === "function") {
  AsyncLocalStorage.prototype._enable = function (...args) {
    enabledStorages.add(this);
    return enableStorage.apply(this, args);
  };
}

class CodeCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    this.mlopsPending = [];
    const executor = this.executor;
    if (process.env.MLOPS_NO_CODE_CACHE || !executor || typeof executor.compile !== "function") return;
    const fileCache = this.fileCache;
    if (fileCache && typeof fileCache.readFile === "function") {
      const readFile = fileCache.readFile.bind(fileCache);
      fileCache.readFile = (filename) => {
        if (!filename.includes(NODE_MODULES) || filename.includes(WRITTEN_DURING_RUNS)) return readFile(filename);
        let source = sources.get(filename);
        if (source === undefined) {
          sources.set(filename, (source = readFile(filename)));
          stats.sourceReads.push(filename);
        }
        return source;
      };
    }
    const original = executor.compile.bind(executor);
    executor.compile = (scriptSource, filename) => {
      if (!filename.includes(NODE_MODULES)) return original(scriptSource, filename);
      const vmContext = executor.environment.getVmContext();
      if (vmContext == null) return null;
      // jest's module wrapper: the parameters its executor passes, in its order.
      const parameters = executor.injectedModuleParameters.join(", ");
      const wrapped = `(function (${parameters}) {${scriptSource}\n})`;
      // The same text as last time is usually the very same string (jest's transform cache), so the
      // comparison is cheap where hashing is not.
      let entry = entries.get(filename);
      if (entry === undefined || entry.source !== scriptSource || entry.parameters !== parameters) {
        entries.set(filename, (entry = { source: scriptSource, parameters, file: entryFile(filename, wrapped) }));
        stats.entryHashes.push(filename);
      }
      const file = entry.file;
      const cachedData = memory.get(file) ?? readEntry(file);
      let script;
      try {
        script = new vm.Script(wrapped, {
          filename,
          cachedData,
          importModuleDynamically: (specifier, _script, attributes) => executor.dynamicImport(specifier, filename, vmContext, attributes),
        });
      } catch {
        return original(scriptSource, filename);
      }
      if (cachedData && !script.cachedDataRejected) memory.set(file, cachedData);
      else this.mlopsPending.push({ script, file });
      return script.runInContext(vmContext);
    };
  }

  /**
   * After the test file ran: its functions are compiled now, so the entries carry them too; the storages
   * it enabled are disabled (a later `run()` would enable one again).
   */
  teardown() {
    for (const storage of enabledStorages) storage.disable();
    enabledStorages.clear();
    for (const { script, file } of this.mlopsPending.splice(0)) {
      const data = script.createCachedData();
      memory.set(file, data);
      writeEntry(file, data);
    }
    return super.teardown();
  }
}

module.exports = CodeCachingRuntime;
module.exports.default = CodeCachingRuntime;
module.exports.stats = stats;
