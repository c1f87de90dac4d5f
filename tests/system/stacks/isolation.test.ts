/**
 * The offline plans of the shipped stacks (`npm run plan -- <stack> --json`, the real program under
 * mocks): qa and prod each serve from their own AKS, network and workspace, prod is private and
 * protected, dev has no AKS, and no environment's resource inputs name another environment's ids,
 * names or principals — except the declared read-only promotion source.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { EnvironmentSpec } from "../../../infra/config";
import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { builtInRoles } from "../../../components/authorization/roles";
import { planJson, REPO } from "../../support/plans";
import { APPROVAL_RECORDER_ACTIONS } from "../../../infra/stack/promotion";
import { specOf, T } from "../../infra/stack/harness";

type Env = "dev" | "qa" | "prod";
const ENVS: Env[] = ["dev", "qa", "prod"];
const specs: Record<Env, EnvironmentSpec> = { dev: specOf("dev"), qa: specOf("qa"), prod: specOf("prod") };
const plans = {} as Record<Env, PlanDocument>;

beforeAll(async () => {
  // One process per stack (the Pulumi runtime is process-wide); two at a time on two cores.
  [plans.dev, plans.qa] = await Promise.all([planJson("dev"), planJson("qa")]);
  plans.prod = await planJson("prod");
}, 180_000);

const ofType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const one = (plan: PlanDocument, type: string) => {
  const found = ofType(plan, type);
  if (found.length !== 1) throw new Error(`expected one ${type} in ${plan.stack}, found ${found.length}`);
  return found[0];
};

/** Roles a stack may hold on its promotion source: they read, never write. */
const READ_ONLY_ROLES = new Set<string>([builtInRoles.Reader, builtInRoles.StorageBlobDataReader, builtInRoles.AcrPull, "db58b8e5-c6ad-4a2a-8342-4190687cbf4a" /* Storage Blob Delegator */]);
const PROMOTED_MODEL = "pulumi-nodejs:dynamic/mlops:PromotedModel";
const REGISTRY_MODEL = "pulumi-nodejs:dynamic/mlops:RegistryModel";
const NETWORK_RULE = "azure-native:machinelearningservices:ManagedNetworkSettingsRule";
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/**
 * What identifies an environment inside another one's inputs: its physical names (resource groups,
 * workspace, storage, vault, registry, VNet, AKS, endpoints, …), its name stem, and values read from
 * its stack (`<org>/<project>/<env>:<output>` placeholders: ids, names and principals alike).
 */
function markersOf(env: Env): { text: string[]; stackRef: RegExp } {
  const s = specs[env];
  return { text: [...new Set([...Object.values(s.names), `${s.prefix}-${env}`, `${s.prefix}${env}`])], stackRef: new RegExp(`(^|/)${env}(:|$)`) };
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (k !== "__provider") strings(v, out);
  }
  return out;
}

const ROLE_DEFINITION = "azure-native:authorization:RoleDefinition";

/** The approving stage's custom role on the origin: reads model versions and writes their tags, nothing else. */
function isApprovalRecorderRole(r: PlanResource): boolean {
  if (r.type !== ROLE_DEFINITION) return false;
  const actions = ((r.inputs.permissions as { actions?: string[]; dataActions?: string[] }[]) ?? []).flatMap((p) => [...(p.actions ?? []), ...(p.dataActions ?? [])]);
  return actions.length > 0 && actions.every((a) => APPROVAL_RECORDER_ACTIONS.includes(a));
}

/**
 * Registry strategy: the origin's Azure ML registry, reached from this environment's own VNet
 * (private endpoint, group `amlregistry`) and managed network, used under AzureML Registry User.
 */
function isRegistryAccess(r: PlanResource): boolean {
  if (r.type === REGISTRY_MODEL) return true;
  if (r.type === T.pe) return ((r.inputs.privateLinkServiceConnections as { groupIds: string[] }[]) ?? []).every((c) => c.groupIds.every((g) => g === "amlregistry"));
  if (r.type === NETWORK_RULE) return (r.inputs.properties as { destination?: { subresourceTarget?: string } }).destination?.subresourceTarget === "amlregistry";
  return r.type === T.role && String(r.inputs.roleDefinitionId).split("/").pop() === builtInRoles.AzureMLRegistryUser;
}

