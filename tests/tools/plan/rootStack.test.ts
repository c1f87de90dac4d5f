/**
 * The plan declares the program inside the stack's root resource, as `pulumi up` does, and leaves out
 * the API-version aliases azure-native adds to each resource (tools/plan/apiVersionAliases.ts): the
 * root and the aliases must not show in the plan, and the aliases the project writes must still reach
 * the resource monitor.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { isApiVersionAlias, withoutApiVersionAliases } from "../../../tools/plan/apiVersionAliases";
import { PlanMocks } from "../../../tools/plan/mocks";
import { qualifiedUrn, RecordingMonitor, ROOT_STACK_TYPE } from "../../../tools/plan/recorder";
import { inRootStack, runtimeInternals, settle, toPlanResources } from "../../../tools/plan/run";

/** What each register request carried as aliases: a URN, or the spec's name and type. */
class AliasCapturingMonitor extends RecordingMonitor {
  readonly aliasesByName = new Map<string, string[]>();
  readonly registeredTypes: string[] = [];
  override async registerResource(req: any, callback: (err: unknown, response: unknown) => void): Promise<void> {
    this.registeredTypes.push(req.getType());
    this.aliasesByName.set(
      req.getName(),
      req.getAliasesList().map((a: any) => (a.getUrn() ? a.getUrn() : `name=${a.getSpec().getName()} type=${a.getSpec().getType()}`)),
    );
    await super.registerResource(req, callback);
  }
}

class Holder extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:test:Holder", name, {}, opts);
    new network.VirtualNetwork(`${name}-vnet`, { resourceGroupName: "rg-a", addressSpace: { addressPrefixes: ["10.0.0.0/16"] } }, { parent: this });
    this.registerOutputs({});
  }
}

describe("the plan's root stack", () => {
  let monitor: AliasCapturingMonitor;

  beforeAll(async () => {
    const mocks = new PlanMocks({ stackReferenceKeys: [] });
    monitor = new AliasCapturingMonitor(mocks);
    await pulumi.runtime.setMocks(mocks, "mlops", "root-test", true);
    pulumi.runtime.setMockOptions(monitor, "mlops", "root-test", true);
    await runtimeInternals().awaitFeatureSupport();
    await inRootStack(async () => {
      new network.VirtualNetwork("top-vnet", { resourceGroupName: "rg-a", addressSpace: { addressPrefixes: ["10.1.0.0/16"] } });
      new network.VirtualNetwork("renamed-vnet", { resourceGroupName: "rg-a" }, { aliases: [{ name: "old-vnet" }] });
      new Holder("holder");
    });
    await settle(monitor);
  });

  test("is registered, as in a deployment, but is neither a plan resource nor a parent in the plan", () => {
    expect(monitor.registeredTypes[0]).toBe(ROOT_STACK_TYPE);
    const resources = toPlanResources(monitor.registrations);
    expect(resources.map((r) => r.type)).not.toContain(ROOT_STACK_TYPE);
    const byName = Object.fromEntries(resources.map((r) => [r.name, r]));
    expect(byName["top-vnet"].parent).toBeNull();
    expect(byName.holder.parent).toBeNull();
    expect(byName["holder-vnet"].parent).toBe(byName.holder.urn);
  });

  test("gives top-level resources the URNs the engine gives them, without the root's type", () => {
    const urns = monitor.registrations.map((r) => r.urn);
    expect(urns).toContain("urn:pulumi:root-test::mlops::azure-native:network:VirtualNetwork::top-vnet");
    expect(urns).toContain("urn:pulumi:root-test::mlops::mlops:test:Holder$azure-native:network:VirtualNetwork::holder-vnet");
    expect(urns.join("\n")).not.toContain(ROOT_STACK_TYPE);
    expect(qualifiedUrn("urn:pulumi:root-test::mlops::pulumi:pulumi:Stack::mlops-root-test", "a:b:C", "n")).toBe("urn:pulumi:root-test::mlops::a:b:C::n");
  });

  test("sends no API-version alias, at the top level or under a component", () => {
    // Without the transformation a virtual network carries one alias per other API version (60 in 3.28.0).
    expect(monitor.aliasesByName.get("top-vnet")).toEqual([]);
    expect(monitor.aliasesByName.get("holder-vnet")).toEqual([]);
  });

  test("keeps an alias the project writes", () => {
    expect(monitor.aliasesByName.get("renamed-vnet")).toEqual(["name=old-vnet type="]);
  });
});

describe("which aliases are API-version aliases", () => {
  test("only a type-only alias to an azure-native token", () => {
    expect(isApiVersionAlias({ type: "azure-native:network/v20230901:VirtualNetwork" })).toBe(true);
    expect(isApiVersionAlias({ type: "azure-native:network:VirtualNetwork" })).toBe(true);
    expect(isApiVersionAlias({ type: "mlops:network:EnvironmentNetwork" })).toBe(false);
    expect(isApiVersionAlias({ type: "azure-native:network:VirtualNetwork", name: "old" })).toBe(false);
    expect(isApiVersionAlias({ name: "old" })).toBe(false);
    expect(isApiVersionAlias("urn:pulumi:s::p::azure-native:network:VirtualNetwork::old")).toBe(false);
    expect(isApiVersionAlias(pulumi.output({ type: "azure-native:network:VirtualNetwork" }))).toBe(false);
  });

  test("the transformation leaves options untouched when there is nothing to drop", () => {
    const args = { resource: undefined as never, type: "t", name: "n", props: {}, opts: { aliases: [{ name: "old" }] } };
    expect(withoutApiVersionAliases(args)).toBeUndefined();
    expect(withoutApiVersionAliases({ ...args, opts: {} })).toBeUndefined();
    const dropped = withoutApiVersionAliases({ ...args, opts: { protect: true, aliases: [{ name: "old" }, { type: "azure-native:x/v1:Y" }] } });
    expect(dropped?.opts).toEqual({ protect: true, aliases: [{ name: "old" }] });
  });
});
