/**
 * jest's global setup (jest.config.js): one TLS identity for the whole run (tls.ts), generated before the
 * workers start, which inherit it in their environment.
 */
import { generateTestIdentity, RUN_IDENTITY_ENV } from "./tls";

export default async function globalSetup(): Promise<void> {
  process.env[RUN_IDENTITY_ENV] = JSON.stringify(await generateTestIdentity());
}
