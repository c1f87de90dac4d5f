"use strict";
/**
 * What `@pulumi/pulumi` gets for `@npmcli/arborist` in the test suites (moduleNameMapper in
 * jest.config.js): the package, loaded when first used. The SDK's closure serializer imports it at the
 * top of runtime/closure/codePaths.js to find the packages a serialized function needs, and every test
 * file that imports the SDK loaded it again in its own module registry, though none computes code
 * paths. Commands keep the SDK's own import.
 *
 * Plain JavaScript: jest loads it untransformed. The package is required by its folder's path, which
 * the mapping (the bare name) does not match.
 */
const path = require("node:path");
const { lazyModule } = require("./lazyModule");

module.exports = lazyModule(() => require(path.dirname(require.resolve("@npmcli/arborist/package.json"))), {
  esModule: true,
  loadedKey: Symbol.for("mlops.tests.lazyArborist.loaded"),
});
