/**
 * Transpile-only, through the launcher's compile (tests/support/launcherTransform.js): type errors are
 * caught by `npm run typecheck` (and its test), which keeps suites fast.
 * Three workers on this 2-core machine (jest's default there is one): suites spend much of their time
 * waiting on child processes (plans, the type check, Azurite restarts), and a third worker fills the
 * core they leave idle. Measured back to back with the same warm caches: 160 s wall with two workers, 143 s
 * with three (`/usr/bin/time npx jest`).
 */
module.exports = {
  testEnvironment: "node",
  maxWorkers: 3,
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "<rootDir>/tests/support/launcherTransform.js",
  },
  testTimeout: 60000,
  // Keeps the V8 code of the SDKs' modules between test files (tests/support/codeCacheRuntime.js).
  runtime: "<rootDir>/tests/support/codeCacheRuntime.js",
  // The Pulumi SDK's TypeScript compiler and arborist, loaded on first use (tests/support/lazyTypescript.js,
  // lazyArborist.js).
  moduleNameMapper: {
    "^(\\.\\.?/)+typescript-shim$": "<rootDir>/tests/support/lazyTypescript.js",
    "^@npmcli/arborist$": "<rootDir>/tests/support/lazyArborist.js",
  },
  // The run's environment: one TLS identity for the local HTTPS servers instead of one per test file
  // (tests/support/tls.ts), and no NODE_EXTRA_CA_CERTS, which Node 20 parses at every process start.
  globalSetup: "<rootDir>/tests/support/globalSetup.ts",
  // jest's order, but on a run with no recorded timings the known long suites start first.
  testSequencer: "<rootDir>/tests/support/sequencer.js",
};
