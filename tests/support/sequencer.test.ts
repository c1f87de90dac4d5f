/**
 * The test order (`sequencer.js`): on a run without recorded timings the listed long suites start
 * first, longest first; with timings, jest's own order stands; the list names suites that exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";

// Plain JavaScript loaded by jest itself; required here the same way.
const LongestFirst = require("./sequencer") as { new (options: unknown): { sort(tests: FakeTest[]): FakeTest[]; time(t: FakeTest): number | undefined }; LONGEST_FIRST: string[] };

const TESTS = path.resolve(__dirname, "..");

interface FakeTest {
  path: string;
  duration?: number;
  context: unknown;
}

/** Test entries as jest hands them over; `cache: false` means no timings recorded. */
function suites(sizes: Record<string, number>): FakeTest[] {
  const context = { config: { cache: false, cacheDirectory: "/nonexistent", id: "probe", rootDir: TESTS }, hasteFS: { getSize: (p: string) => sizes[path.relative(TESTS, p)] } };
  return Object.keys(sizes).map((rel) => ({ path: path.join(TESTS, rel), context }));
}

const rel = (tests: FakeTest[]) => tests.map((t) => path.relative(TESTS, t.path));

test("every listed suite exists", () => {
  const missing = LongestFirst.LONGEST_FIRST.filter((p) => !fs.existsSync(path.join(TESTS, p)));
  expect(missing).toEqual([]);
  expect(new Set(LongestFirst.LONGEST_FIRST).size).toBe(LongestFirst.LONGEST_FIRST.length);
});

test("without recorded timings the listed suites go first, in list order, then jest's order by size", () => {
  const [first, second] = LongestFirst.LONGEST_FIRST;
  const tests = suites({ "a/big.test.ts": 9000, [second]: 100, "b/small.test.ts": 10, [first]: 50, "c/mid.test.ts": 500 });
  expect(rel(new LongestFirst({}).sort(tests))).toEqual([first, second, "a/big.test.ts", "c/mid.test.ts", "b/small.test.ts"]);
});

test("with recorded timings jest's order (longest last time first) stands", () => {
  const [first] = LongestFirst.LONGEST_FIRST;
  const tests = suites({ [first]: 50, "a/big.test.ts": 9000, "b/small.test.ts": 10 });
  const took: Record<string, number> = { [first]: 1, "a/big.test.ts": 2, "b/small.test.ts": 30 };
  const sequencer = new LongestFirst({});
  sequencer.time = (t) => took[path.relative(TESTS, t.path)];
  expect(rel(sequencer.sort(tests))).toEqual(["b/small.test.ts", "a/big.test.ts", first]);
});
