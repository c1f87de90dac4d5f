import type { PlanDocument, PlanResource } from "../../../shared/plan";
import { ofType, one, planJson } from "../../support/plans";

/**
 * The shipped stacks, planned offline with the real program: what the environment core and the
 * compute/datastore layer register, asserted on the registered inputs.
 */
let dev: PlanDocument;
let prod: PlanDocument;

beforeAll(async () => {
  [dev, prod] = await Promise.all([planJson("dev"), planJson("prod")]);
}, 120_000);

const T = {
  rg: "azure-native:resources:ResourceGroup",
  storage: "azure-native:storage:StorageAccount",
  vault: "azure-native:keyvault:Vault",
  registry: "azure-native:containerregistry:Registry",
  insights: "azure-native:applicationinsights:Component",
  logs: "azure-native:operationalinsights:Workspace",
  workspace: "azure-native:machinelearningservices:Workspace",
  compute: "azure-native:machinelearningservices:Compute",
  datastore: "azure-native:machinelearningservices:Datastore",
  role: "azure-native:authorization:RoleAssignment",
};

function byUrn(plan: PlanDocument, urn: string): PlanResource {
  const r = plan.resources.find((x) => x.urn === urn);
  if (!r) throw new Error(`no resource ${urn}`);
  return r;
}

describe("environment core (prod)", () => {
  test("the workspace is wired to its four dependencies and the resource group", () => {
    const ws = one(prod, T.workspace);
    const storage = one(prod, T.storage);
    const vault = one(prod, T.vault);
    const registry = one(prod, T.registry);
    const insights = one(prod, T.insights);
    const rg = ofType(prod, T.rg).find((r) => r.inputs.resourceGroupName === "rg-mlops-prod")!;
    expect(rg).toBeDefined();
    expect(ws.inputs.resourceGroupName).toBe("rg-mlops-prod");
    for (const dep of [storage, vault, registry, insights]) {
      expect(ws.dependsOn).toContain(dep.urn);
      expect(dep.inputs.resourceGroupName).toBe("rg-mlops-prod");
    }
    expect(ws.inputs.storageAccount).toMatch(/\/providers\/Microsoft\.Storage\/storageAccounts\/stmlopsprod/);
    expect(ws.inputs.keyVault).toMatch(/\/providers\/Microsoft\.KeyVault\/vaults\/kv-mlops-prod-/);
    expect(ws.inputs.containerRegistry).toMatch(/\/providers\/Microsoft\.ContainerRegistry\/registries\/crmlopsprod/);
    // Every resource of the core hangs under the MlWorkspace component.
    const component = byUrn(prod, ws.parent!);
    expect(component.type).toBe("mlops:workspace:MlWorkspace");
    for (const dep of [storage, vault, registry, insights, rg]) expect(dep.parent).toBe(component.urn);
  });

  test("hardened settings: private workspace, TLS 1.2, no public blobs, RBAC vault with purge protection, admin-less registry", () => {
    const ws = one(prod, T.workspace).inputs;
    expect(ws.publicNetworkAccess).toBe("Disabled");
    expect(ws.allowPublicAccessWhenBehindVnet).toBe(false);
    expect(ws.managedNetwork).toMatchObject({ isolationMode: "AllowOnlyApprovedOutbound" });
    expect(ws.identity).toMatchObject({ type: "UserAssigned" });
    expect(ws.systemDatastoresAuthMode).toBe("identity");
    const st = one(prod, T.storage).inputs;
    expect(st).toMatchObject({ enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false, allowSharedKeyAccess: false, publicNetworkAccess: "Disabled" });
    expect(st.networkRuleSet).toMatchObject({ defaultAction: "Deny" });
    const kv = one(prod, T.vault).inputs.properties as Record<string, unknown>;
    expect(kv).toMatchObject({ enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true, publicNetworkAccess: "Disabled" });
    const cr = one(prod, T.registry).inputs;
    expect(cr).toMatchObject({ adminUserEnabled: false, anonymousPullEnabled: false, publicNetworkAccess: "Disabled", sku: { name: "Premium" } });
    const ai = one(prod, T.insights).inputs;
    expect(ai.workspaceResourceId).toMatch(/Microsoft\.OperationalInsights\/workspaces\/log-mlops-prod$/);
  });

  test("stateful prod resources are protected; dev's are not", () => {
    for (const type of [T.workspace, T.storage, T.vault, T.registry]) {
      expect(one(prod, type).protect).toBe(true);
      expect(one(dev, type).protect).toBe(false);
    }
  });

  test("every taggable resource carries environment, stack and managed-by", () => {
    const tagged = prod.resources.filter((r) => r.custom && r.inputs.tags !== undefined);
    expect(tagged.length).toBeGreaterThan(5);
    for (const r of tagged) expect(r.inputs.tags).toMatchObject({ environment: "prod", stack: "prod", "managed-by": "pulumi" });
  });

  test("dev runs public, without purge protection (its vault name can be reused after destroy)", () => {
    expect(one(dev, T.workspace).inputs.publicNetworkAccess).toBe("Enabled");
    expect((one(dev, T.vault).inputs.properties as Record<string, unknown>).enablePurgeProtection).toBeUndefined();
  });
});

