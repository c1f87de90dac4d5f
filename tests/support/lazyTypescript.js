"use strict";
/**
 * What `@pulumi/pulumi`'s `typescript-shim` gives the test suites (moduleNameMapper in jest.config.js):
 * the TypeScript compiler, loaded when first used instead of when the SDK is imported.
 *
 * Importing `@pulumi/pulumi` loads the compiler (9 MB of JavaScript) through its closure serializer
 * (runtime/closure/parseFunction.js requires the shim at the top), and every test file that touches the
 * SDK imported it again in its own module registry, though only the few that serialize a function use
 * it. The SDK once avoided exactly this (pulumi/pulumi#10185, "Avoid importing typescript unless
 * necessary"); parseFunction.js brought the eager import back. Commands keep the SDK's own shim.
 *
 * Plain JavaScript: jest loads it untransformed.
 */
const { lazyModule } = require("./lazyModule");

/** Asked by the test beside this file: has the compiler been loaded yet? */
module.exports = lazyModule(() => require("typescript"), { loadedKey: Symbol.for("mlops.tests.lazyTypescript.loaded") });
