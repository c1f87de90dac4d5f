/** The offline plan builds the environment spec once: the program reuses the one the CLI validated. */
import * as pulumi from "@pulumi/pulumi";
import { loadSpec, providePreparedSpec } from "../../../infra/program";
import { prepareStack } from "../../../tools/plan/prepare";

test("the program takes the prepared spec for the same config and builds its own when the config differs", async () => {
  const prepared = prepareStack({ stack: "dev" });
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, prepared.project, "dev", true);
  pulumi.runtime.setAllConfig(prepared.config, prepared.secretKeys);
  providePreparedSpec(prepared.spec, prepared.config, process.cwd());
  expect(prepared.spec.offline).toBe(true);
  expect(loadSpec({ offline: true })).toBe(prepared.spec);
  // A program that is not offline never takes the plan's (offline) spec.
  expect(loadSpec({ offline: false }).offline).toBe(false);

  // One region in both keys: the config refuses a provider default that disagrees with mlops:location.
  pulumi.runtime.setAllConfig({ ...prepared.config, [`${prepared.project}:location`]: "northeurope", "azure-native:location": "northeurope" }, prepared.secretKeys);
  const rebuilt = loadSpec({ offline: true });
  expect(rebuilt).not.toBe(prepared.spec);
  expect(rebuilt.location).toBe("northeurope");
  expect(rebuilt.offline).toBe(true);
});
