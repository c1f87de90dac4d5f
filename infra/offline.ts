/**
 * The offline plan runs the program with this variable set to `1`: the program then makes no Azure
 * look-ups and uses unknown values instead. Only the entry point reads it; it reaches the rest of
 * the program as the spec's `offline` flag.
 */
export const OFFLINE_ENV = "MLOPS_OFFLINE";

export function isOffline(env: NodeJS.ProcessEnv): boolean {
  return env[OFFLINE_ENV] === "1";
}
