import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { InputError } from "../../../shared/errors";
import { checkName } from "../../../shared/naming";
import { badConfigs } from "./badConfigs";

const repo = path.resolve(__dirname, "../../..");

function specFor(stack: string, configFile?: string, extra: Record<string, string> = {}) {
  const files = readStackConfigFiles({ projectDir: repo, stack, configFile });
  return buildEnvironmentSpec({ project: files.project, stack, config: { ...files.config, ...extra }, sources: files.sources });
}

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("shipped stack configs", () => {
  test.each(["dev", "qa", "prod"])("%s builds a spec whose every derived name is valid", (stack) => {
    const spec = specFor(stack);
    expect(spec.environment).toBe(stack);
    expect(spec.kind).toBe("environment");
    for (const [kind, value] of [
      ["storageAccount", spec.names.storageAccount],
      ["keyVault", spec.names.keyVault],
      ["containerRegistry", spec.names.containerRegistry],
      ["workspace", spec.names.workspace],
      ["onlineEndpoint", spec.names.onlineEndpoint],
      ["batchEndpoint", spec.names.batchEndpoint],
    ] as const) {
      expect(checkName(kind, value)).toBeNull();
    }
    for (const c of spec.clusters) expect(checkName("computeCluster", c.name)).toBeNull();
    expect(spec.datastores.map((d) => d.name)).toEqual(expect.arrayContaining(["training", "scoring", "toy"]));
    expect(spec.tags).toMatchObject({ environment: stack, stack, "managed-by": "pulumi" });
  });

  test("environment-dependent defaults: dev is public and low priority, prod private, dedicated, protected", () => {
    const dev = specFor("dev");
    const prod = specFor("prod");
    expect(dev.network.mode).toBe("public");
    expect(dev.clusters.every((c) => c.priority === "LowPriority" && c.minNodes === 0)).toBe(true);
    expect(dev.serving).toBeNull();
    expect(dev.protect).toBe(false);
    expect(prod.network.mode).toBe("private");
    expect(prod.clusters.every((c) => c.priority === "Dedicated")).toBe(true);
    expect(prod.protect).toBe(true);
    expect(prod.keyVault.purgeProtection).toBe(true);
    expect(prod.serving?.privateCluster).toBe(true);
    expect(prod.promotion?.upstreamEnvironment).toBe("qa");
  });

  test("globally unique names differ between stacks and between projects", () => {
    const dev = specFor("dev");
    const qa = specFor("qa");
    expect(dev.names.storageAccount).not.toBe(qa.names.storageAccount);
    const files = readStackConfigFiles({ projectDir: repo, stack: "dev" });
    const other = buildEnvironmentSpec({ project: "mlops", stack: "dev", config: { ...files.config, "mlops:subscriptionId": "11111111-2222-3333-4444-555555555555" } });
    expect(other.names.storageAccount).not.toBe(dev.names.storageAccount);
  });

  test("a branch stack takes its branch from config and keeps dev's workspace names", () => {
    const spec = specFor("branch-x", "Pulumi.dev.yaml", { "mlops:branch": "feature/x" });
    expect(spec.kind).toBe("branch");
    expect(spec.branch).toEqual({ name: "feature/x", slug: "x" });
    expect(spec.names.workspace).toBe(specFor("dev").names.workspace);
    expect(spec.tags.branch).toBe("feature/x");
    expect(spec.serving).toBeNull();
  });
});

