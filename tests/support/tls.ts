/**
 * A throwaway TLS identity for local test servers, and the client-side pieces that trust it.
 *
 * Azure SDK clients refuse bearer tokens over plain HTTP, so local servers speak HTTPS with a
 * self-signed certificate. Trust is per client (a pipeline policy that pins an `https.Agent` whose
 * `ca` is that certificate), never process-wide: `NODE_TLS_REJECT_UNAUTHORIZED` and
 * `NODE_EXTRA_CA_CERTS` stay untouched.
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

let cached: Promise<{ key: string; cert: string }> | undefined;

async function generate(): Promise<{ key: string; cert: string }> {
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

/** One certificate per process: generation costs little, but servers in one test file share it. */
export async function createTestTls(): Promise<TestTls> {
  cached ??= generate();
  const { key, cert } = await cached;
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
