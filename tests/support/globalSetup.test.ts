/**
 * The run's environment (globalSetup.ts): the workers and the commands they spawn start without the
 * machine's extra CA bundle, with the run's TLS identity, and with everything else as it was.
 */
import { spawnSync } from "node:child_process";
import { DROPPED_FOR_THE_RUN, prepareRunEnvironment } from "./globalSetup";
import { RUN_IDENTITY_ENV } from "./tls";

test("the run's environment drops the extra CA bundle, adds the TLS identity and keeps the rest", async () => {
  const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt", PATH: "/usr/bin", MLOPS_X: "1" };
  await prepareRunEnvironment(env);
  const identity = JSON.parse(env[RUN_IDENTITY_ENV]!);
  expect({ ...env, [RUN_IDENTITY_ENV]: undefined }).toEqual({ PATH: "/usr/bin", MLOPS_X: "1", [RUN_IDENTITY_ENV]: undefined });
  expect(identity.cert).toContain("BEGIN CERTIFICATE");
  expect(identity.key).toContain("PRIVATE KEY");
  expect(DROPPED_FOR_THE_RUN).toEqual(["NODE_EXTRA_CA_CERTS"]);
});

test("this worker, and a command it spawns, run in that environment", () => {
  const child = spawnSync(process.execPath, ["-p", `JSON.stringify([process.env.NODE_EXTRA_CA_CERTS ?? null, !!process.env.${RUN_IDENTITY_ENV}])`], {
    encoding: "utf8",
  });
  expect({ worker: [process.env.NODE_EXTRA_CA_CERTS ?? null, !!process.env[RUN_IDENTITY_ENV]], child: JSON.parse(child.stdout) }).toEqual({
    worker: [null, true],
    child: [null, true],
  });
});
