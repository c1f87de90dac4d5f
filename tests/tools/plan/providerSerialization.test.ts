/**
 * The offline plan records a placeholder for dynamic providers' code (tools/plan/providerSerialization.ts);
 * only the dynamic-resource path changes: `pulumi.runtime.serializeFunction` still serializes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { PLACEHOLDER_PROVIDER, recordProvidersAsPlaceholders } from "../../../tools/plan/providerSerialization";

const registered: MockResourceArgs[] = [];

class Probe extends pulumi.dynamic.Resource {
  constructor(name: string) {
    const provider: pulumi.dynamic.ResourceProvider = { create: async () => ({ id: "x", outs: {} }) };
    super(provider, name, { label: "l" }, undefined, "mlops", "Probe");
  }
}

beforeAll(async () => {
  await pulumi.runtime.setMocks({ newResource: (a) => (registered.push(a), { id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "mlops", "dev", true);
});

test("a dynamic resource registered after the switch carries the placeholder; serializeFunction stays real", async () => {
  recordProvidersAsPlaceholders();
  const probe = new Probe("probe");
  await new Promise<void>((resolve) => probe.urn.apply(() => resolve()));
  const reg = registered.find((r) => r.name === "probe")!;
  expect(reg.type).toBe("pulumi-nodejs:dynamic/mlops:Probe");
  expect(reg.inputs).toEqual({ label: "l", __provider: PLACEHOLDER_PROVIDER });

  const marker = "real-serialization-marker";
  const real = await pulumi.runtime.serializeFunction(() => marker);
  expect(real.text).toContain(marker);
  expect(real.text).not.toBe(PLACEHOLDER_PROVIDER);
});
