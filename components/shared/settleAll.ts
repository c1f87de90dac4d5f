/**
 * `Promise.all` that waits for every promise before failing. `Promise.all` rejects at the first
 * failure while the others are still running, so a provider's create could report failure with
 * writes still in flight (and their SDK retries landing after the next `up` began). Here the caller
 * learns of a failure only once nothing it started is still running; the first failure, in the
 * order given, is what it throws.
 */
export async function settleAll<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T>;
export async function settleAll<T>(promises: Iterable<Promise<T>>): Promise<T[]>;
export async function settleAll(promises: Iterable<Promise<unknown>>): Promise<unknown[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}
