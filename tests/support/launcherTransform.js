"use strict";
/**
 * jest's transform for the project's TypeScript: the launcher's compile (tools/launch/compile.js), so
 * the suites run the very JavaScript the commands run, from the cache `npm ci` fills (its `prepare`
 * step compiles every `.ts` file of the project, tests included). A jest worker then never loads the
 * TypeScript compiler unless a file changed since. Transpile-only, as before: `npm run typecheck` (and
 * its test) is the type gate. Plain JavaScript: jest loads its transforms untransformed.
 */
const { cacheKey, compiledSource } = require("../../tools/launch/compile");

module.exports = {
  process(sourceText, sourcePath) {
    // The output carries its source map inline; jest reads it from there for stack traces.
    return { code: compiledSource(sourcePath, sourceText) };
  },
  getCacheKey(sourceText, sourcePath) {
    return cacheKey(sourcePath, sourceText);
  },
};
