/**
 * Progress of long work, on stderr so a command's stdout (JSON, reports) stays clean. On a terminal
 * one line is rewritten in place with the elapsed time; in CI logs (not a TTY) each change is its own
 * line, and an unchanged state is repeated every `heartbeatMs` so a two-hour wait never looks hung.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** The current state, e.g. `Running` or `planning qa (2/3)`. */
  update(state: string): void;
  /** Ends the progress line with a final state. */
  done(state: string): void;
}

export interface ProgressOptions {
  /** What is going on, e.g. `run training-20261129-ab12`. */
  label: string;
  stream?: ProgressStream;
  now?: () => number;
  /** Plain output repeats an unchanged state this often (default 5 minutes). */
  heartbeatMs?: number;
}

/** `45s`, `3m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const heartbeat = opts.heartbeatMs ?? 5 * 60_000;
  const tty = stream.isTTY === true;
  const started = now();
  let last: string | undefined;
  let lastWritten = started;
  const line = (state: string) => `${opts.label}: ${state} (${formatElapsed(now() - started)})`;
  return {
    update(state) {
      if (tty) {
        stream.write(`\r\x1b[2K${line(state)}`);
      } else if (state !== last || now() - lastWritten >= heartbeat) {
        stream.write(`${line(state)}\n`);
        lastWritten = now();
      }
      last = state;
    },
    done(state) {
      stream.write(tty ? `\r\x1b[2K${line(state)}\n` : `${line(state)}\n`);
      last = state;
    },
  };
}
