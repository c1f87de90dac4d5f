/**
 * Bad serving, network and identity config is rejected before anything is registered: every problem
 * at once, each naming its file and key path; `npm run plan` exits 2 on it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildEnvironmentSpec, EnvironmentSpec } from "../../../infra/config";
import { InputError, InputProblem } from "../../../shared/errors";
import { runTool } from "../../support/plans";

const FILE = "stacks/Pulumi.qa.yaml";

/** A valid qa config (private, serving on) with `changes` merged into its top-level keys. */
function qaConfig(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    environment: "qa",
    location: "westeurope",
    prefix: "acme",
    network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: { privateEndpoints: "10.20.0.0/24", aks: "10.20.16.0/20" } },
    compute: { clusters: [{ name: "cpu", kind: "cpu", vmSize: "Standard_DS3_v2", maxNodes: 4 }] },
    workspace: { imageBuildCluster: "cpu" },
    serving: {
      kubernetesVersion: "1.33",
      authorizedIpRanges: ["203.0.113.0/24"],
      userPools: [{ name: "cpuinfer", vmSize: "Standard_D8ds_v5", minCount: 1, maxCount: 4 }],
      azureMlControlPlaneRanges: { westeurope: ["192.0.2.0/25"], northeurope: ["192.0.2.128/25"] },
      instanceTypes: [{ name: "cpusmall", cpu: "2", memory: "4Gi", nodePool: "cpuinfer" }],
      instanceTypesInCluster: true,
      onlineEndpoint: { instanceType: "cpusmall" },
      batchEndpoint: { cluster: "cpu" },
    },
    servingTlsCertificate: "-----BEGIN CERTIFICATE-----",
    servingTlsKey: "-----BEGIN PRIVATE KEY-----",
    ...changes,
  };
}

