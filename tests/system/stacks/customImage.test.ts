/**
 * The promoted model served outside Azure ML (`mlops:customImage`): ACR Tasks builds an image of the
 * promoted version and the scoring server in the environment's registry, Container Apps runs it in the
 * environment's network. The prod-eu fixture enables it; planned with two pinned versions, the image
 * tag must follow the version, and the app must run exactly the tag the build pushes.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, ChildProcess } from "node:child_process";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { InputError } from "../../../shared/errors";
import { builtInRoles } from "../../../components/authorization/roles";
import { fetchScript, imageTag, taskYaml } from "../../../components/customImage";
import { customImageContext, CUSTOM_IMAGE_SOURCES } from "../../../infra/stack/customImage";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { one, ofType, planJson, REPO, runTool } from "../../support/plans";

const FIXTURE = path.join(__dirname, "fixtures/production/Pulumi.prod-eu.yaml");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-custom-image-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The fixture with the served model pinned to `version`. */
function pinned(version: string): string {
  const text = fs.readFileSync(FIXTURE, "utf8").replace("      - name: training_badpixels\n", `      - name: training_badpixels\n        pinnedVersion: "${version}"\n`);
  if (!text.includes(`pinnedVersion: "${version}"`)) throw new Error("fixture layout changed: no promotion model to pin");
  const file = path.join(dir, `Pulumi.prod-eu.v${version}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

const T = {
  taskRun: "azure-native:containerregistry:TaskRun",
  agentPool: "azure-native:containerregistry:AgentPool",
  env: "azure-native:app:ManagedEnvironment",
  app: "azure-native:app:ContainerApp",
  subnet: "azure-native:network:Subnet",
  role: "azure-native:authorization:RoleAssignment",
  registry: "azure-native:containerregistry:Registry",
};
const { codeHash } = customImageContext();
const spec = (() => {
  const files = readStackConfigFiles({ projectDir: REPO, stack: "prod-eu", configFile: FIXTURE });
  return buildEnvironmentSpec({ project: files.project, stack: "prod-eu", config: files.config, sources: files.sources, defaultFile: files.file });
})();
const loginServer = `${spec.names.containerRegistry.toLowerCase()}.azurecr.io`;
const plans: Record<string, PlanDocument> = {};

beforeAll(async () => {
  [plans.v7, plans.v8] = await Promise.all([planJson("prod-eu", ["--config", pinned("7")]), planJson("prod-eu", ["--config", pinned("8")])]);
}, 240_000);

const containerOf = (plan: PlanDocument) => (one(plan, T.app).inputs as { template: { containers: { image: string }[] } }).template.containers[0];
const subnetNamed = (plan: PlanDocument, name: string): PlanResource => ofType(plan, T.subnet).find((s) => s.inputs.subnetName === name)!;
const roleOf = (plan: PlanDocument, role: string) => ofType(plan, T.role).filter((r) => String(r.inputs.roleDefinitionId).endsWith(`/${role}`));

describe("the custom-image stack's plan", () => {
  test("the build's tag is the pinned version plus the server code's hash, and the app runs exactly that image", () => {
    for (const [plan, version] of [[plans.v7, "7"], [plans.v8, "8"]] as const) {
      const tag = `${version}-${codeHash.slice(0, 12)}`;
      expect(one(plan, T.taskRun).inputs.forceUpdateTag).toBe(tag);
      expect(containerOf(plan).image).toBe(`${loginServer}/score-training_badpixels:${tag}`);
      expect(plan.outputs.customImage).toMatchObject({ image: `${loginServer}/score-training_badpixels:${tag}` });
    }
  });

  test("a new version (promotion, or rollback to an older one) changes the tag, the build and the app", () => {
    expect(one(plans.v7, T.taskRun).inputs.forceUpdateTag).not.toBe(one(plans.v8, T.taskRun).inputs.forceUpdateTag);
    expect(containerOf(plans.v7).image).not.toBe(containerOf(plans.v8).image);
  });

  test("the app pulls from the environment's own registry with a user-assigned identity that has AcrPull there", () => {
    const app = one(plans.v7, T.app).inputs as { identity: { type: string; userAssignedIdentities: string[] }; configuration: { registries: { server: string; identity: string }[] } };
    expect(app.configuration.registries).toHaveLength(1);
    const [registry] = app.configuration.registries;
    expect(registry.server).toBe(loginServer);
    expect(app.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [registry.identity] });
    const pulls = roleOf(plans.v7, builtInRoles.AcrPull).filter((r) => /custom-image/.test(r.name));
    expect(pulls).toHaveLength(1);
    const pullIdentity = plans.v7.resources.find((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity" && registry.identity.endsWith(`/${String(r.inputs.resourceName)}`))!;
    expect(pulls[0].dependsOn).toContain(pullIdentity.urn);
    expect(String(pulls[0].inputs.scope)).toMatch(new RegExp(`/resourceGroups/${spec.names.resourceGroup}/providers/Microsoft\\.ContainerRegistry/registries/${spec.names.containerRegistry}$`));
    // The app is created after the build pushed its image and after the pull grant.
    const urnOf = (type: string, name: string) => plans.v7.resources.find((r) => r.type === type && r.name === name)!.urn;
    expect(one(plans.v7, T.app).dependsOn).toEqual(expect.arrayContaining([one(plans.v7, T.taskRun).urn, urnOf(T.role, pulls[0].name)]));
  });

  test("the build reads only the model container of the environment's storage, with a reader role", () => {
    const readers = roleOf(plans.v7, builtInRoles.StorageBlobDataReader).filter((r) => /custom-image/.test(r.name));
    expect(readers).toHaveLength(1);
    // The scope is `<account id>/blobServices/default/containers/<workspace default container>`, whose
    // name Azure ML picks at deployment (unknown offline): the grant depends on the account and the
    // build identity, and is the only data-plane grant the custom image makes.
    const urn = (type: string) => plans.v7.resources.filter((r) => r.type === type).map((r) => r.urn);
    const storage = ofType(plans.v7, "azure-native:storage:StorageAccount").find((r) => r.inputs.accountName === spec.names.storageAccount)!;
    const buildIdentity = ofType(plans.v7, "azure-native:managedidentity:UserAssignedIdentity").find((r) => /custom-image-build/.test(r.name))!;
    expect(readers[0].dependsOn).toEqual(expect.arrayContaining([storage.urn, buildIdentity.urn]));
    expect(ofType(plans.v7, T.role).filter((r) => /custom-image/.test(r.name)).map((r) => String(r.inputs.roleDefinitionId).split("/").pop()).sort()).toEqual([builtInRoles.AcrPull, builtInRoles.StorageBlobDataReader].sort());
    expect(urn(T.taskRun)).toHaveLength(1);
    expect(one(plans.v7, T.taskRun).inputs.registryName).toBe(spec.names.containerRegistry);
  });

  test("Container Apps get a delegated /27 of the environment's VNet and an internal environment", () => {
    const apps = subnetNamed(plans.v7, "snet-apps");
    expect(apps.inputs).toMatchObject({ addressPrefix: "10.40.2.0/27", virtualNetworkName: spec.names.virtualNetwork, delegations: [{ serviceName: "Microsoft.App/environments" }] });
    const env = one(plans.v7, T.env).inputs as { vnetConfiguration: { infrastructureSubnetId: string; internal: boolean }; publicNetworkAccess: string };
    expect(env.vnetConfiguration.internal).toBe(true);
    expect(env.vnetConfiguration.infrastructureSubnetId).toMatch(new RegExp(`/virtualNetworks/${spec.names.virtualNetwork}/subnets/snet-apps$`));
    expect(env.publicNetworkAccess).toBe("Disabled");
    // Names of the internal apps resolve inside the VNet: a wildcard A record to the environment's static IP.
    const record = ofType(plans.v7, "azure-native:privatedns:PrivateRecordSet").find((r) => /custom-image/.test(r.name))!;
    expect(record.inputs).toMatchObject({ recordType: "A", relativeRecordSetName: "*" });
    const link = ofType(plans.v7, "azure-native:privatedns:VirtualNetworkLink").find((r) => /custom-image/.test(r.name))!;
    expect(String((link.inputs.virtualNetwork as { id: string }).id)).toMatch(new RegExp(`/virtualNetworks/${spec.names.virtualNetwork}$`));
  });

  test("the private registry builds on an agent pool in the environment's own subnet", () => {
    const pool = one(plans.v7, T.agentPool).inputs;
    expect(pool).toMatchObject({ registryName: spec.names.containerRegistry, os: "Linux", tier: "S1" });
    expect(String(pool.virtualNetworkSubnetResourceId)).toMatch(new RegExp(`/virtualNetworks/${spec.names.virtualNetwork}/subnets/snet-build$`));
    expect(subnetNamed(plans.v7, "snet-build").inputs.delegations).toBeUndefined();
    expect((one(plans.v7, T.taskRun).inputs.runRequest as { agentPoolName: string }).agentPoolName).toBe(pool.agentPoolName);
  });

  test("with the custom image on, the plan has no mandatory policy violation", () => {
    expect(plans.v7.violations.filter((v) => v.level === "mandatory")).toEqual([]);
  });
});

describe("the build task", () => {
  const inputs = {
    repository: "score-training_badpixels",
    tag: imageTag("7", codeHash),
    model: { name: "training_badpixels", version: "7" },
    storage: { accountName: "stacme", container: "azureml-blobstore-x", prefix: "promoted/" },
    buildIdentityClientId: "00000000-0000-0000-0000-00000000c11d",
    files: customImageContext().files,
  };

  test("fetches the promoted version's blobs with the build identity and builds and pushes the one tag", () => {
    const yaml = taskYaml(inputs);
    const script = fetchScript(inputs);
    expect(yaml).toContain(`build: -t $Registry/score-training_badpixels:${inputs.tag} --build-arg MODEL_NAME=training_badpixels --build-arg MODEL_VERSION=7 -f Dockerfile .`);
    expect(yaml).toContain(`      - $Registry/score-training_badpixels:${inputs.tag}`);
    expect(yaml).toContain(Buffer.from(script).toString("base64"));
    expect(script).toContain(`az login --identity --username '${inputs.buildIdentityClientId}'`);
    expect(script).toContain("--auth-mode login --account-name 'stacme' --source 'azureml-blobstore-x' --pattern 'promoted/training_badpixels/7/*'");
    for (const file of Object.keys(CUSTOM_IMAGE_SOURCES)) expect(script).toContain(`> '${file}'`);
  });

  test("the server code's hash changes with any file of the image and is stable otherwise", () => {
    const root = path.join(dir, "repo");
    for (const from of Object.values(CUSTOM_IMAGE_SOURCES)) {
      fs.mkdirSync(path.dirname(path.join(root, from)), { recursive: true });
      fs.copyFileSync(path.join(REPO, from), path.join(root, from));
    }
    expect(customImageContext(root).codeHash).toBe(codeHash);
    fs.appendFileSync(path.join(root, CUSTOM_IMAGE_SOURCES["server/score_server.py"]), "\n# changed\n");
    expect(customImageContext(root).codeHash).not.toBe(codeHash);
  });

  test("a version that cannot be part of a tag is refused", () => {
    expect(() => imageTag("7; rm -rf /", codeHash)).toThrow(/cannot be part of an image tag/);
  });
});

describe("config validation", () => {
  const base = "  mlops:environment: prod\n  mlops:location: westeurope\n  mlops:prefix: acme\n  mlops:workspace:\n    imageBuildCluster: cpu\n  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2 }\n  mlops:serving:\n    enabled: false\n";
  const promo = "  mlops:promotion:\n    upstreamStack: organization/mlops/qa\n    originStack: organization/mlops/dev\n    models:\n      - name: churn\n";
  const net = (subnets: string) => `  mlops:network:\n    mode: private\n    addressSpace: 10.1.0.0/16\n    subnets:\n      privateEndpoints: 10.1.0.0/24\n${subnets}`;

  function problems(yaml: string, stack = "prod") {
    const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, `config:\n${yaml}`);
    const files = readStackConfigFiles({ projectDir: REPO, stack, configFile: file });
    try {
      buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
    } catch (err) {
      if (err instanceof InputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
      throw err;
    }
    return [];
  }

  test("a valid custom-image config builds its spec", () => {
    expect(problems(base + net("      containerApps: 10.1.2.0/27\n      imageBuild: 10.1.3.0/28\n") + promo + "  mlops:customImage:\n    enabled: true\n")).toEqual([]);
  });

  test("a public qa builds on the shared agents (no agent pool, no imageBuild subnet) and still serves only inside its VNet", () => {
    const yaml = "  mlops:environment: qa\n  mlops:location: westeurope\n  mlops:prefix: acme\n  mlops:serving:\n    enabled: false\n  mlops:network:\n    mode: public\n    addressSpace: 10.2.0.0/16\n    subnets:\n      containerApps: 10.2.2.0/27\n  mlops:promotion:\n    upstreamStack: organization/mlops/dev\n    models:\n      - { name: churn, pinnedVersion: '3' }\n  mlops:customImage:\n    enabled: true\n";
    const file = path.join(dir, "Pulumi.qa-public.yaml");
    fs.writeFileSync(file, `config:\n${yaml}`);
    const files = readStackConfigFiles({ projectDir: REPO, stack: "qa", configFile: file });
    const ci = buildEnvironmentSpec({ project: files.project, stack: "qa", config: files.config, sources: files.sources, defaultFile: files.file }).customImage!;
    expect(ci).toMatchObject({ model: "churn", pinnedVersion: "3", internal: true, repository: "score-churn" });
    expect(ci.agentPool).toBeUndefined();
    expect(problems(yaml.replace("      containerApps: 10.2.2.0/27\n", "      containerApps: 10.2.2.0/27\n      imageBuild: 10.2.3.0/28\n"), "qa").join("\n")).toMatch(/mlops:network.subnets.imageBuild: is used only in private mode/);
  });

  test("the longest production stack with the longest prefix still gets valid Container Apps names", () => {
    const yaml = base.replace("prefix: acme", "prefix: abcdefgh") + net("      containerApps: 10.1.2.0/27\n      imageBuild: 10.1.3.0/28\n") + promo + "  mlops:customImage:\n    enabled: true\n";
    const file = path.join(dir, "Pulumi.prod-abcdefgh.yaml");
    fs.writeFileSync(file, `config:\n${yaml}`);
    const files = readStackConfigFiles({ projectDir: REPO, stack: "prod-abcdefgh", configFile: file });
    const ci = buildEnvironmentSpec({ project: files.project, stack: "prod-abcdefgh", config: files.config, sources: files.sources, defaultFile: files.file }).customImage!;
    expect(ci.names.containerApp).toBe("ca-abcdefgh-prod-abcdefgh-score");
    for (const n of [ci.names.containerApp, ci.names.managedEnvironment]) expect(n.length).toBeLessThanOrEqual(32);
  });

  test.each([
    ["a subnet smaller than /27", net("      containerApps: 10.1.2.0/28\n      imageBuild: 10.1.3.0/28\n") + promo, "mlops:network.subnets.containerApps", /is \/28: .* needs \/27 or larger/],
    ["no Container Apps subnet", net("      imageBuild: 10.1.3.0/28\n") + promo, "mlops:network.subnets.containerApps", /is required when customImage is enabled/],
    ["no agent-pool subnet in private mode", net("      containerApps: 10.1.2.0/27\n") + promo, "mlops:network.subnets.imageBuild", /agent pool/],
    ["a model that is not promoted", net("      containerApps: 10.1.2.0/27\n      imageBuild: 10.1.3.0/28\n") + promo.replace("      - name: churn\n", "      - name: churn\n") + "  mlops:customImage:\n    model: other\n", "mlops:customImage.model", /'other' is not in promotion.models/],
    ["a registry below Premium", net("      containerApps: 10.1.2.0/27\n      imageBuild: 10.1.3.0/28\n") + promo + "  mlops:registry:\n    sku: Standard\n", "mlops:registry.sku", /Premium/],
    ["overlapping subnets", net("      containerApps: 10.1.0.0/27\n      imageBuild: 10.1.3.0/28\n") + promo, "mlops:network.subnets.containerApps", /overlaps/],
  ])("%s is refused with its key path", (_title, yaml, keyPath, message) => {
    const found = problems(base + yaml + (yaml.includes("mlops:customImage") ? "    enabled: true\n" : "  mlops:customImage:\n    enabled: true\n"));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${keyPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `))]));
    expect(found.find((p) => p.startsWith(`${keyPath}: `))).toMatch(message);
  });

  test("a region without ACR agent pools, dev, and subnets without the opt-in are refused", () => {
    const sub = net("      containerApps: 10.1.2.0/27\n      imageBuild: 10.1.3.0/28\n");
    expect(problems(base.replace("westeurope", "australiaeast") + sub + promo + "  mlops:customImage:\n    enabled: true\n").join("\n")).toMatch(/mlops:customImage.enabled: needs an ACR Tasks agent pool .* location is 'australiaeast'/);
    expect(problems("  mlops:environment: dev\n  mlops:location: westeurope\n  mlops:prefix: acme\n  mlops:customImage:\n    enabled: true\n", "dev").join("\n")).toMatch(/mlops:customImage.enabled: serves a promoted model: qa and prod/);
    expect(problems(base + sub + promo).join("\n")).toMatch(/mlops:network.subnets.containerApps: is set but customImage.enabled is not true[\s\S]*mlops:network.subnets.imageBuild: is set but/);
  });

  test("npm run plan exits 2 naming the file and every key path at once, with no stack trace", async () => {
    const file = path.join(dir, "Pulumi.bad-custom-image.yaml");
    fs.writeFileSync(file, `config:\n${base}${net("      containerApps: 10.1.2.0/28\n")}${promo}  mlops:customImage:\n    enabled: true\n    model: other\n    minReplicas: 5\n    maxReplicas: 2\n`);
    const r = await runTool("plan", ["prod", "--config", file, "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    for (const keyPath of ["mlops:network.subnets.containerApps", "mlops:network.subnets.imageBuild", "mlops:customImage.model", "mlops:customImage.minReplicas"]) expect(r.stderr).toContain(`${file}: ${keyPath}: `);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe("the scoring server of the image", () => {
  let server: ChildProcess;
  let port = 0;

  beforeAll(async () => {
    // The image's layout: the server and the scoring code in one folder, the model under <name>/<version>.
    const app = path.join(dir, "app");
    const model = path.join(dir, "model", "training_badpixels", "7");
    fs.mkdirSync(app, { recursive: true });
    fs.mkdirSync(model, { recursive: true });
    for (const [to, from] of Object.entries(CUSTOM_IMAGE_SOURCES)) if (to.startsWith("server/")) fs.copyFileSync(path.join(REPO, from), path.join(app, path.basename(to)));
    fs.writeFileSync(path.join(model, "model.json"), JSON.stringify({ weights: [8, 6], bias: -5 }));
    server = spawn("python3", ["score_server.py"], { cwd: app, env: { ...process.env, AZUREML_MODEL_DIR: path.dirname(path.join(model, "model.json")), HOST: "127.0.0.1", PORT: "0", PYTHONDONTWRITEBYTECODE: "1" } });
    port = await new Promise<number>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
    });
  }, 30_000);
  afterAll(() => {
    server?.kill();
  });

  function request(method: string, route: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path: route, headers: body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {} }, (res) => {
        let data = "";
        res.on("data", (d) => (data += d));
        res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(data) }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  test("reports the model version it holds and scores the sample request like the online endpoint", async () => {
    expect(await request("GET", "/health")).toEqual({ status: 200, json: { status: "ok", model: { name: "training_badpixels", version: "7" } } });
    const sample = fs.readFileSync(path.join(REPO, "pipelines/steps/bad_pixels/sample-request.json"), "utf8");
    const scored = await request("POST", "/score", sample);
    expect(scored.status).toBe(200);
    expect(scored.json.model).toEqual({ name: "training_badpixels", version: "7" });
    const [video] = scored.json.videos as { name: string; bad_pixels: { x: number; y: number }[] }[];
    expect(video.name).toBe("sample");
    expect(video.bad_pixels.map((p) => [p.x, p.y])).toEqual([[3, 4]]);
  });

  test("a malformed request gets 400 naming the problem, an unknown route 404", async () => {
    const bad = await request("POST", "/score", JSON.stringify({ videos: [], threshold: 2 }));
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/threshold: must be a number 0-1.*videos: must be a list/);
    expect((await request("GET", "/nope")).status).toBe(404);
  });
});
