"use strict";
/**
 * Runs the project's TypeScript commands from compiled JavaScript: `node -r ./tools/launch/register.js
 * tools/<tool>/cli.ts`. Each `.ts` file is transpiled once (the TypeScript compiler, with tsconfig.json's
 * options, transpile-only as the jest suites run) into `node_modules/.cache/mlops-ts/`, keyed by a hash
 * of its path, its source, the compiler version and tsconfig.json. An edited file gets a new key, so the
 * output is never stale; nothing to rebuild by hand. `npm ci` fills the cache (`prepare`, build.js);
 * otherwise the first run does.
 *
 * Why not tsx: its resolution hooks see every module Node loads (the SDK's hundreds of files too) and
 * its start-up alone costs more than loading the SDK modules a plan needs (bench `plan`). This hook only
 * touches the project's own `.ts` files; the compiler itself is loaded only on a cache miss.
 *
 * Plain JavaScript on purpose: it is what makes TypeScript runnable.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "../..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "mlops-ts");
const TSCONFIG = path.join(ROOT, "tsconfig.json");

let salt;
/** What every output depends on besides its own source: compiler version and project options. */
function cacheSalt() {
  if (salt === undefined) {
    const version = require("typescript/package.json").version;
    salt = `${version}\n${fs.readFileSync(TSCONFIG, "utf8")}\n${process.version.split(".")[0]}`;
  }
  return salt;
}

let compilerOptions;
/** tsconfig.json's options as the compiler reads them (comments allowed), for emitting CommonJS. */
function options(ts) {
  if (!compilerOptions) {
    const read = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
    if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    const parsed = ts.convertCompilerOptionsFromJson(read.config.compilerOptions || {}, ROOT);
    compilerOptions = {
      ...parsed.options,
      module: ts.ModuleKind.CommonJS,
      noEmit: false,
      declaration: false,
      sourceMap: false,
      // Kept so MLOPS_DEBUG stack traces (Node's source-map support) point at the TypeScript lines.
      inlineSourceMap: true,
      inlineSources: false,
    };
  }
  return compilerOptions;
}

function cacheFile(filename, source) {
  const key = crypto.createHash("sha256").update(cacheSalt()).update("\0").update(filename).update("\0").update(source).digest("hex");
  return path.join(CACHE_DIR, key.slice(0, 2), `${key.slice(2)}.js`);
}

/** Transpiles one file (loading the compiler only now) and stores the output atomically. */
function transpile(filename, source, file) {
  const ts = require("typescript");
  const out = ts.transpileModule(source, { fileName: filename, compilerOptions: options(ts), reportDiagnostics: false });
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out.outputText);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still runs; it just transpiles again next time.
  }
  return out.outputText;
}

/** The compiled JavaScript of a `.ts` file: from the cache, or transpiled now. */
function compiled(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const file = cacheFile(filename, source);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return transpile(filename, source, file);
  }
}

require("./codeCache").install();

if (!Module._extensions[".ts"] || !Module._extensions[".ts"].mlopsLauncher) {
  const load = function (module, filename) {
    module._compile(compiled(filename), filename);
  };
  load.mlopsLauncher = true;
  Module._extensions[".ts"] = load;
}

module.exports = { compiled, CACHE_DIR, ROOT };
