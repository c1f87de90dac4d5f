/**
 * The drift report built from fixtures in the shapes Pulumi prints: the preview digest of
 * `pulumi refresh --preview-only --json` and `pulumi preview --refresh --json` (and the engine-event
 * stream when streaming previews are on).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { buildDriftReport, DriftReport } from "../../../tools/drift/driftReport";
import { readPulumiOutput } from "../../../tools/drift/pulumiOutput";
import { renderReport } from "../../../tools/drift/renderReport";

const FIXTURES = path.join(__dirname, "fixtures");
const URN = (qualifiedType: string, name: string) => `urn:pulumi:prod::mlops-azure::${qualifiedType}::${name}`;
const WS = URN("mlops:workspace:Workspace$azure-native:machinelearningservices:Workspace", "prod-workspace-ws");
const STORAGE = URN("mlops:workspace:Workspace$azure-native:storage:StorageAccount", "prod-workspace-storage");
const KV = URN("mlops:workspace:Workspace$azure-native:keyvault:Vault", "prod-workspace-kv");
const ACR = URN("mlops:workspace:Workspace$azure-native:containerregistry:Registry", "prod-workspace-acr");
const APPI = URN("mlops:workspace:Workspace$azure-native:insights:Component", "prod-workspace-appi");
const CPU = URN("mlops:compute:ComputeCluster$azure-native:machinelearningservices:Compute", "prod-cpu-compute");
const ROLE = URN("mlops:workspace:Workspace$azure-native:authorization:RoleAssignment", "prod-workspace-blob-contributor");

function analyze(name: string) {
  const file = path.join(FIXTURES, name);
  return buildDriftReport(readPulumiOutput(name, fs.readFileSync(file, "utf8")), name);
}

function report(name: string): DriftReport {
  return analyze(name).report;
}

function problemsOf(name: string): { path: string; message: string }[] {
  try {
    analyze(name);
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => ({ path: p.path, message: p.message }));
    throw err;
  }
  throw new Error(`${name} was accepted`);
}

describe("no drift", () => {
  test("refresh --preview-only where every step is `refresh`", () => {
    expect(report("refresh-no-drift.json")).toEqual({
      source: "refresh",
      stack: "prod",
      drifted: [],
      unattributed: [],
      summary: { high: 0, medium: 0, low: 0, unchanged: 7 },
    });
  });

  test("preview --refresh: refresh steps, then only the root stack's `same`", () => {
    expect(report("preview-refresh-no-drift.json")).toEqual({
      source: "preview-refresh",
      stack: "prod",
      drifted: [],
      unattributed: [],
      summary: { high: 0, medium: 0, low: 0, unchanged: 7 },
    });
  });
});

describe("refresh --preview-only with drift", () => {
  const r = report("refresh-drift.json");

  test("is recognised as a refresh", () => {
    expect(r.source).toBe("refresh");
    expect(r.stack).toBe("prod");
  });

  test("every drifted resource, ordered high → low, with before = state and after = Azure", () => {
    expect(r.drifted).toEqual([
      { urn: ROLE, type: "azure-native:authorization:RoleAssignment", op: "delete", severity: "high", properties: [] },
      {
        urn: ACR,
        type: "azure-native:containerregistry:Registry",
        op: "update",
        severity: "high",
        // No detailed diff (a `refresh` step whose states differ): computed from the outputs.
        properties: [{ path: "adminUserEnabled", before: false, after: true }],
      },
      {
        urn: WS,
        type: "azure-native:machinelearningservices:Workspace",
        op: "update",
        severity: "high",
        // systemData.lastModifiedAt is in the engine's diff but is ARM bookkeeping, not drift.
        properties: [{ path: "publicNetworkAccess", before: "Disabled", after: "Enabled" }],
      },
      {
        urn: CPU,
        type: "azure-native:machinelearningservices:Compute",
        op: "update",
        severity: "medium",
        properties: [{ path: "properties.properties.scaleSettings.maxNodeCount", before: 4, after: 10 }],
      },
      {
        urn: STORAGE,
        type: "azure-native:storage:StorageAccount",
        op: "update",
        severity: "low",
        properties: [
          { path: "tags.owner", before: "ml-platform", after: "someone-else" },
          { path: "tags.temp", before: null, after: "yes" },
        ],
      },
    ]);
  });

  test("summary counts by severity; root stack, provider and components are not counted", () => {
    expect(r.summary).toEqual({ high: 3, medium: 1, low: 1, unchanged: 2 });
  });
});

describe("preview --refresh with drift", () => {
  const r = report("preview-refresh-drift.json");
  const byUrn = new Map(r.drifted.map((d) => [d.urn, d]));

  test("is recognised as a preview with refresh", () => {
    expect(r.source).toBe("preview-refresh");
  });

  test("a declared property changed in Azure: before is declared (newState), after is Azure (refreshed oldState)", () => {
    expect(byUrn.get(WS)).toEqual({
      urn: WS,
      type: "azure-native:machinelearningservices:Workspace",
      op: "update",
      severity: "high",
      properties: [{ path: "publicNetworkAccess", before: "Disabled", after: "Enabled" }],
    });
  });

  test("a resource deleted in Azure that `up` would recreate: op create, high for a stateful store", () => {
    expect(byUrn.get(STORAGE)).toMatchObject({ op: "create", severity: "high", properties: [] });
  });

  test("a deleted role assignment is high", () => {
    expect(byUrn.get(ROLE)).toMatchObject({ op: "create", severity: "high" });
  });

  test("a replaced resource: one entry, op replace, with the replacing property", () => {
    expect(byUrn.get(CPU)).toEqual({
      urn: CPU,
      type: "azure-native:machinelearningservices:Compute",
      op: "replace",
      severity: "medium",
      properties: [{ path: "properties.properties.vmSize", before: "STANDARD_DS3_V2", after: "STANDARD_NC6S_V3" }],
    });
    expect(r.drifted.filter((d) => d.urn === CPU)).toHaveLength(1);
  });

  test("drift only the refresh sees (an undeclared setting) is reported with op refresh", () => {
    expect(byUrn.get(KV)).toEqual({
      urn: KV,
      type: "azure-native:keyvault:Vault",
      op: "refresh",
      severity: "high",
      properties: [{ path: "properties.networkAcls.defaultAction", before: "Deny", after: "Allow" }],
    });
  });

  test("a planned update without a detailed diff is computed from the inputs named in diffReasons", () => {
    expect(byUrn.get(ACR)).toMatchObject({ op: "update", severity: "high", properties: [{ path: "adminUserEnabled", before: false, after: true }] });
  });

  test("tag drift is low", () => {
    expect(byUrn.get(APPI)).toMatchObject({ severity: "low", properties: [{ path: "tags.costCenter", before: "ml-1234", after: "ml-9999" }] });
  });

  test("summary", () => {
    expect(r.summary).toEqual({ high: 5, medium: 1, low: 1, unchanged: 0 });
  });
});

describe("secrets", () => {
  const analysis = analyze("refresh-secrets.json");
  const leaks = ["PLAINTEXT-ACCOUNT-KEY", "LEAKED-IKEY", "Zm9vYmFy", "ciphertext", "4dabf18193072939515e22adb298388d"];

  test("secret values (blinded, signature objects, or plain beside a secret) print as [secret] on both sides", () => {
    const props = analysis.report.drifted.flatMap((d) => d.properties);
    expect(props).toEqual(
      expect.arrayContaining([
        { path: "properties.value", before: "[secret]", after: "[secret]" },
        { path: "datastoreProperties.credentials.secrets.key", before: "[secret]", after: "[secret]" },
        { path: "connectionString", before: "[secret]", after: "[secret]" },
        { path: "properties.attributes.enabled", before: true, after: false },
      ]),
    );
  });

  test.each(["json", "text", "markdown"] as const)("no secret material in the %s report", (format) => {
    const out = renderReport(analysis, format);
    for (const leak of leaks) expect(out).not.toContain(leak);
    expect(out).toContain("[secret]");
  });
});

describe("engine-event stream (streaming JSON)", () => {
  test("gives the same report as the digest would", () => {
    const r = report("refresh-events.jsonl");
    expect(r).toEqual({
      source: "refresh",
      stack: "prod",
      drifted: [
        {
          urn: WS,
          type: "azure-native:machinelearningservices:Workspace",
          op: "update",
          severity: "high",
          properties: [{ path: "publicNetworkAccess", before: "Disabled", after: "Enabled" }],
        },
      ],
      unattributed: [],
      summary: { high: 1, medium: 0, low: 0, unchanged: 6 },
    });
  });

  test("an error diagnostic in the stream makes it incomplete", () => {
    const lines = [
      { sequence: 0, timestamp: 1, preludeEvent: { config: {} } },
      { sequence: 1, timestamp: 2, diagnosticEvent: { urn: WS, message: "error: AuthorizationFailed\n", color: "never", severity: "error" } },
      { sequence: 2, timestamp: 3, diagnosticEvent: { message: "progress", color: "never", severity: "info", ephemeral: true } },
      { sequence: 3, timestamp: 4, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { same: 3 }, PolicyPacks: {} } },
    ];
    const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
    expect(() => readPulumiOutput("events.jsonl", text)).toThrow(/line 2\.diagnosticEvent: the Pulumi operation reported an error.*AuthorizationFailed/);
  });

  test("a stream cut short is bad input", () => {
    const problems = problemsOf("refresh-events-truncated.jsonl");
    expect(problems.map((p) => p.path)).toEqual(["line 9", "summaryEvent.resourceChanges"]);
    expect(problems[0].message).toMatch(/truncated/);
  });
});

describe("bad input", () => {
  test("truncated JSON", () => {
    expect(problemsOf("malformed-truncated.json")).toEqual([{ path: "", message: expect.stringMatching(/truncated/) }]);
  });

  test("not JSON (the human-readable output)", () => {
    expect(problemsOf("malformed-not-json.txt")).toEqual([{ path: "", message: expect.stringMatching(/not valid JSON/) }]);
  });

  test("JSON that is not a Pulumi preview (a plan file)", () => {
    expect(problemsOf("malformed-not-pulumi.json")).toEqual([{ path: "", message: expect.stringMatching(/not a Pulumi preview/) }]);
  });

  test("every bad step is reported at once, with its key path", () => {
    expect(problemsOf("malformed-bad-steps.json").map((p) => p.path)).toEqual([
      "steps[1].op",
      "steps[2].op",
      "steps[2].urn",
      'steps[3].detailedDiff["adminUserEnabled"].kind',
    ]);
  });

  test("a plain `pulumi preview --json` (no refresh) cannot show drift", () => {
    expect(problemsOf("preview-without-refresh.json")).toEqual([{ path: "steps", message: expect.stringMatching(/without `--refresh`/) }]);
  });

  test("a failed preview (error diagnostic, no changeSummary) is incomplete", () => {
    expect(problemsOf("preview-failed.json").map((p) => p.path)).toEqual(["changeSummary", "diagnostics[0]"]);
  });

  test("an empty file", () => {
    expect(() => readPulumiOutput("empty.json", " \n")).toThrow(/empty/);
  });

  test("a JSON syntax error in the middle names line and column", () => {
    expect(() => readPulumiOutput("x.json", '{\n  "steps": [,]\n}')).toThrow(/line 2, column 13/);
  });
});
