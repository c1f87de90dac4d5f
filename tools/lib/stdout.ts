/**
 * While `run` works, whatever it prints (console.log, `pulumi.log.info`, a benchmark's chatter) goes to
 * stderr: stdout carries only the command's result, so `--json` output always parses.
 */
export async function withStdoutToStderr<T>(run: () => Promise<T>): Promise<T> {
  const original = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = original;
  }
}