describe("compute clusters and datastores", () => {
  const props = (r: PlanResource) => (r.inputs.properties as { properties: Record<string, unknown>; disableLocalAuth: boolean; computeType: string });

  test("dev has CPU and GPU clusters that scale to zero, low priority, no public IP, SSH off, local auth off", () => {
    const clusters = ofType(dev, T.compute).filter((r) => props(r).computeType === "AmlCompute");
    const sizes = clusters.map((c) => props(c).properties.vmSize as string);
    expect(sizes.some((s) => /^Standard_N/.test(s))).toBe(true);
    expect(sizes.some((s) => !/^Standard_N/.test(s))).toBe(true);
    for (const c of clusters) {
      const p = props(c);
      expect(p.disableLocalAuth).toBe(true);
      expect(p.properties).toMatchObject({ vmPriority: "LowPriority", enableNodePublicIp: false, remoteLoginPortPublicAccess: "Disabled" });
      expect(p.properties.scaleSettings).toMatchObject({ minNodeCount: 0, nodeIdleTimeBeforeScaleDown: expect.stringMatching(/^PT\d+M$/) });
      expect(c.inputs.identity).toEqual({ type: "SystemAssigned" });
      expect((c.inputs.computeName as string).length).toBeLessThanOrEqual(16);
      // Managed-VNet model: no customer subnet on clusters.
      expect(p.properties.subnet).toBeUndefined();
    }
  });

  test("prod clusters are dedicated", () => {
    const clusters = ofType(prod, T.compute).filter((r) => props(r).computeType === "AmlCompute");
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters) expect(props(c).properties.vmPriority).toBe("Dedicated");
  });

  test.each(["dev", "prod"])("%s has training, scoring and toy datastores with identity-based access", (stack) => {
    const plan = stack === "dev" ? dev : prod;
    const stores = ofType(plan, T.datastore);
    expect(stores.map((s) => s.inputs.name).sort()).toEqual(["scoring", "toy", "training"]);
    for (const s of stores) {
      const p = s.inputs.properties as Record<string, unknown>;
      expect(p.credentials).toEqual({ credentialsType: "None" });
      expect(p.datastoreType).toBe("AzureBlob");
      expect(JSON.stringify(s.inputs)).not.toMatch(/AccountKey|sasToken|secretsType/i);
    }
  });

  test("cluster identities get data-plane roles at the storage, registry and vault scopes only", () => {
    const clusterComponents = dev.resources.filter((r) => r.type === "mlops:compute:ComputeCluster");
    for (const cc of clusterComponents) {
      const roles = dev.resources.filter((r) => r.type === T.role && r.parent === cc.urn);
      const scopes = roles.map((r) => r.inputs.scope as string);
      expect(scopes).toEqual(
        expect.arrayContaining([expect.stringMatching(/Microsoft\.Storage\/storageAccounts\//), expect.stringMatching(/Microsoft\.ContainerRegistry\/registries\//), expect.stringMatching(/Microsoft\.KeyVault\/vaults\//)]),
      );
      for (const r of roles) {
        expect(r.inputs.roleDefinitionId).toMatch(/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/);
        expect(r.inputs.scope).not.toMatch(/^\/subscriptions\/[^/]+$/); // never subscription-wide
      }
    }
  });

  test("stack outputs give later stacks the names they need", () => {
    expect(dev.outputs).toMatchObject({ workspaceName: "mlw-mlops-dev", resourceGroupName: "rg-mlops-dev", location: "westeurope" });
    expect(Object.keys(dev.outputs.clusterNames as object)).toEqual(expect.arrayContaining(["cpu", "gpu"]));
    expect(dev.outputs.datastoreNames).toEqual(expect.arrayContaining(["training", "scoring", "toy"]));
  });
});
