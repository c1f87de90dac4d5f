/**
 * suite (bench/RESULTS.md): `npm test` as a fresh clone meets it in CI (.ci/run): jest with no recorded
 * timings (a new cache folder) and no plans shared from an earlier run (the suites' plan cache,
 * `node_modules/.cache/mlops-plans`, emptied first), with the launcher's compile and code caches as
 * `npm ci` leaves them. Issue 20: under 120 s wall on the 2-core machine, every test passing.
 *
 * One run: the suite takes two minutes, and this machine's speed drifts by about ±10 % within an hour, which the date and
 * machine beside the figures let a reader weigh.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, round, timeProcess } from "../lib/processes";

/** Issue 20: `npm test` under 2 minutes. */
export const GOAL_SECONDS = 120;

export default async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-bench-suite-"));
  try {
    fs.rmSync(path.join(REPO_ROOT, "node_modules", ".cache", "mlops-plans"), { recursive: true, force: true });
    const report = path.join(dir, "jest.json");
    const jest = path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js");
    const r = await timeProcess(process.execPath, [jest, "--ci", "--silent", "--json", `--outputFile=${report}`, `--cacheDirectory=${path.join(dir, "jest-cache")}`]);
    if (!fs.existsSync(report)) throw new Error(`jest wrote no report (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join(" | ")}`);
    const result = JSON.parse(fs.readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number };
    const seconds = round(r.seconds, 1);
    return {
      seconds,
      suites: result.numTotalTestSuites,
      passed: result.numPassedTests,
      failed: result.numFailedTests,
      goal: `seconds < ${GOAL_SECONDS} with every test passing`,
      met: seconds < GOAL_SECONDS && result.numFailedTests === 0 && r.code === 0,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
