"use strict";
/**
 * jest's runtime with a V8 code cache for the modules it loads from node_modules. Every test file gets a
 * fresh module registry, so each file that touches the Pulumi SDK compiled the SDK's JavaScript again
 * (typescript.js alone is 9 MB): about half a second per file. With the cache, V8 takes the bytecode
 * compiled for an earlier file (kept in memory per worker, and in `node_modules/.cache/mlops-jest-code/`
 * across workers and runs, keyed by Node version, file name and source).
 *
 * Only node_modules files: the project's own code keeps jest's compile path untouched (its transform,
 * its error reporting). The hook is jest 30's module executor (`executor.compile`); with a jest that has
 * none, this is the plain runtime. Plain JavaScript: jest loads it untransformed (`runtime` in
 * jest.config.js).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Runtime = require("jest-runtime").default;

const CACHE_DIR = path.resolve(__dirname, "../../node_modules/.cache/mlops-jest-code");
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const memory = new Map();

class CodeCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    this.mlopsPending = [];
    const executor = this.executor;
    if (!executor || typeof executor.compile !== "function") return;
    const original = executor.compile.bind(executor);
    executor.compile = (scriptSource, filename) => {
      if (!filename.includes(NODE_MODULES)) return original(scriptSource, filename);
      const vmContext = executor.environment.getVmContext();
      if (vmContext == null) return null;
      const params = executor.injectedModuleParameters.join(", ");
      const key = crypto.createHash("sha256").update(process.version).update("\0").update(params).update("\0").update(filename).update("\0").update(scriptSource).digest("hex");
      const file = path.join(CACHE_DIR, key.slice(0, 2), key.slice(2, 40));
      let cachedData = memory.get(key);
      if (!cachedData) {
        try {
          cachedData = fs.readFileSync(file);
        } catch {}
      }
      let script;
      try {
        script = new vm.Script(`(function (${params}) {${scriptSource}\n})`, {
          filename,
          cachedData,
          importModuleDynamically: (specifier, _script, attributes) => executor.dynamicImport(specifier, filename, vmContext, attributes),
        });
      } catch {
        return original(scriptSource, filename);
      }
      if (cachedData && !script.cachedDataRejected) memory.set(key, cachedData);
      else this.mlopsPending.push({ script, key, file });
      return script.runInContext(vmContext);
    };
  }

  teardown() {
    for (const { script, key, file } of this.mlopsPending) {
      try {
        const data = script.createCachedData();
        memory.set(key, data);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, file);
      } catch {}
    }
    this.mlopsPending = [];
    return super.teardown();
  }
}

module.exports = CodeCachingRuntime;
module.exports.default = CodeCachingRuntime;
