"use strict";
/**
 * The entry of the Azurite child process that `azurite.ts` starts: Azurite's own blob CLI
 * (`azurite/dist/src/blob/main.js`, given the same arguments), with two additions.
 *
 *   - The launcher's V8 code cache (tools/launch/codeCache.js), written once Azurite listens. Azurite
 *     loads about 4,000 modules (OpenTelemetry among them, even with telemetry off), and compiling
 *     them is a third of its start-up; the suite starts it a dozen times and more.
 *   - It ends when the process that started it goes (its IPC channel closes), so a test worker that
 *     dies, or ends while keeping Azurite warm for its next test file, leaves no Azurite behind.
 *
 * Plain JavaScript: it runs before, and apart from, any TypeScript hook.
 */
const codeCache = require("../../tools/launch/codeCache");
codeCache.install();

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
