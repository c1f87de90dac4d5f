"use strict";
/**
 * The entry of the Azurite child process that `azurite.ts` starts: Azurite's own blob CLI
 * (`azurite/dist/src/blob/main.js`, given the same arguments), with three additions.
 *
 *   - Application Insights and the SQL metadata server, which Azurite requires at its top and these
 *     starts never use, load only on first use (below): they were about 3,400 of its 4,000 modules.
 *   - The launcher's V8 code cache (tools/launch/codeCache.js) for the rest, written once Azurite
 *     listens; the suite starts Azurite a dozen times and more.
 *   - It ends when the process that started it goes (its IPC channel closes), so a test worker that
 *     dies, or ends while keeping Azurite warm for its next test file, leaves no Azurite behind.
 *
 * Plain JavaScript: it runs before, and apart from, any TypeScript hook.
 */
const path = require("node:path");
const codeCache = require("../../tools/launch/codeCache");
const { deferRequires } = require("./lazyModule");
codeCache.install();

// Azurite requires at its top two things it uses only when asked: Application Insights (with the
// OpenTelemetry SDK behind it) for telemetry, which every start here turns off (`--disableTelemetry`:
// `AzuriteTelemetryClient.init` then never touches it, dist/src/common/Telemetry.js), and its SQL
// metadata server (Sequelize) for `AZURITE_DB`, which no start sets (dist/src/blob/BlobServerFactory.js
// picks SqlBlobServer only then). Both are stand-ins that load the module on first use: a start takes
// about 0.5 s of CPU instead of 2.4.
const AZURITE_SQL_MODULE = /^\.\/Sql\w+$/;
deferRequires((request, parent) => {
  if (request === "applicationinsights") return {};
  // `esModule`: tslib's __importDefault (how Azurite imports its own modules) keeps the stand-in.
  if (AZURITE_SQL_MODULE.test(request) && parent?.filename.includes(`${path.sep}azurite${path.sep}`)) return { esModule: true };
  return undefined;
});

if (process.channel) {
  // The channel only carries that news: unreferenced first (which also holds for the listeners added
  // after, Azurite's own "message" one included), so a SIGTERM still ends Azurite as it always does.
  process.channel.unref();
  process.once("disconnect", () => process.exit(0));
}

const main = require.resolve("azurite/dist/src/blob/main.js");
// Azurite reads its options from process.argv, after the script's own path.
process.argv.splice(1, 1, main);
// Its code cache is written as soon as it listens: a kept process ends only with its worker, and one a
// test kills never reaches the usual write at exit.
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
  if (String(chunk).includes("listens on")) {
    process.stdout.write = write;
    setImmediate(codeCache.writePending);
  }
  return write.call(this, chunk, ...rest);
};
require(main);