function build(cfg: Record<string, unknown>, stack = "qa"): EnvironmentSpec {
  const config: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v === undefined) continue;
    config[`mlops:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    sources[`mlops:${k}`] = FILE;
  }
  return buildEnvironmentSpec({ project: "mlops", stack, config, sources });
}

function problemsOf(cfg: Record<string, unknown>, stack = "qa"): InputProblem[] {
  try {
    build(cfg, stack);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

const serving = (changes: Record<string, unknown>) => ({ ...(qaConfig().serving as object), ...changes });

test("the baseline qa config is valid and has serving, so each case below fails for its own reason", () => {
  const spec = build(qaConfig());
  expect(spec.serving).not.toBeNull();
});

test.each([
  ["GPU pool with a CPU size", "mlops:serving.userPools[0].vmSize", { serving: serving({ userPools: [{ name: "gpu", kind: "gpu", vmSize: "Standard_D8ds_v5", maxCount: 2 }] }) }, /GPU VM family/],
  ["CPU pool with a GPU size", "mlops:serving.userPools[0].vmSize", { serving: serving({ userPools: [{ name: "cpu", kind: "cpu", vmSize: "Standard_NC6s_v3", maxCount: 2 }] }) }, /GPU size/],
  ["user pool min above max", "mlops:serving.userPools[0].minCount", { serving: serving({ userPools: [{ name: "cpuinfer", vmSize: "Standard_D8ds_v5", minCount: 5, maxCount: 2 }] }) }, /≤ maxCount/],
  ["system pool min above max", "mlops:serving.systemPool.minCount", { serving: serving({ systemPool: { minCount: 4, maxCount: 2 } }) }, /≤ maxCount/],
  ["system pool of zero nodes", "mlops:serving.systemPool.minCount", { serving: serving({ systemPool: { minCount: 0 } }) }, />= 1/],
  ["node count above the limit", "mlops:serving.userPools[0].maxCount", { serving: serving({ userPools: [{ name: "cpuinfer", vmSize: "Standard_D8ds_v5", maxCount: 5000 }] }) }, /<= 1000/],
  ["Kubernetes version not major.minor[.patch]", "mlops:serving.kubernetesVersion", { serving: serving({ kubernetesVersion: "v1.33-latest" }) }, /pattern|major/],
  ["serving without a Kubernetes version", "mlops:serving.kubernetesVersion", { serving: serving({ kubernetesVersion: undefined }) }, /is required when serving is enabled/],
  ["private mode without an address space", "mlops:network.addressSpace", { network: { mode: "private", subnets: {} } }, /required/],
  ["AKS subnet outside the address space", "mlops:network.subnets.aks", { network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: { privateEndpoints: "10.20.0.0/24", aks: "10.99.0.0/20" } } }, /not inside network.addressSpace/],
  ["private endpoint and AKS subnets overlapping", "mlops:network.subnets.aks", { network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: { privateEndpoints: "10.20.16.0/24", aks: "10.20.16.0/20" } } }, /overlaps/],
  ["private API server with authorized IP ranges", "mlops:serving.authorizedIpRanges", { serving: serving({ privateCluster: true }) }, /private cluster/],
  ["authorized range not a CIDR", "mlops:serving.authorizedIpRanges[0]", { serving: serving({ authorizedIpRanges: ["203.0.113.0"] }) }, /CIDR/],
  ["instance type on an unknown pool", "mlops:serving.instanceTypes[0].nodePool", { serving: serving({ instanceTypes: [{ name: "cpusmall", cpu: "2", memory: "4Gi", nodePool: "nope" }] }) }, /unknown user pool 'nope'/],
  ["GPU instance type on a CPU pool", "mlops:serving.instanceTypes[0].gpu", { serving: serving({ instanceTypes: [{ name: "cpusmall", cpu: "2", memory: "4Gi", gpu: 1, nodePool: "cpuinfer" }] }) }, /not a gpu pool/],
  ["online endpoint on an unknown instance type", "mlops:serving.onlineEndpoint.instanceType", { serving: serving({ onlineEndpoint: { instanceType: "huge" } }) }, /unknown instance type 'huge'/],
  ["a public API server that misses the Azure ML control plane of the pair region", "mlops:serving.azureMlControlPlaneRanges", { serving: serving({ azureMlControlPlaneRanges: { westeurope: ["192.0.2.0/25"] } }) }, /^must list the Azure ML control-plane ranges of 'northeurope' \(service tag AzureMachineLearning\.northeurope\)/],
  ["a public API server in a region without a known pair", "mlops:serving.pairedRegion", { location: "brazilsouth" }, /no pair is known for region 'brazilsouth'/],
  ["custom instance types with nothing to create them in the cluster", "mlops:serving.gitops", { serving: serving({ instanceTypesInCluster: undefined }) }, /required when serving.instanceTypes are listed.*Flux/],
  ["a GitOps repository that is not an https URL", "mlops:serving.gitops.repositoryUrl", { serving: serving({ gitops: { repositoryUrl: "git@github.com:contoso/mlops.git" } }) }, /must match \^https/],
  ["a GitOps token without a user", "mlops:serving.gitops.httpsUser", { serving: serving({ instanceTypesInCluster: undefined, gitops: { repositoryUrl: "https://dev.azure.com/contoso/mlops/_git/mlops" } }), gitopsHttpsKey: "pat" }, /required when gitopsHttpsKey is set/],
  ["an online endpoint on a custom instance type none lists", "mlops:serving.onlineEndpoint.instanceType", { serving: serving({ instanceTypes: undefined, instanceTypesInCluster: undefined }) }, /not an instance type of this cluster.*defaultinstancetype/],
  ["rollout steps that fall or stop short of 100", "mlops:serving.rollout.steps", { serving: serving({ rollout: { steps: [50, 10, 90] } }) }, /rise strictly and end at 100/],
  ["batch endpoint on an unknown cluster", "mlops:serving.batchEndpoint.cluster", { serving: serving({ batchEndpoint: { cluster: "gpu" } }) }, /unknown compute cluster 'gpu'/],
  ["online endpoint with an unknown auth mode", "mlops:serving.onlineEndpoint.authMode", { serving: serving({ onlineEndpoint: { instanceType: "cpusmall", authMode: "Anonymous" } }) }, /one of/],
])("%s → names %s", (_title, keyPath, changes, message) => {
  const problems = problemsOf(qaConfig(changes as Record<string, unknown>));
  const hit = problems.find((p) => p.path === keyPath);
  expect({ paths: problems.map((p) => p.path), hit: Boolean(hit) }).toEqual({ paths: expect.arrayContaining([keyPath]), hit: true });
  expect(hit!.file).toBe(FILE);
  expect(hit!.message).toMatch(message as RegExp);
});

test("a private GitOps repository without its token names the secret key, in the stack's file (it is missing from it)", () => {
  const problems = problemsOf(qaConfig({ serving: serving({ instanceTypesInCluster: undefined, gitops: { repositoryUrl: "https://dev.azure.com/contoso/mlops/_git/mlops", httpsUser: "flux" } }) }));
  expect(problems).toEqual([{ file: "Pulumi.qa.yaml", path: "mlops:gitopsHttpsKey", message: expect.stringMatching(/required when serving.gitops.httpsUser is set.*--secret gitopsHttpsKey/) }]);
});

test("serving without the router's certificate and key names both secret keys, in the stack's file (they are missing from it)", () => {
  const problems = problemsOf(qaConfig({ servingTlsCertificate: undefined, servingTlsKey: undefined }));
  expect(problems).toEqual([
    { file: "Pulumi.qa.yaml", path: "mlops:servingTlsCertificate", message: expect.stringMatching(/required when serving is enabled.*pulumi config set --secret servingTlsCertificate/) },
    { file: "Pulumi.qa.yaml", path: "mlops:servingTlsKey", message: expect.stringMatching(/private key.*pulumi config set --secret servingTlsKey/) },
  ]);
});

test("a public API server admits the configured ranges plus the Azure ML control plane of the region pair; a private one needs none", () => {
  expect(build(qaConfig()).serving!.apiServerRanges.sort()).toEqual(["192.0.2.0/25", "192.0.2.128/25", "203.0.113.0/24"]);
  const privateOne = build(qaConfig({ serving: serving({ privateCluster: true, authorizedIpRanges: undefined, azureMlControlPlaneRanges: undefined }) }));
  expect(privateOne.serving!.privateCluster).toBe(true);
});

test("prod needs a private API server or authorized ranges", () => {
  const cfg = qaConfig({ environment: "prod", serving: serving({ authorizedIpRanges: [], privateCluster: false }) });
  const problems = problemsOf(cfg, "prod");
  expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: FILE, path: "mlops:serving.privateCluster" })]));
});

test("with serving.gitops, the instance types come from deploy/instance-types/<stack> of that repository; applied by hand, from nowhere", () => {
  const gitops = { repositoryUrl: "https://github.com/contoso/mlops", branch: "release" };
  expect(build(qaConfig({ serving: serving({ instanceTypesInCluster: undefined, gitops }) })).serving!.instanceTypeSource).toEqual({ ...gitops, path: "deploy/instance-types/qa" });
  expect(build(qaConfig({ serving: serving({ gitops }) })).serving!.instanceTypeSource).toBeUndefined();
  // A private repository carries its user; the token stays a secret config key, outside the spec.
  const privateRepo = { ...gitops, httpsUser: "flux-reader" };
  const source = build(qaConfig({ serving: serving({ instanceTypesInCluster: undefined, gitops: privateRepo }), gitopsHttpsKey: "tok-5e3f" })).serving!.instanceTypeSource;
  expect(source).toEqual({ ...privateRepo, path: "deploy/instance-types/qa" });
  expect(JSON.stringify(source)).not.toContain("tok-5e3f");
  expect(build(qaConfig({ serving: serving({ instanceTypes: undefined, onlineEndpoint: {}, gitops }) })).serving!.instanceTypeSource).toBeUndefined();
});

test("every serving problem is reported at once", () => {
  const problems = problemsOf(
    qaConfig({
      serving: serving({
        systemPool: { minCount: 3, maxCount: 1 },
        userPools: [
          { name: "gpu", kind: "gpu", vmSize: "Standard_D8ds_v5", maxCount: 2 },
          { name: "cpuinfer", vmSize: "Standard_D8ds_v5", minCount: 6, maxCount: 2 },
        ],
        privateCluster: true,
      }),
    }),
  );
  expect(problems.map((p) => p.path).sort()).toEqual(
    ["mlops:serving.authorizedIpRanges", "mlops:serving.systemPool.minCount", "mlops:serving.userPools[0].vmSize", "mlops:serving.userPools[1].minCount"].sort(),
  );
  for (const p of problems) expect(p.file).toBe(FILE);
});

describe("what the network and identity need beyond the schema", () => {
  test("private mode without a private-endpoint subnet, serving without an AKS subnet", () => {
    expect(problemsOf(qaConfig({ network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: {} } }))).toEqual(
      expect.arrayContaining([
        { file: FILE, path: "mlops:network.subnets.privateEndpoints", message: expect.stringMatching(/required when network.mode is private/) },
        { file: FILE, path: "mlops:network.subnets.aks", message: expect.stringMatching(/required when serving is enabled/) },
      ]),
    );
  });

  test("private mode without a cluster to build images (the registry is closed to Azure ML's shared builders)", () => {
    expect(problemsOf(qaConfig({ workspace: {} }))).toEqual([{ file: FILE, path: "mlops:workspace.imageBuildCluster", message: expect.stringMatching(/required when network.mode is private/) }]);
  });

  test("public mode without serving needs no network at all", () => {
    const spec = build(qaConfig({ environment: "dev", network: { mode: "public" }, serving: { enabled: false }, compute: undefined, workspace: undefined }), "dev");
    // No address space and no subnets; the spec still names what a network would hold.
    expect(spec.network).toEqual({ mode: "public", subnets: {}, names: expect.objectContaining({ natGateway: expect.any(String) }) });
  });

  test("a GitHub repository with no environment, branch or pull requests could never sign in", () => {
    // Without `environments` the stack's own environment is the default (the one deploy-stack.yml uses).
    expect(problemsOf(qaConfig({ identity: { github: { repository: "contoso/mlops", environments: [] } } }))).toEqual([{ file: FILE, path: "mlops:identity.github", message: expect.stringMatching(/could never sign in/) }]);
  });

  test("an Azure DevOps connection needs the organization id its tokens are issued under", () => {
    expect(problemsOf(qaConfig({ identity: { azureDevOps: { organization: "contoso", project: "ml", serviceConnection: "mlops-qa", issuer: "azureDevOps" } } }))).toEqual([{ file: FILE, path: "mlops:identity.azureDevOps.organizationId", message: expect.stringMatching(/both issuers name the organization by its id/) }]);
  });
});

describe("npm run plan", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-serving-cfg-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [
      "a GPU pool with a CPU size and a pool with min above max",
      "  mlops:serving:\n    kubernetesVersion: '1.33'\n    authorizedIpRanges: [203.0.113.0/24]\n    userPools:\n      - { name: gpu, kind: gpu, vmSize: Standard_D8ds_v5, maxCount: 2 }\n      - { name: cpu, vmSize: Standard_D8ds_v5, minCount: 3, maxCount: 2 }\n",
      ["mlops:serving.userPools[0].vmSize", "mlops:serving.userPools[1].minCount"],
      true,
      true,
    ],
    ["a Kubernetes version that is not major.minor[.patch]", "  mlops:serving:\n    kubernetesVersion: latest\n", ["mlops:serving.kubernetesVersion"], true, true],
    [
      "an online deployment on an instance type the stack does not declare",
      "  mlops:serving:\n    kubernetesVersion: '1.33'\n    privateCluster: true\n    userPools: [{ name: cpuinfer, vmSize: Standard_D8ds_v5, maxCount: 2 }]\n    instanceTypes: [{ name: cpuscoring, cpu: '1', memory: 4Gi, nodePool: cpuinfer }]\n    gitops: { repositoryUrl: 'https://github.com/contoso/mlops' }\n    onlineEndpoint: { instanceType: gpularge }\n",
      ["mlops:serving.onlineEndpoint.instanceType"],
      true,
      true,
    ],
    // Checked by infra/stack/network.ts until the rule moves into infra/config (which knows the file).
    ["serving without an AKS subnet", "  mlops:serving:\n    kubernetesVersion: '1.33'\n    authorizedIpRanges: [203.0.113.0/24]\n", ["mlops:network.subnets.aks"], false, false],
  ])("%s exits 2 naming the key path, without a stack trace or output files", async (_title, serving, paths, aksSubnet, namesFile) => {
    const file = path.join(dir, `${_title.replace(/\W+/g, "-")}.yaml`);
    const net = `  mlops:network:\n    mode: private\n    addressSpace: 10.1.0.0/16\n    subnets:\n      privateEndpoints: 10.1.0.0/24\n${aksSubnet ? "      aks: 10.1.16.0/20\n" : ""}`;
    fs.writeFileSync(file, `config:\n  mlops:environment: qa\n  mlops:location: westeurope\n  mlops:prefix: acme\n${net}${serving}`);
    const out = path.join(dir, "out");
    const r = await runTool("plan", ["qa", "--config", file, "--out", out]);
    expect(r.code).toBe(2);
    for (const p of paths) expect(r.stderr).toContain(p);
    if (namesFile) expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(out)).toBe(false);
  }, 120_000);
});
