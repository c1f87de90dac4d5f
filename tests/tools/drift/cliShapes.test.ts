/**
 * The drift command reads every shape the Pulumi CLI prints (fixtures serialized as Pulumi's Go
 * types are, see pulumiShapes.ts), and no secret reaches a report, whether Pulumi marked it or not.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { EXIT } from "../../../tools/lib/cli";
import { driftCommand, DriftDeps } from "../../../tools/drift/command";
import { buildDriftReport } from "../../../tools/drift/driftReport";
import { readPulumiOutput } from "../../../tools/drift/pulumiOutput";
import { isSensitiveName, looksLikeCredential } from "../../../tools/drift/propertyValues";
import { component, digest, events, provider, publishedPipeline, same, stack, storage, storageDrift } from "./pulumiShapes";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-shapes-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function run(file: string, format = "json"): Promise<{ code: number; out: string; problems: string[] }> {
  const io = { out: "", err: "" };
  const deps: DriftDeps = {
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    pulumi: async () => {
      throw new Error("no Pulumi CLI");
    },
    credential: () => {
      throw new Error("no Azure");
    },
    isInteractive: () => false,
    confirm: async () => false,
  } as DriftDeps;
  try {
    return { code: await driftCommand([file, "--format", format], deps), out: io.out, problems: [] };
  } catch (err) {
    if (err instanceof InputError) return { code: EXIT.badInput, out: io.out, problems: err.problems.map((p) => `${p.path}: ${p.message}`) };
    throw err;
  }
}

const refreshSteps = [same(stack), same(provider), same(component), storageDrift, same(publishedPipeline([]))];

describe("engine events (streaming JSON)", () => {
  // `refresh --preview-only` streamed: the drift arrives as the outputs event of the refresh step.
  const stream = events(
    [
      { pre: same(stack) },
      { pre: same(provider) },
      { pre: same(component) },
      { pre: { op: "refresh", old: storage("Disabled"), new: storage("Disabled") }, outputs: storageDrift },
      { pre: same(publishedPipeline([])) },
    ],
    { resourceChanges: { same: 4, update: 1 }, isPreview: true },
  );

  test("the fixture is serialized as Pulumi serializes events: diffKind, custom omitted when false", () => {
    expect(stream).toContain('"diffKind":"update"');
    expect(stream).not.toContain('"kind":');
    expect(stream).not.toContain('"custom":false');
  });

  test("detailed-diff entries named diffKind are read, and components (no custom field) are not audited", async () => {
    const { code, out } = await run(write("events.jsonl", stream));
    expect(code).toBe(EXIT.drift);
    const report = JSON.parse(out);
    expect(report.drifted.map((d: any) => [d.type, d.op, d.properties])).toEqual([
      ["azure-native:storage:StorageAccount", "update", [{ path: "publicNetworkAccess", before: "Disabled", after: "Enabled" }]],
    ]);
    expect(report.summary.unchanged).toBe(1); // the published pipeline; not the stack, provider or component
    expect(report.unattributed).toEqual([]);
  });
});

describe("refresh --preview-only: drift Pulumi only counts", () => {
  test("a dynamic-provider resource stays op refresh with identical states; changeSummary counts it: drift, exit 4", async () => {
    const file = write("refresh-dynamic.json", digest(refreshSteps, { same: 3, update: 2 }));
    const { code, out } = await run(file);
    expect(code).toBe(EXIT.drift);
    const report = JSON.parse(out);
    expect(report.source).toBe("refresh");
    expect(report.drifted).toHaveLength(1);
    expect(report.unattributed).toEqual([{ op: "update", count: 1 }]);
    const text = (await run(file, "text")).out;
    expect(text).toMatch(/Pulumi counted 1 more update than it names: resource whose provider reports no detailed diff/);
    expect((await run(file, "markdown")).out).toMatch(/> ⚠️ Pulumi counted 1 more update/);
  });

  test("only counted, nothing named: still drift, not 'no drift'", async () => {
    const steps = [same(stack), same(provider), same(storage("Disabled")), same(publishedPipeline([]))];
    const file = write("refresh-only-counted.json", digest(steps, { same: 3, update: 1 }));
    const { code, out } = await run(file, "text");
    expect(code).toBe(EXIT.drift);
    expect(out).not.toMatch(/No drift/);
  });

  test("counts that match the named steps add nothing", async () => {
    const { code, out } = await run(write("refresh-matched.json", digest(refreshSteps, { same: 4, update: 1 })));
    expect(code).toBe(EXIT.drift);
    expect(JSON.parse(out).unattributed).toEqual([]);
  });

  test("the digest fixture is what json.go prints: four-space indent, kind, detailedDiff null without a provider diff", () => {
    const text = digest(refreshSteps, { same: 4, update: 1 });
    expect(text).toMatch(/^\{\n {4}"config"/);
    expect(text).toContain('"kind": "update"');
    expect(text).toContain('"detailedDiff": null');
    expect(text).toContain('"custom": false');
  });
});

describe("outputs of commands that changed the stack are named, not misread", () => {
  const preview = digest([same(stack, "same"), { ...storageDrift, old: storage("Enabled"), new: storage("Disabled") }], { same: 4, update: 1 });

  test("pulumi up --json --yes: a digest, then the update's events", async () => {
    const upEvents = events([{ pre: { ...storageDrift, old: storage("Enabled"), new: storage("Disabled") }, outputs: { ...storageDrift, new: storage("Disabled") } }], {
      resourceChanges: { same: 4, update: 1 },
      isPreview: false,
    });
    const { code, problems } = await run(write("up.txt", preview + upEvents));
    expect(code).toBe(EXIT.badInput);
    expect(problems).toEqual([expect.stringMatching(/this is the output of `pulumi up --json`.*cannot show drift; run `pulumi preview --refresh --json` or `pulumi refresh --preview-only --json`/)]);
  });

  test("pulumi refresh --json --yes: a digest, then the refresh's events", async () => {
    const refreshEvents = events([{ pre: same(stack) }, { pre: { op: "refresh", old: storage("Disabled"), new: storage("Disabled") }, outputs: storageDrift }], {
      resourceChanges: { same: 1, update: 1 },
      isPreview: false,
    });
    const { problems } = await run(write("refresh-yes.txt", digest(refreshSteps, { same: 4, update: 1 }) + refreshEvents));
    expect(problems).toEqual([expect.stringMatching(/`pulumi refresh --json --yes` \(a refresh that already wrote Azure's values into the state\)/)]);
  });

  test("events alone from an operation that ran (isPreview false) are named too", async () => {
    const destroyEvents = events([{ pre: { op: "delete", old: storage("Disabled") } }], { resourceChanges: { delete: 1 }, isPreview: false });
    const { problems } = await run(write("destroy.jsonl", destroyEvents));
    expect(problems).toEqual([expect.stringMatching(/summaryEvent\.isPreview: this is the output of `pulumi destroy --json`/)]);
  });
});

describe("secrets never reach a report", () => {
  const CONN = "DefaultEndpointsProtocol=https;AccountName=stmlopsprod;AccountKey=c2VjcmV0LWtleS1ieXRlcw==;EndpointSuffix=core.windows.net";
  const SAS = "https://stmlopsprod.blob.core.windows.net/models/m.pkl?sv=2023-11-03&se=2026-12-01&sr=b&sp=r&sig=AbCdEf0123%2BXyZ%3D";
  const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJl";
  const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

  function app(env: Record<string, string>, extra: Record<string, unknown>) {
    const props = { environmentVariables: env, ...extra };
    return {
      urn: "urn:pulumi:prod::mlops-azure::pulumi:pulumi:Stack$azure-native:machinelearningservices:OnlineDeployment::scoring",
      type: "azure-native:machinelearningservices:OnlineDeployment",
      custom: true,
      id: "/subscriptions/x/onlineEndpoints/ep/deployments/live",
      inputs: props,
      outputs: props,
    };
  }

  const declared = app({ AZURE_STORAGE_CONNECTION_STRING: "[secret]", "client-secret": "old", LOG_LEVEL: "info" }, { modelSasUrl: "none", note: "v1", settings: { Password: "p1", sslKey: "k1" } });
  const inAzure = app(
    { AZURE_STORAGE_CONNECTION_STRING: CONN, "client-secret": "rotated-by-hand", LOG_LEVEL: "debug" },
    { modelSasUrl: SAS, note: `token ${JWT}`, settings: { Password: "p2", sslKey: PEM } },
  );

  test("by value (connection strings, SAS sig=, JWTs, PEM keys) and by name in any case or separator style", async () => {
    const file = write("secrets.json", digest([same(stack), { op: "update", old: declared, new: inAzure }], { same: 1, update: 1 }));
    for (const format of ["json", "text", "markdown"]) {
      const { code, out } = await run(file, format);
      expect(code).toBe(EXIT.drift);
      for (const leaked of ["AccountKey=", "c2VjcmV0", "sig=", "eyJhbGci", "PRIVATE KEY", "rotated-by-hand", "p2", "old\""]) expect(out).not.toContain(leaked);
    }
    const report = JSON.parse((await run(file)).out);
    const byPath = Object.fromEntries(report.drifted[0].properties.map((p: any) => [p.path, [p.before, p.after]]));
    expect(byPath).toEqual({
      "environmentVariables.AZURE_STORAGE_CONNECTION_STRING": ["[secret]", "[secret]"],
      "environmentVariables.client-secret": ["[secret]", "[secret]"],
      "environmentVariables.LOG_LEVEL": ["info", "debug"],
      modelSasUrl: ["[secret]", "[secret]"],
      note: ["[secret]", "[secret]"],
      "settings.Password": ["[secret]", "[secret]"],
      "settings.sslKey": ["[secret]", "[secret]"],
    });
  });

  test("names and shapes, one by one", () => {
    for (const name of ["AZURE_STORAGE_CONNECTION_STRING", "connectionString", "connection-string", "client_secret", "ClientSecret", "PASSWORD", "sas_token", "apiKey", "x-api-key", "primaryKey"]) {
      expect([name, isSensitiveName(name)]).toEqual([name, true]);
    }
    for (const name of ["LOG_LEVEL", "publicNetworkAccess", "keyVaultId", "tokenLifetime", "secretName"]) expect([name, isSensitiveName(name)]).toEqual([name, false]);
    for (const v of [CONN, SAS, JWT, PEM, "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b"]) expect(looksLikeCredential(v)).toBe(true);
    for (const v of ["https://stmlopsprod.blob.core.windows.net/models/m.pkl", "eyJ-not-a-token", "Disabled", "design=signature"]) expect(looksLikeCredential(v)).toBe(false);
  });

  test("a value nested in an object is redacted where it sits, the rest stays readable", () => {
    const before = app({}, { config: { endpoint: "https://a", auth: { token: "t1" } } });
    const after = app({}, { config: { endpoint: "https://b", auth: { token: "t2" } } });
    const out = readPulumiOutput("x.json", digest([{ op: "update", old: before, new: after }], { update: 1 }));
    const { report } = buildDriftReport(out, "x.json");
    expect(report.drifted[0].properties).toEqual([
      { path: "config.auth.token", before: "[secret]", after: "[secret]" },
      { path: "config.endpoint", before: "https://a", after: "https://b" },
    ]);
  });
});
