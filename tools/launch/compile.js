"use strict";
/**
 * The launcher's TypeScript compile cache (see register.js), without side effects: `compiled(file)`
 * gives a project `.ts` file's CommonJS output, from `node_modules/.cache/mlops-ts/` or transpiled now.
 * Shared by the launcher, `npm ci`'s prepare step (build.js) and jest's transform
 * (tests/support/launcherTransform.js), so tests run the very output the commands run.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { writeEntry } = require("./codeCache");

const ROOT = path.resolve(__dirname, "../..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "mlops-ts");
const TSCONFIG = path.join(ROOT, "tsconfig.json");

/**
 * The version of the compiler `require("typescript")` gives, read without loading it. With TypeScript 7
 * installed beside 6 (package.json), `typescript` is Microsoft's `@typescript/typescript6` package, which
 * re-exports the 6.x compiler it depends on as `@typescript/old`: that one's version is the one that counts.
 */
function compilerVersion() {
  const shim = require("typescript/package.json");
  try {
    const from = path.dirname(require.resolve("typescript/package.json"));
    return `${shim.version}+${require(require.resolve("@typescript/old/package.json", { paths: [from] })).version}`;
  } catch {
    return shim.version;
  }
}

let salt;
/** What every output depends on besides its own source: compiler version and project options. */
function cacheSalt() {
  if (salt === undefined) {
    const version = compilerVersion();
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

/** Names a file's output: its path, its source, the compiler version, tsconfig.json and Node's major. */
function cacheKey(filename, source) {
  return crypto.createHash("sha256").update(cacheSalt()).update("\0").update(filename).update("\0").update(source).digest("hex");
}

function cacheFile(filename, source) {
  const key = cacheKey(filename, source);
  return path.join(CACHE_DIR, key.slice(0, 2), `${key.slice(2)}.js`);
}

/** Transpiles one file (loading the compiler only now) and stores the output. */
function transpile(filename, source, file) {
  const ts = require("typescript");
  const out = ts.transpileModule(source, { fileName: filename, compilerOptions: options(ts), reportDiagnostics: false });
  // Whole or not at all; a read-only checkout still runs, it just transpiles again next time.
  writeEntry(file, out.outputText);
  return out.outputText;
}

/** The compiled JavaScript of a `.ts` file: from the cache, or transpiled now. */
function compiled(filename) {
  return compiledSource(filename, fs.readFileSync(filename, "utf8"));
}

/** The same for a source already read (jest hands its transform the text). */
function compiledSource(filename, source) {
  const file = cacheFile(filename, source);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return transpile(filename, source, file);
  }
}

module.exports = { compiled, compiledSource, cacheKey, compilerVersion, CACHE_DIR, ROOT };
