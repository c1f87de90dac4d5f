"use strict";
/**
 * jest's test order, with one addition for a run that has no timings of its own (a fresh clone, CI).
 *
 * jest starts the suites that took longest last time first, so that no long suite starts near the end
 * while the other workers sit idle. Without recorded timings it falls back to file size, and ours lie:
 * the suites that start emulators or plan whole stacks in child processes are short files. On the
 * 2-core machine a cold `npm test` started the lint suite at 143 s and the killed-services suite (40 s
 * of restarts) at 79 s. So, for suites without a recorded duration, the ones listed here go first, in
 * this order (the longest first, wall seconds measured on a cold run); everything else keeps jest's
 * order. A stale entry costs nothing but order, and the test beside this file fails on a path that no
 * longer exists.
 *
 * Plain JavaScript: jest loads it untransformed (`testSequencer` in jest.config.js).
 */
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const TESTS = path.resolve(__dirname, "..");

/** Paths under tests/, longest first. */
const LONGEST_FIRST = [
  "system/faults/killedServices.test.ts",
  "system/lint/lint.test.ts",
  "infra/stack/declarations.test.ts",
  "tools/branch-stack/branchStack.test.ts",
  "system/stacks/isolation.test.ts",
  "system/stacks/policyGate.test.ts",
  "components/modelPromotion/provider.test.ts",
  "support/servers.test.ts",
  "system/faults/shippedClients.test.ts",
  "infra/config/planRejectsBadConfig.test.ts",
  "system/stacks/customImage.test.ts",
  "system/golden/goldenBodies.test.ts",
  "pipelines/publisher/provider.test.ts",
  "system/faults/outage.test.ts",
];

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const rank = (test) => (test.duration == null ? LONGEST_FIRST.indexOf(path.relative(TESTS, test.path).split(path.sep).join("/")) : -1);
    const listed = ordered.filter((t) => rank(t) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...listed, ...ordered.filter((t) => rank(t) < 0)];
  }
}

module.exports = LongestFirstSequencer;
module.exports.LONGEST_FIRST = LONGEST_FIRST;
