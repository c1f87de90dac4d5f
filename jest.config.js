/**
 * Transpile-only: type errors are caught by `npm run typecheck` (and its test), which keeps suites fast.
 * Two workers: jest's default on a 2-core machine is one, which leaves a core idle while a suite waits
 * on a child process (plans, the type check, Azurite).
 */
module.exports = {
  testEnvironment: "node",
  maxWorkers: 2,
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }],
  },
  testTimeout: 60000,
  // Keeps the V8 code of the SDKs' modules between test files (tests/support/codeCacheRuntime.js).
  runtime: "<rootDir>/tests/support/codeCacheRuntime.js",
};