function isAllowedPromotionRead(r: PlanResource, plan: PlanDocument): boolean {
  if (r.type === PROMOTED_MODEL || r.type === STACK_REFERENCE) return true;
  if (isRegistryAccess(r)) return true;
  if (isApprovalRecorderRole(r)) return true;
  if (r.type === T.role) {
    const role = String(r.inputs.roleDefinitionId).split("/").pop()!;
    if (READ_ONLY_ROLES.has(role)) return true;
    // A custom role declared in the same plan and found to be the approval recorder.
    return plan.resources.some((d) => isApprovalRecorderRole(d) && d.inputs.roleDefinitionId === role);
  }
  return false;
}

/** Every resource of `plan` that names another environment, described (the list the docs state). */
function crossEnvironmentReads(plan: PlanDocument, env: Env): string[] {
  const found = new Set<string>();
  for (const other of ENVS.filter((e) => e !== env)) {
    const { text, stackRef } = markersOf(other);
    for (const r of plan.resources) {
      if (!strings(r.inputs).some((v) => text.some((m) => v.includes(m)) || stackRef.test(v))) continue;
      if (r.type === STACK_REFERENCE) found.add(`${r.type} ${r.name}: ${String(r.inputs.name)}`);
      else if (r.type === PROMOTED_MODEL) found.add(`${r.type} ${r.name}: reads the origin's model versions and copies their files server-side`);
      else if (r.type === REGISTRY_MODEL) found.add(`${r.type} ${r.name}: shares the origin's model version into the origin's registry (service-side import)`);
      else if (r.type === T.pe && isRegistryAccess(r)) found.add(`${r.type} ${r.name}: private endpoint to ${other}'s registry`);
      else if (r.type === NETWORK_RULE && isRegistryAccess(r)) found.add(`${r.type} ${r.name}: managed-network rule to ${other}'s registry`);
      else if (isApprovalRecorderRole(r)) found.add(`${r.type} ${r.name}: ${APPROVAL_RECORDER_ACTIONS.length} actions on ${other}'s model versions`);
      else if (r.type === T.role) found.add(`${r.type} ${r.name}: ${String(r.inputs.roleDefinitionId).split("/").pop()} on ${other}`);
      else found.add(`${r.type} ${r.name}: names ${other}`);
    }
  }
  return [...found];
}

/** Every reference from `plan` (of environment `env`) to another environment that is not allowed. */
function isolationLeaks(plan: PlanDocument, env: Env, promotionSource: Env | null): string[] {
  const leaks: string[] = [];
  for (const other of ENVS.filter((e) => e !== env)) {
    const { text, stackRef } = markersOf(other);
    for (const r of plan.resources) {
      for (const value of strings(r.inputs)) {
        const hit = text.find((m) => value.includes(m)) ?? (stackRef.test(value) ? value : undefined);
        if (!hit) continue;
        if (other === promotionSource && isAllowedPromotionRead(r, plan)) continue;
        leaks.push(`${r.type} ${r.name}: '${value}' names ${other} (${hit})`);
      }
    }
  }
  return leaks;
}

