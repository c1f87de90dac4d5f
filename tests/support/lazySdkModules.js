"use strict";
/**
 * Preloaded (`node -r`, before the launcher) into the commands the test suites spawn (launch.ts): the
 * Pulumi SDK's TypeScript compiler and arborist, loaded on first use, as jest.config.js maps them for
 * the suites themselves (lazyTypescript.js, lazyArborist.js). The SDK requires both at the top of its
 * closure serializer, which a plan never runs; they are a fifth of a plan's CPU, and the suites spawn
 * dozens of plans. A command that serializes a function still gets both, on first use.
 *
 * Only test runs: `npm run <tool>` loads the SDK as the SDK loads itself.
 *
 * Plain JavaScript: it runs before the launcher's TypeScript hook.
 */
const path = require("node:path");
const { deferRequires } = require("./lazyModule");

const SDK = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
deferRequires((request, parent) => {
  if (!parent?.filename?.includes(SDK)) return undefined;
  if (/(^|\/)typescript-shim$/.test(request)) return {};
  // `esModule`: the SDK's __importStar keeps the stand-in instead of copying (and so loading) every export.
  if (request === "@npmcli/arborist") return { esModule: true };
  return undefined;
});
