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
const Module = require("node:module");
const { compiled } = require("./compile");

require("./codeCache").install();

if (!Module._extensions[".ts"] || !Module._extensions[".ts"].mlopsLauncher) {
  const load = function (module, filename) {
    module._compile(compiled(filename), filename);
  };
  load.mlopsLauncher = true;
  Module._extensions[".ts"] = load;
}

