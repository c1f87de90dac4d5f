/**
 * jest's global setup (jest.config.js): the environment of the run. jest forks its workers after this
 * runs, so they inherit it, and so does every command they spawn.
 *
 * - One TLS identity for the whole run (tls.ts), generated once here.
 * - No `NODE_EXTRA_CA_CERTS`. When it is set, Node 20 builds its root certificate store (its bundled
 *   roots, then the file's) as each process starts, whether or not the process ever opens a TLS
 *   connection (nodejs/node 87719d7, #23354, "tls: load NODE_EXTRA_CA_CERTS at startup"; #44529 later
 *   defers the bundled roots again, in Node versions that carry it). Measured here: `node -e 0` costs
 *   0.03 s of CPU without the variable, 0.07 s with one extra certificate, 0.10 s with the system bundle
 *   (144). A run starts about 280 Node processes (workers, plans, Azurite, the fake `pulumi`). Nothing
 *   here needs the store: test clients trust the local servers' certificate per client (tls.ts), the one
 *   server that needs it process-wide is given its own (Azurite with OAuth, azurite.ts), and the tests
 *   connect to nothing beyond 127.0.0.1.
 */
import { generateTestIdentity, RUN_IDENTITY_ENV } from "./tls";

/** Variables the run's processes start without, and why (above). */
export const DROPPED_FOR_THE_RUN = ["NODE_EXTRA_CA_CERTS"] as const;

/** Sets up `env` (the jest process's own, for the run) as described above. */
export async function prepareRunEnvironment(env: NodeJS.ProcessEnv): Promise<void> {
  for (const name of DROPPED_FOR_THE_RUN) delete env[name];
  env[RUN_IDENTITY_ENV] = JSON.stringify(await generateTestIdentity());
}

export default async function globalSetup(): Promise<void> {
  await prepareRunEnvironment(process.env);
}
