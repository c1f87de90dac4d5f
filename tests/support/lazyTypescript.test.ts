/**
 * The suites' TypeScript shim (`lazyTypescript.js`, mapped in jest.config.js): importing the Pulumi SDK
 * leaves the compiler unloaded; serializing a function, the one thing the SDK needs it for, loads it and
 * works as with the SDK's own shim.
 */
import * as pulumi from "@pulumi/pulumi";

const LOADED = Symbol.for("mlops.tests.lazyTypescript.loaded");
// The request the SDK's closure serializer makes (runtime/closure/parseFunction.js), mapped the same way.
const shim = require("../../typescript-shim") as Record<symbol, boolean> & { version: string };

test("the SDK is imported without the compiler; serializing a function loads it", async () => {
  expect(pulumi.runtime).toBeDefined();
  expect(shim[LOADED]).toBe(false);

  const factor = 6;
  const serialized = await pulumi.runtime.serializeFunction(() => (x: number) => x * factor);
  expect(shim[LOADED]).toBe(true);
  expect(shim.version).toBe(require("typescript").version);
  // The closure captured `factor` and runs as it was written.
  const exports: { handler?: () => (x: number) => number } = {};
  new Function("exports", "require", serialized.text)(exports, require);
  expect(exports.handler!()(7)).toBe(42);
});

test("arborist, which the SDK imports for code paths only, is loaded on first use; the SDK's __importStar keeps the stand-in", () => {
  const loaded = Symbol.for("mlops.tests.lazyArborist.loaded");
  // The request runtime/closure/codePaths.js makes, mapped the same way (tests/support/lazyArborist.js).
  const arborist = require("@npmcli/arborist") as Record<symbol | string, unknown>;
  expect(pulumi.runtime).toBeDefined();
  expect(arborist[loaded]).toBe(false);
  expect(arborist.__esModule).toBe(true);
  expect(arborist[loaded]).toBe(false);
  expect(typeof arborist.Arborist).toBe("function");
  expect(arborist[loaded]).toBe(true);
});