describe("bad configs are rejected with the file and key path", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-config-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(badConfigs.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    const file = path.join(dir, `${c.title.replace(/\W+/g, "-")}.yaml`);
    fs.writeFileSync(file, `config:\n${c.yaml}`);
    const problems = problemsOf(() => specFor(c.stack, file));
    const hit = problems.find((p) => p.path === c.path);
    expect(hit).toBeDefined();
    expect(hit!.message).toMatch(c.message);
    expect(hit!.file).toBe(file);
  });

  test("every problem is reported at once", () => {
    const file = path.join(dir, "many.yaml");
    fs.writeFileSync(
      file,
      "config:\n  mlops:location: West Europe\n  mlops:prefix: acme\n  mlops:compute:\n    clusters:\n      - { name: gpu, kind: gpu, vmSize: Standard_DS3_v2, maxNodes: 0 }\n  mlops:netwrk: {}\n",
    );
    const paths = problemsOf(() => specFor("dev", file)).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["mlops:location", "mlops:compute.clusters[0].maxNodes", "mlops:netwrk"]));
  });

  test("invalid YAML names the file and line", () => {
    const file = path.join(dir, "broken.yaml");
    fs.writeFileSync(file, "config:\n  mlops:prefix: [unclosed\n");
    const [problem] = problemsOf(() => specFor("dev", file));
    expect(problem.file).toBe(file);
    expect(problem.path).toMatch(/^line \d+, column \d+$/);
  });

  test("a missing stack file is reported, not thrown as a crash", () => {
    const problems = problemsOf(() => readStackConfigFiles({ projectDir: repo, stack: "staging" }));
    expect(problems[0]).toMatchObject({ file: "Pulumi.staging.yaml" });
  });

  test("a branch stack without any branch source asks for one", () => {
    const files = readStackConfigFiles({ projectDir: repo, stack: "dev" });
    const problems = problemsOf(() => buildEnvironmentSpec({ project: "mlops", stack: "branch-y", config: files.config, sources: files.sources, env: {} }));
    expect(problems[0]).toMatchObject({ path: "mlops:branch" });
  });
});

describe("stack names that look like environments", () => {
  test.each(["Prod", "QA", "Dev"])("%s is refused, not planned as a branch stack", (stack) => {
    const files = readStackConfigFiles({ projectDir: repo, stack: "dev" });
    const problems = problemsOf(() =>
      buildEnvironmentSpec({ project: "mlops", stack, config: { ...files.config, "mlops:branch": "feature/x" }, sources: files.sources, env: {} }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ file: "command line", path: "stack", message: expect.stringContaining(`did you mean '${stack.toLowerCase()}'`) }));
  });
});

describe("security options (mlops:security)", () => {
  test("defaults: prod buys the four Defender plans, qa declares Containers, dev none; CMK, flow logs and the egress firewall in qa and prod only", () => {
    const [dev, qa, prod] = ["dev", "qa", "prod"].map((s) => specFor(s));
    expect(prod.security).toEqual({ defenderPlans: ["Containers", "KeyVaults", "StorageAccounts", "Arm"], customerManagedKeys: true, flowLogs: true, egressFirewall: true });
    expect(qa.security).toEqual({ defenderPlans: ["Containers"], customerManagedKeys: true, flowLogs: true, egressFirewall: true });
    expect(dev.security).toEqual({ defenderPlans: [], customerManagedKeys: false, flowLogs: false, egressFirewall: false });
  });

  test("each option can be turned off, and the firewall follows its subnet", () => {
    const off = specFor("prod", undefined, { "mlops:security": JSON.stringify({ defenderPlans: [], customerManagedKeys: false, flowLogs: false, egressFirewall: false }) });
    expect(off.security).toEqual({ defenderPlans: [], customerManagedKeys: false, flowLogs: false, egressFirewall: false });
    const files = readStackConfigFiles({ projectDir: repo, stack: "qa" });
    const network = JSON.parse(files.config["mlops:network"]);
    delete network.subnets.firewall;
    const noSubnet = buildEnvironmentSpec({ project: files.project, stack: "qa", config: { ...files.config, "mlops:network": JSON.stringify(network) } });
    expect(noSubnet.security.egressFirewall).toBe(false);
  });

  test("a firewall subnet smaller than /26 and an explicit firewall without one are refused with their key paths", () => {
    const files = readStackConfigFiles({ projectDir: repo, stack: "prod" });
    const network = JSON.parse(files.config["mlops:network"]);
    network.subnets.firewall = "10.30.2.0/27";
    const small = problemsOf(() => buildEnvironmentSpec({ project: files.project, stack: "prod", config: { ...files.config, "mlops:network": JSON.stringify(network) } }));
    expect(small).toEqual(expect.arrayContaining([expect.objectContaining({ path: "mlops:network.subnets.firewall", message: expect.stringMatching(/\/26 or larger/) })]));
    delete network.subnets.firewall;
    const missing = problemsOf(() =>
      buildEnvironmentSpec({ project: files.project, stack: "prod", config: { ...files.config, "mlops:network": JSON.stringify(network), "mlops:security": JSON.stringify({ egressFirewall: true }) } }),
    );
    expect(missing).toEqual(expect.arrayContaining([expect.objectContaining({ path: "mlops:security.egressFirewall", message: expect.stringMatching(/network.subnets.firewall/) })]));
  });
});
