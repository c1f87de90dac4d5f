import { formatElapsed, ProgressOptions, startProgress } from "./progress";

/**
 * Progress of a run made of steps, on stderr. On a terminal a block (the run's line, then one line
 * per step with its status and elapsed time) is redrawn in place; in CI logs (not a TTY) the run's
 * status changes are lines as in `progress.ts` (with its heartbeat) and each step's change of status
 * is one more line, so a log reads as the history of the run.
 */
export interface StepState {
  name: string;
  status: string;
  startTimeUtc?: string;
  endTimeUtc?: string;
}

export interface StepBoard {
  update(runStatus: string, steps: StepState[]): void;
  done(runStatus: string, steps: StepState[]): void;
}

const MARK: Record<string, string> = { Completed: "✓", Failed: "✗", Canceled: "✗", NotResponding: "✗", Running: "▸" };

/** A step's elapsed time: start to end, or start to now while it runs; undefined before it starts. */
export function stepElapsed(step: StepState, now: number): string | undefined {
  const start = step.startTimeUtc ? Date.parse(step.startTimeUtc) : NaN;
  if (!Number.isFinite(start)) return undefined;
  const end = step.endTimeUtc ? Date.parse(step.endTimeUtc) : NaN;
  return formatElapsed((Number.isFinite(end) ? end : now) - start);
}

export function startStepBoard(opts: ProgressOptions): StepBoard {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  if (stream.isTTY !== true) return plainBoard(opts, stream, now);
  const started = now();
  let drawn = 0;
  const draw = (runStatus: string, steps: StepState[]) => {
    const width = Math.max(0, ...steps.map((s) => s.name.length));
    const lines = [
      `${opts.label}: ${runStatus} (${formatElapsed(now() - started)})`,
      ...steps.map((s) => {
        const elapsed = stepElapsed(s, now());
        return `  ${MARK[s.status] ?? "·"} ${s.name.padEnd(width)}  ${s.status}${elapsed ? `  ${elapsed}` : ""}`;
      }),
    ];
    // Back to the block's first line, erase to the end of the screen, draw again.
    stream.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}\r\x1b[J${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  return { update: draw, done: draw };
}

function plainBoard(opts: ProgressOptions, stream: NonNullable<ProgressOptions["stream"]>, now: () => number): StepBoard {
  const run = startProgress({ ...opts, stream, now });
  const seen = new Map<string, string>();
  const stepLines = (steps: StepState[]) => {
    for (const s of steps) {
      if (seen.get(s.name) === s.status) continue;
      seen.set(s.name, s.status);
      const elapsed = stepElapsed(s, now());
      stream.write(`${opts.label}: step ${s.name}: ${s.status}${elapsed ? ` (${elapsed})` : ""}\n`);
    }
  };
  return {
    update(runStatus, steps) {
      run.update(runStatus);
      stepLines(steps);
    },
    done(runStatus, steps) {
      stepLines(steps);
      run.done(runStatus);
    },
  };
}