describe("isolation across the plans of every stack", () => {
  test.each([
    ["dev", null],
    ["qa", "dev"],
    ["prod", "dev"],
  ] as const)("%s references no other environment (declared read-only promotion source, the origin: %s)", (env, source) => {
    expect(specs[env].promotion?.originEnvironment ?? null).toBe(source);
    expect(isolationLeaks(plans[env], env, source)).toEqual([]);
  });

  test("no qa <-> prod reference at all, not even a read: prod learns qa's approval from the origin", () => {
    expect(specs.prod.promotion?.upstreamEnvironment).toBe("qa"); // qa approves …
    expect(isolationLeaks(plans.prod, "prod", null).filter((l) => / names qa /.test(l))).toEqual([]); // … without prod naming qa
    expect(isolationLeaks(plans.qa, "qa", null).filter((l) => / names prod /.test(l))).toEqual([]);
  });

  /** What both qa and prod hold on the origin: its outputs, its model versions and model storage, read-only. */
  const originReads = (env: Env) => [
    `${STACK_REFERENCE} mlops-${env}-origin: organization/mlops/dev`,
    `${PROMOTED_MODEL} mlops-${env}-model-training_badpixels: reads the origin's model versions and copies their files server-side`,
    `${T.role} mlops-${env}-ci-promotion-source-blob-reader: ${builtInRoles.StorageBlobDataReader} on dev`,
    `${T.role} mlops-${env}-ci-promotion-source-workspace-reader: ${builtInRoles.Reader} on dev`,
  ];

  test("prod: the only cross-environment reads are the origin's stack outputs, model versions and model storage, read-only", () => {
    expect(crossEnvironmentReads(plans.prod, "prod").sort()).toEqual(originReads("prod").sort());
  });

  test("qa: the same reads, plus the one write it needs: recording its approvals as tags on the origin's model versions", () => {
    const recorder = plans.qa.resources.find((r) => r.name === "mlops-qa-origin-approval-recorder-role")!;
    expect(crossEnvironmentReads(plans.qa, "qa").sort()).toEqual(
      [
        ...originReads("qa"),
        `${ROLE_DEFINITION} mlops-qa-origin-approval-recorder-role: ${APPROVAL_RECORDER_ACTIONS.length} actions on dev's model versions`,
        `${T.role} mlops-qa-origin-approval-recorder: ${recorder.inputs.roleDefinitionId} on dev`,
      ].sort(),
    );
    expect(recorder.inputs.assignableScopes).toEqual(["organization/mlops/dev:workspaceId"]);
  });

  test("the walk finds a leak when one is there: a qa resource naming dev's resource group, or writing to dev", () => {
    const qa = plans.qa;
    const devRg = `/subscriptions/x/resourceGroups/${specs.dev.names.resourceGroup}`;
    const leaky: PlanDocument = {
      ...qa,
      resources: [
        ...qa.resources,
        { urn: "urn:x", type: T.role, name: "leak-contributor", parent: null, custom: true, protect: false, dependsOn: [], inputs: { scope: devRg, roleDefinitionId: `/p/${builtInRoles.Contributor}` } },
        { urn: "urn:y", type: T.online, name: "leak-compute", parent: null, custom: true, protect: false, dependsOn: [], inputs: { properties: { compute: "organization/mlops/dev:clusterIds" } } },
        { urn: "urn:z", type: T.aks, name: "leak-prod", parent: null, custom: true, protect: false, dependsOn: [], inputs: { resourceGroupName: specs.prod.names.servingResourceGroup } },
      ],
    };
    const leaks = isolationLeaks(leaky, "qa", "dev");
    expect(leaks).toEqual([expect.stringContaining("leak-contributor"), expect.stringContaining("leak-compute"), expect.stringContaining("leak-prod")]);
  });
});

