/** Values Azure would refuse, refused offline by the config rules (sources in infra/config/azureValues.ts). */
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { cronProblems, hostBitsProblem, vmFamily } from "../../../infra/config/valueRules";
import { InputError } from "../../../shared/errors";

const repo = path.resolve(__dirname, "../../..");

function problemsFor(stack: "dev" | "qa" | "prod", overrides: Record<string, unknown>) {
  const files = readStackConfigFiles({ projectDir: repo, stack });
  const config = { ...files.config };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete config[key];
    else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  try {
    buildEnvironmentSpec({ project: "mlops", stack, config, sources: files.sources });
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const devNetwork = (addressSpace: string, subnets: Record<string, string>) => ({ "mlops:network": { mode: "public", addressSpace, subnets } });

test("the shipped stacks pass every value rule", () => {
  for (const stack of ["dev", "qa", "prod"] as const) expect(problemsFor(stack, {})).toEqual([]);
});

test("an unknown region is refused, naming the key", () => {
  expect(problemsFor("dev", { "mlops:location": "westeruope", "azure-native:location": undefined })).toEqual([
    expect.stringMatching(/^Pulumi\.yaml: mlops:location: 'westeruope' is not an Azure region name/),
  ]);
});

test("azure-native:location that disagrees with mlops:location is refused, not silently ignored", () => {
  const problems = problemsFor("qa", { "azure-native:location": "eastus" });
  expect(problems).toEqual([expect.stringMatching(/^Pulumi\.qa\.yaml: azure-native:location: is 'eastus' but mlops:location is 'westeurope' \(from Pulumi\.yaml\)/)]);
  expect(problemsFor("qa", { "azure-native:location": "eastus", "mlops:location": "eastus" })).toEqual([]);
});

test("CIDRs with host bits, 0.0.0.0/0 spaces, reserved ranges and too-small subnets are refused", () => {
  expect(problemsFor("dev", devNetwork("10.10.0.1/16", { aks: "10.10.8.0/21" }))).toEqual([
    "Pulumi.dev.yaml: mlops:network.addressSpace: has host bits set: the network of 10.10.0.1/16 is 10.10.0.0/16",
  ]);
  expect(problemsFor("dev", devNetwork("0.0.0.0/0", { aks: "10.10.8.0/21" }))).toEqual([
    expect.stringContaining("mlops:network.addressSpace: 0.0.0.0/0 is too wide for a virtual network (0.0.0.0/0 is every address)"),
    expect.stringContaining("overlaps 224.0.0.0/4 (multicast)"),
    expect.stringContaining("overlaps 255.255.255.255/32 (broadcast)"),
    expect.stringContaining("overlaps 127.0.0.0/8 (loopback)"),
    expect.stringContaining("overlaps 169.254.0.0/16 (link-local)"),
    expect.stringContaining("overlaps 168.63.129.16/32"),
  ]);
  expect(problemsFor("dev", devNetwork("169.254.0.0/16", { aks: "169.254.8.0/30" }))).toEqual([
    expect.stringContaining("mlops:network.addressSpace: 169.254.0.0/16 overlaps 169.254.0.0/16 (link-local)"),
    expect.stringContaining("mlops:network.subnets.aks: 169.254.8.0/30 is smaller than Azure's smallest subnet (/29)"),
    expect.stringContaining("mlops:network.subnets.aks: 169.254.8.0/30 overlaps 169.254.0.0/16 (link-local)"),
  ]);
});

test("AKS authorized ranges may not be 0.0.0.0/0 or carry host bits", () => {
  const files = readStackConfigFiles({ projectDir: repo, stack: "qa" });
  const serving = JSON.parse(files.config["mlops:serving"]);
  // A public API server must also admit the Azure ML control plane of the region pair (its own rule,
  // tested in tests/infra/config/servingConfig.test.ts): valid ranges here keep this test to the two bad ranges.
  const azureMlControlPlaneRanges = { westeurope: ["192.0.2.0/25"], northeurope: ["192.0.2.128/25"] };
  const problems = problemsFor("qa", { "mlops:serving": { ...serving, privateCluster: false, azureMlControlPlaneRanges, authorizedIpRanges: ["0.0.0.0/0", "203.0.113.7/24"] } });
  expect(problems).toEqual([
    expect.stringContaining("mlops:serving.authorizedIpRanges[0]: 0.0.0.0/0 authorizes every address"),
    expect.stringContaining("mlops:serving.authorizedIpRanges[1]: has host bits set: the network of 203.0.113.7/24 is 203.0.113.0/24"),
  ]);
});

test("impossible cron expressions and non-Azure time zones are refused", () => {
  const schedules = [
    { pipeline: "training", cron: "0 3 31 2 *" },
    { pipeline: "training", cron: "61 3 * * *" },
    { pipeline: "training", cron: "0 3 * * MON", timeZone: "Europe/Amsterdam" },
    { pipeline: "training", cron: "0 3 * * MON-FRI", timeZone: "W. Europe Standard Time" },
  ];
  expect(problemsFor("dev", { "mlops:pipelines": { publish: ["training", "scoring"], schedules } })).toEqual([
    "Pulumi.dev.yaml: mlops:pipelines.schedules[0].cron: never runs: day 31 does not occur in month 2",
    "Pulumi.dev.yaml: mlops:pipelines.schedules[1].cron: minute '61' is outside 0–59",
    expect.stringMatching(/schedules\[2\]\.timeZone: 'Europe\/Amsterdam' is not a time zone Azure ML schedules accept \(an IANA name/),
  ]);
});

test("members must be object ids", () => {
  const identity = { dataScientists: { enabled: true, members: ["ana@contoso.com", "00000000-0000-0000-0000-00000000000g", "7f3c1e2a-1b2c-4d5e-8f90-0a1b2c3d4e5f"] } };
  expect(problemsFor("dev", { "mlops:identity": identity })).toEqual([
    "Pulumi.dev.yaml: mlops:identity.dataScientists.members[0]: must be an Entra object id (a GUID), found 'ana@contoso.com'",
    "Pulumi.dev.yaml: mlops:identity.dataScientists.members[1]: must be an Entra object id (a GUID), found '00000000-0000-0000-0000-00000000000g'",
  ]);
});

describe("value parsers", () => {
  test("cron fields: names, ranges, steps, lists", () => {
    expect(cronProblems("*/15 0-23/2 1,15 JAN-DEC SUN")).toEqual([]);
    expect(cronProblems("0 0 30 2 1")).toEqual([]); // with a weekday it runs on Mondays of February
    expect(cronProblems("0 0 29 2 *")).toEqual([]);
    expect(cronProblems("0 24 * * *")).toEqual(["hour '24' is outside 0–23"]);
    expect(cronProblems("0 0 * * 7")).toEqual(["day of week '7' is outside 0–6"]);
    expect(cronProblems("0 0 5-1 * *")).toEqual(["day of month range '5-1' runs backwards"]);
    expect(cronProblems("0 0 * *")).toEqual(["expected 5 fields (minute hour day-of-month month day-of-week), found 4"]);
  });

  test("VM size names by family", () => {
    for (const [size, kind] of [
      ["Standard_DS3_v2", "cpu"],
      ["Standard_F16s_v2", "cpu"],
      ["Standard_D4ds_v5", "cpu"],
      ["Standard_E64-32s_v3", "cpu"],
      ["Standard_NC6s_v3", "gpu"],
      ["Standard_NC24ads_A100_v4", "gpu"],
      ["Standard_ND96isr_H100_v5", "gpu"],
    ] as const) {
      expect([size, vmFamily(size).kind]).toEqual([size, kind]);
    }
    expect(vmFamily("Standard_Q4_v2").problem).toMatch(/names no Azure VM family/);
    expect(vmFamily("Standard_D4 ds").problem).toMatch(/is not an Azure VM size name/);
  });

  test("host bits", () => {
    expect(hostBitsProblem("10.0.0.0/8")).toBeNull();
    expect(hostBitsProblem("10.0.0.128/25")).toBeNull();
    expect(hostBitsProblem("10.0.0.129/25")).toBe("has host bits set: the network of 10.0.0.129/25 is 10.0.0.128/25");
  });
});
