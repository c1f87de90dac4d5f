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
/** Asked by the test beside this file: has the compiler been loaded yet? */
const LOADED = Symbol.for("mlops.tests.lazyTypescript.loaded");
let compiler;
const ts = () => (compiler ??= require("typescript"));

module.exports = new Proxy(
  {},
  {
    get: (_target, key) => (key === LOADED ? compiler !== undefined : ts()[key]),
    has: (_target, key) => key in ts(),
    ownKeys: () => Reflect.ownKeys(ts()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(ts(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);
