import Module from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";

const registered: MockResourceArgs[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "mlops",
    "qa",
    true,
  );
});

const isKnown = (o: pulumi.Output<unknown>): Promise<boolean> => (o as any).isKnown;
const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => (o as any).promise();

/** Loads a serialized dynamic provider the way the engine's provider host does. */
function loadSerializedProvider(code: string): any {
  const filename = path.join(__dirname, "__serialized_provider__.js");
  const m = new Module(filename, module) as any;
  m.filename = filename;
  m.paths = (Module as any)._nodeModulePaths(__dirname);
  m._compile(code, filename);
  return m.exports.handler();
}

describe("PromotedModel under the Pulumi mocks", () => {
  it("registers a dynamic mlops:PromotedModel whose offline version is unknown and whose provider serializes", async () => {
    const { PromotedModel, resolvePromotedVersion } = await import("../../../components/modelPromotion");
    const source = { subscriptionId: "sub-dev", resourceGroupName: "rg-dev", workspaceName: "mlw-dev" };
    const version = resolvePromotedVersion({ source, modelName: "churn", offline: true });
    expect(await isKnown(version)).toBe(false);

    const model = new PromotedModel("qa-churn", {
      modelName: "churn",
      version,
      source,
      target: { subscriptionId: "sub-qa", resourceGroupName: "rg-qa", workspaceName: "mlw-qa", storageAccountName: "stqa", containerName: "azureml-blobstore-qa" },
    });
    expect(await isKnown(model.version)).toBe(false);
    await valueOf(model.urn);

    const reg = registered.find((r) => r.name === "qa-churn")!;
    expect(reg.type).toBe("pulumi-nodejs:dynamic/mlops:PromotedModel");
    expect(reg.inputs).toMatchObject({ modelName: "churn", source, target: { workspaceName: "mlw-qa", storageAccountName: "stqa" } });
    expect(typeof reg.inputs.__provider).toBe("string");

    const provider = loadSerializedProvider(reg.inputs.__provider);
    const checked = await provider.check({}, { modelName: "churn", version: "7", source, target: { subscriptionId: "sub-qa", resourceGroupName: "rg-qa", workspaceName: "mlw-qa" } });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.target.datastoreName).toBe("workspaceblobstore");
    const diff = await provider.diff("id", { ...checked.inputs, contentHash: "sha256:x" }, { ...checked.inputs, version: "9" });
    expect(diff).toMatchObject({ changes: true, replaces: ["version"] });
  });

  it("serializes the provider once for every promoted model of a stack", async () => {
    const { PromotedModel } = await import("../../../components/modelPromotion");
    const ws = (n: string) => ({ subscriptionId: "s", resourceGroupName: "rg", workspaceName: n });
    const a = new PromotedModel("qa-a", { modelName: "a", version: "1", source: ws("dev"), target: ws("qa") });
    const b = new PromotedModel("qa-b", { modelName: "b", version: "1", source: ws("dev"), target: ws("qa") });
    await Promise.all([valueOf(a.urn), valueOf(b.urn)]);
    const [ra, rb] = ["qa-a", "qa-b"].map((n) => registered.find((r) => r.name === n)!);
    expect(ra.inputs.__provider).toBe(rb.inputs.__provider);
  });

  it("keeps a pinned version known, even offline", async () => {
    const { resolvePromotedVersion } = await import("../../../components/modelPromotion");
    const version = resolvePromotedVersion({ source: { subscriptionId: "s", resourceGroupName: "r", workspaceName: "w" }, modelName: "churn", pinnedVersion: "5", offline: true });
    expect(await isKnown(version)).toBe(true);
    expect(await valueOf(version)).toBe("5");
  });
});
