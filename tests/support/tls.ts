/**
 * A throwaway TLS identity for local test servers, and the client-side pieces that trust it.
 *
 * Azure SDK clients refuse bearer tokens over plain HTTP, so local servers speak HTTPS with a
 * self-signed certificate. Trust is per client (a pipeline policy that pins an `https.Agent` whose
 * `ca` is that certificate), never process-wide: `NODE_TLS_REJECT_UNAUTHORIZED` is never set, and no
 * client relies on `NODE_EXTRA_CA_CERTS` (the run starts without it: globalSetup.ts).
 */
import * as https from "node:https";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export interface TestTls {
  /** PEM private key for `https.createServer`. */
  key: string;
  /** PEM certificate (self-signed, SAN 127.0.0.1 and localhost). */
  cert: string;
  /** Agent that trusts only `cert`. */
  agent: https.Agent;
  /** Pipeline policy that sends every request through `agent`. */
  policy: PipelinePolicy;
  /** Spread into an Azure SDK client's options: `{ ...tls.clientOptions }`. */
  clientOptions: { additionalPolicies: { policy: PipelinePolicy; position: "perCall" }[] };
}

/**
 * Where jest's global setup (tests/support/globalSetup.ts) leaves the run's identity for its workers.
 * Not `MLOPS_`-prefixed: the plan cache (commandCache.ts) keys on those variables, and this one is new
 * each run.
 */
export const RUN_IDENTITY_ENV = "TEST_TLS_IDENTITY";

let cached: Promise<{ key: string; cert: string }> | undefined;

/** A new self-signed identity (an EC key; SAN 127.0.0.1 and localhost; valid a week). */
export async function generateTestIdentity(): Promise<{ key: string; cert: string }> {
  const selfsigned = require("selfsigned") as typeof import("selfsigned");
  const pems = await selfsigned.generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** The run's identity, generated once by jest's global setup, else one per module registry. */
function identity(): Promise<{ key: string; cert: string }> {
  const fromRun = process.env[RUN_IDENTITY_ENV];
  if (fromRun) return Promise.resolve(JSON.parse(fromRun) as { key: string; cert: string });
  return (cached ??= generateTestIdentity());
}

/**
 * The identity and a client side that trusts it. Each test file has its own module registry, so without
 * the run's identity every file that starts a local server would load the certificate library (a few
 * hundred modules) and generate its own.
 */
export async function createTestTls(): Promise<TestTls> {
  const { key, cert } = await identity();
  const agent = new https.Agent({ ca: cert, keepAlive: true });
  const policy: PipelinePolicy = {
    name: "trustLocalTestCertificate",
    sendRequest(request, next) {
      if (request.url.startsWith("https:")) request.agent = agent;
      return next(request);
    },
  };
  return { key, cert, agent, policy, clientOptions: { additionalPolicies: [{ policy, position: "perCall" }] } };
}
