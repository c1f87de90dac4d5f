/**
 * The offline plan records a placeholder for each dynamic provider's code (tools/plan/providerSerialization.ts).
 * This suite is where the real serialization is checked: every dynamic provider the program can declare
 * serializes as `pulumi preview`/`up` will serialize it, names no local path, and loads back, the way the
 * engine's dynamic provider host loads it, into a provider with its operations.
 */
import { execFile } from "node:child_process";
import Module from "node:module";
import * as path from "node:path";
import { Readable } from "node:stream";
import { PLACEHOLDER_PROVIDER } from "../../../tools/plan/providerSerialization";
import { launchArgs } from "../../support/launch";
import { planJson, REPO } from "../../support/plans";

type Serialized = Record<string, { ok: boolean; text?: string; error?: string }>;

let serialized: Serialized;

/** Runs a fixture as the commands run (the launcher) and returns its stdout. */
const runFixture = (name: string) =>
  new Promise<string>((resolve, reject) =>
    execFile(process.execPath, launchArgs(path.join(__dirname, "fixtures", name)), { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
    ),
  );

beforeAll(async () => {
  serialized = JSON.parse(await runFixture("serializeProviders.ts")) as Serialized;
}, 120_000);

/** Loads serialized provider code as the dynamic provider host does: a module whose `handler()` returns the provider. */
function load(text: string): Record<string, unknown> {
  const filename = path.join(REPO, "__serialized_provider__.js");
  const m = new Module(filename) as Module & { _compile(code: string, file: string): void; paths: string[] };
  m.filename = filename;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(REPO);
  m._compile(text, filename);
  return (m.exports as { handler(): Record<string, unknown> }).handler();
}

describe("dynamic providers as the engine receives them", () => {
  test("every dynamic resource type the shipped stacks declare is covered here", async () => {
    const declared = new Set<string>();
    for (const stack of ["dev", "qa", "prod"]) {
      for (const r of (await planJson(stack)).resources) if (r.type.startsWith("pulumi-nodejs:dynamic")) declared.add(r.type);
    }
    expect(declared.size).toBeGreaterThan(0);
    for (const type of declared) expect(Object.keys(serialized)).toContain(type);
  });

  test("each provider serializes, names no path of this machine and loads back with its operations", () => {
    expect(Object.keys(serialized).sort()).toEqual([
      "pulumi-nodejs:dynamic/mlops:ExportedModel",
      "pulumi-nodejs:dynamic/mlops:ModelRollout",
      "pulumi-nodejs:dynamic/mlops:PromotedModel",
      "pulumi-nodejs:dynamic/mlops:PublishedPipeline",
      "pulumi-nodejs:dynamic/mlops:RegistryModel",
      "pulumi-nodejs:dynamic/mlops:ScoringAssets",
    ]);
    for (const [type, result] of Object.entries(serialized)) {
      expect({ type, ...result, text: undefined }).toEqual({ type, ok: true, text: undefined });
      const text = result.text!;
      expect(text).not.toBe(PLACEHOLDER_PROVIDER);
      expect(text).not.toContain(REPO);
      // A subclass of Error serializes as a function calling Error, which ignores `this`: thrown by
      // the deployed provider it would carry no message (components/shared/namedError.ts).
      expect({ type, errorSubclass: /setPrototypeOf\(__f\d+, global\.\w*Error\)/.exec(text)?.[0] }).toEqual({ type, errorSubclass: undefined });
      const provider = load(text);
      for (const op of ["check", "diff", "create", "read", "update", "delete"]) expect({ type, op, kind: typeof provider[op] }).toEqual({ type, op, kind: "function" });
    }
  });

  test("the serialized blob listing keeps its behaviour: errors keep their messages, a malformed answer is not asked for again", async () => {
    const listBlobs = load(await runFixture("serializeListing.ts")) as unknown as (c: unknown, prefix: string, pageSize: number) => Promise<{ name: string }[]>;
    const answering = (bodies: string[]) => {
      const urls: string[] = [];
      const sendRequest = async (request: { url: string }) => {
        urls.push(request.url);
        return { request, status: 200, headers: { get: () => undefined }, readableStreamBody: Readable.from([Buffer.from(bodies[urls.length - 1])]) };
      };
      return { urls, container: { url: "https://acct.blob.core.windows.net/c", storageClientContext: { version: "2026-10-06", sendRequest } } };
    };
    const listing = `<?xml version="1.0"?><EnumerationResults><Blobs><Blob><Name Encoded="true">m%2Fa.bin</Name><Properties><Content-Length>3</Content-Length></Properties></Blob></Blobs><NextMarker/></EnumerationResults>`;
    const good = answering([listing]);
    expect((await listBlobs(good.container, "m/", 5)).map((b) => b.name)).toEqual(["m/a.bin"]);
    const truncated = answering([listing.slice(0, 60), listing]);
    await expect(listBlobs(truncated.container, "m/", 5)).rejects.toThrow(/^List Blobs returned malformed XML: /);
    expect(truncated.urls).toHaveLength(1);
  });

  test("SDKs are loaded by require, not copied into the provider text", () => {
    const publisher = serialized["pulumi-nodejs:dynamic/mlops:PublishedPipeline"].text!;
    expect(publisher).toContain('require("@azure/arm-machinelearning")');
    expect(publisher).toContain('require("@azure/storage-blob")');
    for (const result of Object.values(serialized)) expect(result.text!.length).toBeLessThan(2 * 1024 * 1024);
  });

  test("the offline plan shows no provider code for any dynamic resource (its placeholder is tested in tests/tools/plan)", async () => {
    const qa = await planJson("qa");
    const dynamic = qa.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    expect(dynamic.length).toBeGreaterThan(0);
    for (const r of dynamic) expect(r.inputs).not.toHaveProperty("__provider");
  });
});