describe("serving in the plans", () => {
  test.each(["qa", "prod"] as const)("%s has its own AKS, extension, Kubernetes compute on its own workspace, and endpoints", (env) => {
    const plan = plans[env];
    const s = specs[env];
    const aks = one(plan, T.aks);
    expect(aks.inputs).toMatchObject({ resourceName: s.names.aksCluster, resourceGroupName: s.names.servingResourceGroup });
    expect(ofType(plan, T.rg).map((r) => r.inputs.resourceGroupName)).toEqual(expect.arrayContaining([s.names.resourceGroup, s.names.servingResourceGroup]));
    const vnet = one(plan, T.vnet);
    expect(vnet.inputs).toMatchObject({ virtualNetworkName: s.names.virtualNetwork, addressSpace: { addressPrefixes: [s.network.addressSpace] } });
    for (const p of (aks.inputs.agentPoolProfiles as { vnetSubnetID: string }[])) expect(p.vnetSubnetID).toContain(`/virtualNetworks/${s.names.virtualNetwork}/subnets/`);
    // The Azure ML extension, and Flux (which applies the instance types), both on the environment's own cluster.
    const extensions = ofType(plan, T.extension);
    expect(extensions.map((e) => e.inputs.extensionType).sort()).toEqual(["Microsoft.AzureML.Kubernetes", "microsoft.flux"]);
    for (const ext of extensions) expect(ext.inputs).toMatchObject({ clusterName: s.names.aksCluster, resourceGroupName: s.names.servingResourceGroup });
    const k8s = ofType(plan, T.compute).find((c) => (c.inputs.properties as { computeType: string }).computeType === "Kubernetes")!;
    expect(k8s.inputs).toMatchObject({ workspaceName: s.names.workspace, resourceGroupName: s.names.resourceGroup, properties: { resourceId: expect.stringMatching(new RegExp(`/managedClusters/${s.names.aksCluster}$`)) } });
    expect(one(plan, T.online).inputs).toMatchObject({ endpointName: s.names.onlineEndpoint, workspaceName: s.names.workspace, properties: { compute: expect.stringMatching(new RegExp(`/workspaces/${s.names.workspace}/computes/${s.names.kubernetesCompute}$`)) } });
    expect(one(plan, T.batch).inputs).toMatchObject({ endpointName: s.names.batchEndpoint, workspaceName: s.names.workspace });
  });

  test("dev contains no AKS (serving is off in its config)", () => {
    expect(specs.dev.serving).toBeNull();
    for (const type of [T.aks, T.pool, T.extension, T.online, T.batch]) expect(ofType(plans.dev, type)).toEqual([]);
  });

  test("prod: private API server, workspace closed to the public, private endpoints and DNS zones for all four dependencies", () => {
    const api = (one(plans.prod, T.aks).inputs as { apiServerAccessProfile: Record<string, unknown> }).apiServerAccessProfile;
    expect(api).toMatchObject({ enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false });
    expect(one(plans.prod, T.workspace).inputs).toMatchObject({ publicNetworkAccess: "Disabled", managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" } });
    const groups = ofType(plans.prod, T.pe).map((p) => (p.inputs.privateLinkServiceConnections as { groupIds: string[] }[])[0].groupIds[0]);
    // …plus the Azure Monitor private link scope's endpoint and its zones (issue 18).
    expect(groups.sort()).toEqual(["amlworkspace", "azuremonitor", "blob", "file", "registry", "vault"]);
    const zones = ofType(plans.prod, T.zone).map((z) => z.inputs.privateZoneName);
    expect(zones.sort()).toEqual(
      [
        "privatelink.api.azureml.ms",
        "privatelink.azurecr.io",
        "privatelink.blob.core.windows.net",
        "privatelink.file.core.windows.net",
        "privatelink.notebooks.azure.net",
        "privatelink.vaultcore.azure.net",
        "privatelink.monitor.azure.com",
        "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com",
        "privatelink.agentsvc.azure-automation.net",
      ].sort(),
    );
    expect(ofType(plans.prod, T.zoneGroup).length).toBe(6);
    // The registry is private, so images build on one of prod's own clusters.
    expect(one(plans.prod, T.registry).inputs.publicNetworkAccess).toBe("Disabled");
    expect(one(plans.prod, T.workspace).inputs.imageBuildCompute).toBe(specs.prod.workspace.imageBuildCompute);
    expect(specs.prod.clusters.map((c) => c.name)).toContain(specs.prod.workspace.imageBuildCompute);
    expect(ofType(plans.prod, T.zoneLink).length).toBe(10);
  });

  test("prod protects its stateful resources: workspace, storage, key vault, registry, AKS", () => {
    for (const type of [T.workspace, T.storage, T.vault, T.registry, T.aks]) expect({ type, protect: one(plans.prod, type).protect }).toEqual({ type, protect: true });
    expect(one(plans.qa, T.aks).protect).toBe(false);
  });

  test("CI identities: federated credentials, no passwords, role assignments scoped to their own environment", () => {
    for (const env of ENVS) {
      const plan = plans[env];
      expect(ofType(plan, T.fic).length).toBeGreaterThan(0);
      expect([...ofType(plan, T.appPassword), ...ofType(plan, T.spPassword)]).toEqual([]);
      const ci = plan.resources.find((r) => r.type === "mlops:identity:CiIdentity")!;
      const scopes = plan.resources.filter((r) => r.type === T.role && r.parent === ci.urn).map((r) => String(r.inputs.scope));
      expect(scopes.length).toBeGreaterThan(0);
      const own = [specs[env].names.resourceGroup, specs[env].names.servingResourceGroup];
      for (const scope of scopes) expect(own.some((rg) => scope.includes(`/resourceGroups/${rg}`)) || /(^|\/)(dev|qa):/.test(scope)).toBe(true);
    }
  });
});

describe("registry strategy (promotion.strategy: registry): the origin's registry is the one more cross-environment read", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-registry-"));
  const reg = {} as Record<Env, PlanDocument>;
  const configFor = (env: Env) => {
    const config = parse(fs.readFileSync(path.join(REPO, `Pulumi.${env}.yaml`), "utf8"));
    if (env === "dev") config.config["mlops:modelRegistry"] = { name: "mlreg-mlops" };
    else Object.assign(config.config["mlops:promotion"], { strategy: "registry", registry: { importCluster: "cpu" } });
    const file = path.join(dir, `${env}.yaml`);
    fs.writeFileSync(file, stringify(config));
    return file;
  };
  beforeAll(async () => {
    [reg.dev, reg.qa] = await Promise.all([planJson("dev", ["--config", configFor("dev")]), planJson("qa", ["--config", configFor("qa")])]);
    reg.prod = await planJson("prod", ["--config", configFor("prod")]);
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("dev declares the registry, closed to the public; qa and prod declare none of their own", () => {
    expect(one(reg.dev, "azure-native:machinelearningservices:Registry").inputs).toMatchObject({ registryName: "mlreg-mlops", publicNetworkAccess: "Disabled", resourceGroupName: specs.dev.names.resourceGroup });
    for (const env of ["qa", "prod"] as const) expect(ofType(reg[env], "azure-native:machinelearningservices:Registry")).toEqual([]);
  });

  test.each(["qa", "prod"] as const)("%s references no environment but the origin, and neither qa nor prod the other", (env) => {
    expect(isolationLeaks(reg[env], env, "dev")).toEqual([]);
    const other = env === "qa" ? "prod" : "qa";
    expect(isolationLeaks(reg[env], env, null).filter((l) => l.includes(` names ${other} `))).toEqual([]);
  });

  test.each(["qa", "prod"] as const)("%s: the complete list of cross-environment reads is the origin's outputs, its model versions and its registry (no origin storage)", (env) => {
    const expected = [
      `${STACK_REFERENCE} mlops-${env}-origin: organization/mlops/dev`,
      `${REGISTRY_MODEL} mlops-${env}-model-training_badpixels: shares the origin's model version into the origin's registry (service-side import)`,
      `${T.role} mlops-${env}-ci-promotion-source-workspace-reader: ${builtInRoles.Reader} on dev`,
      `${T.role} mlops-${env}-ci-model-registry-user: ${builtInRoles.AzureMLRegistryUser} on dev`,
      `${T.role} mlops-${env}-workspace-model-registry-user: ${builtInRoles.AzureMLRegistryUser} on dev`,
      `${T.pe} mlops-${env}-private-links-pe-amlregistry: private endpoint to dev's registry`,
      `${NETWORK_RULE} mlops-${env}-outbound-model-registry: managed-network rule to dev's registry`,
    ];
    const recorder = reg.qa.resources.find((r) => r.name === "mlops-qa-origin-approval-recorder-role")!;
    if (env === "qa") {
      expected.push(`${ROLE_DEFINITION} mlops-qa-origin-approval-recorder-role: ${APPROVAL_RECORDER_ACTIONS.length} actions on dev's model versions`);
      expected.push(`${T.role} mlops-qa-origin-approval-recorder: ${recorder.inputs.roleDefinitionId} on dev`);
    }
    expect(crossEnvironmentReads(reg[env], env).sort()).toEqual(expected.sort());
  });

  test.each(["qa", "prod"] as const)("%s: the registry's private endpoint is in its own VNet and resolves in the workspace API zone; batch scoring references the registry version", (env) => {
    const pe = reg[env].resources.find((r) => r.name === `mlops-${env}-private-links-pe-amlregistry`)!;
    expect(pe.inputs).toMatchObject({ resourceGroupName: specs[env].names.resourceGroup, privateLinkServiceConnections: [{ groupIds: ["amlregistry"], privateLinkServiceId: "organization/mlops/dev:modelRegistryId" }] });
    const group = reg[env].resources.find((r) => r.name === `mlops-${env}-private-links-pe-amlregistry-dns`)!;
    expect((group.inputs.privateDnsZoneConfigs as { name: string }[]).map((c) => c.name)).toEqual(["api-azureml-ms"]);
    expect(ofType(reg[env], T.zone).filter((r) => r.inputs.privateZoneName === "privatelink.api.azureml.ms")).toHaveLength(1);
    const model = one(reg[env], REGISTRY_MODEL).inputs as Record<string, any>;
    expect(model.registry).toEqual({ subscriptionId: "organization/mlops/dev:subscriptionId", resourceGroupName: "organization/mlops/dev:resourceGroupName", registryName: "organization/mlops/dev:modelRegistryName" });
    // Kubernetes online endpoints cannot deploy registry models: imported by a job on this workspace's cluster.
    expect(model.workspaceImport).toMatchObject({ target: { workspaceName: specs[env].names.workspace }, computeName: specs[env].clusters.find((c) => c.key === "cpu")!.name });
    expect(Object.keys(one(reg[env], "azure-native:machinelearningservices:BatchDeployment").inputs.tags as object)).toContain("model-uri");
    // The batch deployment's own pipeline component binds that registry version: its spec and version
    // derive from the registry URI, known only once the import ran (pinnedBatchComponent.ts).
    expect(one(reg[env], T.componentVersion).inputs).toMatchObject({ name: "mlops_batch_scoring", version: "[unknown]", properties: "[unknown]", workspaceName: specs[env].names.workspace });
    expect(ofType(reg[env], PROMOTED_MODEL)).toEqual([]);
  });
});
