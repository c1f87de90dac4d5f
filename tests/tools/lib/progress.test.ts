import { formatElapsed, startProgress } from "../../../tools/lib/progress";

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

test("elapsed time reads at any length", () => {
  expect(formatElapsed(45_000)).toBe("45s");
  expect(formatElapsed(185_000)).toBe("3m05s");
  expect(formatElapsed(3_720_000)).toBe("1h02m");
});

test("in a CI log: one line per change, and a heartbeat for a state that does not change", () => {
  const c = clock();
  const lines: string[] = [];
  const p = startProgress({ label: "run x", stream: { write: (t: string) => lines.push(t), isTTY: false }, now: c.now, heartbeatMs: 300_000 });
  p.update("Queued");
  c.advance(60_000);
  p.update("Queued");
  c.advance(60_000);
  p.update("Running");
  c.advance(299_000);
  p.update("Running");
  c.advance(2_000);
  p.update("Running");
  p.done("Completed");
  expect(lines).toEqual(["run x: Queued (0s)\n", "run x: Running (2m00s)\n", "run x: Running (7m01s)\n", "run x: Completed (7m01s)\n"]);
});

test("on a terminal: one line rewritten in place, ended with a newline", () => {
  const c = clock();
  const out: string[] = [];
  const p = startProgress({ label: "run x", stream: { write: (t: string) => out.push(t), isTTY: true }, now: c.now });
  p.update("Running");
  c.advance(5_000);
  p.update("Running");
  p.done("Completed");
  expect(out).toEqual(["\r\x1b[2Krun x: Running (0s)", "\r\x1b[2Krun x: Running (5s)", "\r\x1b[2Krun x: Completed (5s)\n"]);
});
