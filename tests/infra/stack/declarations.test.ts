/**
 * Network, serving and identities as registered under the Pulumi mocks, for the shipped dev, qa and
 * prod configs (plus variants), all declared in one runtime so cross-environment leaks would show.
 */
import type { EnvironmentSpec } from "../../../infra/config";
import type { PlanResource } from "../../../shared/plan";
import { builtInRoles } from "../../../components/authorization/roles";
import { constrainedDelegationCondition } from "../../../components/identity";
import { configOf, declareEnvironment, ofEnvironment, ofType, one, recordDeclarations, roleGuidOf, specOf, SUBSCRIPTION, T } from "./harness";

const dev = specOf("dev");
const qa = specOf("qa");
const prod = specOf("prod");
// dev with serving switched on (optional there), under another prefix so its names never clash.
// Its API server stays public: it must admit the Azure ML control plane of westeurope and its pair.
const controlPlane = { westeurope: ["192.0.2.0/25"], northeurope: ["192.0.2.128/25"] };
const devServing = specOf("dev", {
  prefix: "alt",
  serving: { enabled: true, kubernetesVersion: "1.33", authorizedIpRanges: ["198.51.100.0/24"], azureMlControlPlaneRanges: controlPlane },
  servingTlsCertificate: "[secret]",
  servingTlsKey: "[secret]",
});
// A GPU user pool: tainted, and the extension installs the device plugin.
const gpu = specOf("qa", {
  prefix: "gpux",
  serving: {
    ...configOf("qa", "serving"),
    userPools: [...configOf("qa", "serving").userPools, { name: "gpuinfer", kind: "gpu", vmSize: "Standard_NC6s_v3", minCount: 0, maxCount: 2 }],
    instanceTypes: [...configOf("qa", "serving").instanceTypes, { name: "gpusmall", cpu: "4", memory: "16Gi", gpu: 1, nodePool: "gpuinfer" }],
    instanceTypesInCluster: true,
  },
});
// The inference router's certificate named in config; and private mode with a Standard registry.
const tlsConfigured = specOf("qa", { prefix: "tlsx", serving: { ...configOf("qa", "serving"), tls: { cname: "score.qa.contoso.com" } } });
const standardRegistry = specOf("qa", { prefix: "stdr", registry: { sku: "Standard" } });
// An Azure DevOps service connection next to GitHub.
const ado = specOf("qa", {
  prefix: "adox",
  identity: { ...configOf("qa", "identity"), azureDevOps: { organization: "contoso", organizationId: "0f0e0d0c-0b0a-0908-0706-050403020100", project: "ml", serviceConnection: "mlops-qa", issuer: "azureDevOps" } },
});

let all: PlanResource[];
const env = (spec: EnvironmentSpec) => ofEnvironment(all, spec);
/** The CI deployer's resources (the audit identity is another application: tests/system/stacks/auditIdentity.test.ts). */
const ciOf = (spec: EnvironmentSpec) => env(spec).filter((r) => r.name.startsWith(`${spec.prefix}-${spec.environment}-ci-`));
const byUrn = (urn: string) => all.find((r) => r.urn === urn)!;
/** The Azure ML extension (the cluster may also carry the Flux extension). */
const amlExtension = (spec: EnvironmentSpec) => one(env(spec).filter((r) => r.inputs.extensionType === "Microsoft.AzureML.Kubernetes"), T.extension);
/** Resources anywhere under a component (children, grandchildren, …). */
const under = (component: PlanResource) => {
  const out: PlanResource[] = [];
  const visit = (urn: string) => all.filter((r) => r.parent === urn).forEach((r) => (out.push(r), visit(r.urn)));
  visit(component.urn);
  return out;
};

beforeAll(async () => {
  all = await recordDeclarations(() => {
    const devCore = declareEnvironment(dev);
    const qaCore = declareEnvironment(qa, {
      serving: { model: { name: "training_videoanomaly", version: "7" }, scoringPipelineComponentId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-qa/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-qa/components/scoring/versions/3` },
      upstream: { workspaceId: devCore.workspaceId, storageAccountId: devCore.storageAccountId },
    });
    declareEnvironment(prod, { upstream: { workspaceId: qaCore.workspaceId, storageAccountId: qaCore.storageAccountId } });
    declareEnvironment(devServing);
    declareEnvironment(gpu);
    declareEnvironment(ado);
    declareEnvironment(tlsConfigured);
    declareEnvironment(standardRegistry);
  });
  // Eight environments declared under one runtime: the hook alone takes close to the 60 s default on a
  // busy 2-core machine, so it gets its own ceiling (a hang still fails; speed is the bench's concern).
}, 180_000);

describe("serving: an isolated AKS per environment", () => {
  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s has its own AKS in its own resource group, on a subnet of its own VNet, with no peering", (_name, spec) => {
    const resources = env(spec);
    const aks = one(resources, T.aks);
    expect(aks.inputs.resourceName).toBe(spec.names.aksCluster);
    expect(aks.inputs.resourceGroupName).toBe(spec.names.servingResourceGroup);
    expect(ofType(resources, T.rg).map((r) => r.inputs.resourceGroupName)).toEqual(expect.arrayContaining([spec.names.resourceGroup, spec.names.servingResourceGroup]));
    const vnet = one(resources, T.vnet);
    expect(vnet.inputs).toMatchObject({ virtualNetworkName: spec.names.virtualNetwork, resourceGroupName: spec.names.resourceGroup, addressSpace: { addressPrefixes: [spec.network.addressSpace] } });
    expect(vnet.inputs.virtualNetworkPeerings).toBeUndefined();
    expect(ofType(all, T.peering)).toEqual([]);
    const aksSubnet = ofType(resources, T.subnet).find((s) => s.inputs.subnetName === "snet-aks")!;
    expect(aksSubnet.inputs.addressPrefix).toBe(spec.network.subnets.aks);
    const subnetId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${spec.names.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${spec.names.virtualNetwork}/subnets/snet-aks`;
    const pools = [...(aks.inputs.agentPoolProfiles as any[]), ...ofType(resources, T.pool).map((p) => p.inputs)];
    expect(pools.length).toBe(1 + spec.serving!.userPools.length);
    for (const p of pools) expect(p.vnetSubnetID).toBe(subnetId);
    // The control plane may manage that subnet, and nothing else of the network.
    const identity = ofType(resources, T.identity).find((i) => i.inputs.resourceName === `id-${spec.names.aksCluster}`)!;
    expect((aks.inputs.identity as any).userAssignedIdentities).toEqual([expect.stringContaining(`/resourceGroups/${spec.names.servingResourceGroup}/`)]);
    const netRoles = ofType(resources, T.role).filter((r) => roleGuidOf(r) === builtInRoles.NetworkContributor);
    expect(netRoles.map((r) => r.inputs.scope)).toEqual([subnetId]);
    expect(identity.inputs.resourceGroupName).toBe(spec.names.servingResourceGroup);
  });

  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s's cluster: Entra ID + Azure RBAC, OIDC + workload identity, Azure CNI + policy, pinned version with auto-upgrade", (_n, spec) => {
    const aks = one(env(spec), T.aks).inputs as any;
    expect(aks.identity.type).toBe("UserAssigned");
    expect(aks.servicePrincipalProfile).toBeUndefined();
    expect(aks.enableRBAC).toBe(true);
    expect(aks.aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true });
    expect(aks.oidcIssuerProfile).toEqual({ enabled: true });
    expect(aks.securityProfile.workloadIdentity).toEqual({ enabled: true });
    expect(aks.networkProfile).toMatchObject({ networkPlugin: "azure", networkPolicy: "azure" });
    expect(aks.kubernetesVersion).toBe(spec.serving!.kubernetesVersion);
    expect(aks.autoUpgradeProfile).toEqual({ upgradeChannel: spec.serving!.upgradeChannel, nodeOSUpgradeChannel: "NodeImage" });
    expect(aks.addonProfiles.azurepolicy).toEqual({ enabled: true });
    expect(aks.addonProfiles.azureKeyvaultSecretsProvider).toMatchObject({ enabled: true, config: { enableSecretRotation: "true" } });
    expect(Object.keys(aks.addonProfiles).map((k) => k.toLowerCase())).not.toContain("httpapplicationrouting");
    // The Azure ML extension needs local accounts: the waiver is this exact setting.
    expect(aks.disableLocalAccounts).toBe(false);
    const system = aks.agentPoolProfiles[0];
    expect(system).toMatchObject({ name: "system", mode: "System", enableAutoScaling: true, minCount: spec.serving!.systemPool.minCount, maxCount: spec.serving!.systemPool.maxCount, vmSize: spec.serving!.systemPool.vmSize });
    for (const p of [system, ...ofType(env(spec), T.pool).map((x) => x.inputs as any)]) {
      expect(p).toMatchObject({ enableNodePublicIP: false, enableEncryptionAtHost: true, enableAutoScaling: true, orchestratorVersion: spec.serving!.kubernetesVersion });
    }
    const user = ofType(env(spec), T.pool);
    expect(user.map((p) => p.inputs.agentPoolName)).toEqual(spec.serving!.userPools.map((p) => p.name));
    user.forEach((p, i) => expect(p.inputs).toMatchObject({ mode: "User", vmSize: spec.serving!.userPools[i].vmSize, minCount: spec.serving!.userPools[i].minCount, maxCount: spec.serving!.userPools[i].maxCount, resourceName: spec.names.aksCluster }));
  });

  test("qa's and prod's API servers are private without a public FQDN; a public one admits the Azure ML control plane of the region pair", () => {
    for (const spec of [qa, prod]) {
      const p = (one(env(spec), T.aks).inputs as any).apiServerAccessProfile;
      expect(p).toMatchObject({ enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false });
      expect(p.authorizedIPRanges).toBeUndefined();
    }
    const d = (one(env(devServing), T.aks).inputs as any).apiServerAccessProfile;
    expect(d.enablePrivateCluster).toBeUndefined();
    expect([...d.authorizedIPRanges].sort()).toEqual(["192.0.2.0/25", "192.0.2.128/25", "198.51.100.0/24"]);
  });

  test("a user pool is seeded at its minimum count, and Azure CNI (non-overlay) gets no podCidr (azure-native's injected default is removed)", () => {
    const pool = ofType(env(qa), T.pool)[0];
    expect(pool.inputs.count).toBe(qa.serving!.userPools[0].minCount);
    expect((one(env(qa), T.aks).inputs as any).networkProfile.podCidr).toBeUndefined();
  });

  test("a GPU pool is tainted and labelled, may scale to zero, and the extension installs the NVIDIA device plugin", () => {
    const pool = ofType(env(gpu), T.pool).find((p) => p.inputs.agentPoolName === "gpuinfer")!;
    expect(pool.inputs).toMatchObject({ vmSize: "Standard_NC6s_v3", minCount: 0, count: 0, nodeTaints: ["sku=gpu:NoSchedule"], nodeLabels: { accelerator: "nvidia" } });
    const cpuPool = ofType(env(gpu), T.pool).find((p) => p.inputs.agentPoolName === "cpuinfer")!;
    expect(cpuPool.inputs.nodeTaints).toBeUndefined();
    expect((amlExtension(gpu).inputs as any).configurationSettings.installNvidiaDevicePlugin).toBe("True");
    expect((amlExtension(qa).inputs as any).configurationSettings.installNvidiaDevicePlugin).toBeUndefined();
    // Instance types are custom resources in the cluster: the compute's ARM property creates none.
    const k8s = ofType(env(gpu), T.compute).find((c) => (c.inputs.properties as any).computeType === "Kubernetes")!;
    expect((k8s.inputs.properties as any).properties.instanceTypes).toBeUndefined();
  });

  test("the AKS cluster is protected in prod and not in qa", () => {
    expect(one(env(prod), T.aks).protect).toBe(true);
    expect(one(env(qa), T.aks).protect).toBe(false);
    // Stateless pieces stay unprotected, so a redeploy can replace them.
    expect(one(env(prod), T.online).protect).toBe(false);
  });

  test("dev has no AKS unless its config enables serving; then it gets its own, like any environment", () => {
    expect(ofType(env(dev), T.aks)).toEqual([]);
    expect(ofType(env(dev), T.extension)).toEqual([]);
    expect(ofType(env(dev), T.vnet)).toEqual([]);
    const aks = one(env(devServing), T.aks);
    expect(aks.inputs.resourceGroupName).toBe(devServing.names.servingResourceGroup);
    expect(devServing.names.servingResourceGroup).toBe("rg-alt-dev-serving");
    // Public mode: a VNet for the nodes only, no private endpoints.
    expect(ofType(env(devServing), T.subnet).map((s) => s.inputs.subnetName)).toEqual(["snet-aks"]);
    expect(ofType(env(devServing), T.pe)).toEqual([]);
  });
});

describe("serving: the Azure ML extension, the Kubernetes compute and the endpoints", () => {
  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s: the extension is installed on its own cluster, inference on, insecure connections refused, internal load balancer", (_n, spec) => {
    const ext = amlExtension(spec);
    expect(ext.inputs).toMatchObject({
      extensionType: "Microsoft.AzureML.Kubernetes",
      clusterRp: "Microsoft.ContainerService",
      clusterResourceName: "managedClusters",
      clusterName: spec.names.aksCluster,
      resourceGroupName: spec.names.servingResourceGroup,
    });
    const settings = (ext.inputs as any).configurationSettings;
    expect(settings).toMatchObject({ enableInference: "True", allowInsecureConnections: "False", inferenceRouterServiceType: "LoadBalancer", internalLoadBalancerProvider: "azure" });
    // The certificate travels as protected settings (secret), never as a secret name nothing creates.
    expect(settings.sslSecret).toBeUndefined();
    expect(settings["scoringFe.sslSecret"]).toBeUndefined();
    expect((ext.inputs as any).configurationProtectedSettings).toBe("[secret]");
    // Without the CLI, the chart's own keys must be set: the internal load balancer under
    // scoringFe.*, the cluster's identity and region, and no Relay/Service Bus on AKS.
    expect(settings).toMatchObject({
      sslCname: `inference.${spec.environment}.${spec.prefix}.internal`,
      "scoringFe.serviceType.internalLoadBalancer": "true",
      location: spec.location,
      jobSchedulerLocation: spec.location,
      domain: `${spec.location}.cloudapp.azure.com`,
      cluster_name_friendly: spec.names.aksCluster,
      "relayserver.enabled": "false",
      "servicebus.enabled": "false",
    });
    const aksId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${spec.names.servingResourceGroup}/providers/Microsoft.ContainerService/managedClusters/${spec.names.aksCluster}`;
    for (const key of ["cluster_name", "clusterId", "prometheus.prometheusSpec.externalLabels.cluster_name"]) expect({ key, value: settings[key] }).toEqual({ key, value: aksId });
    // The extension's components sign in to Azure ML with the extension's own identity.
    expect(ext.inputs.identity).toEqual({ type: "SystemAssigned" });
    // It waits for the nodes (cluster and user pools).
    expect(ext.dependsOn).toEqual(expect.arrayContaining([one(env(spec), T.aks).urn, ...ofType(env(spec), T.pool).map((p) => p.urn)]));
  });

  test("the inference router is highly available only where three workload nodes exist", () => {
    expect((amlExtension(prod).inputs as any).configurationSettings.inferenceRouterHA).toBe("True");
    expect((amlExtension(qa).inputs as any).configurationSettings.inferenceRouterHA).toBe("False");
    // Public mode: the router keeps a public load balancer (no internal provider).
    expect((amlExtension(devServing).inputs as any).configurationSettings.internalLoadBalancerProvider).toBeUndefined();
    expect((amlExtension(devServing).inputs as any).configurationSettings["scoringFe.serviceType.internalLoadBalancer"]).toBeUndefined();
  });

  test("an online endpoint left at its default uses AMLToken, the token mode Kubernetes endpoints accept", () => {
    expect(devServing.serving!.onlineEndpoint.authMode).toBe("AMLToken");
    expect((one(env(devServing), T.online).inputs.properties as any).authMode).toBe("AMLToken");
  });

  test("the router's TLS host name comes from config (serving.tls.cname)", () => {
    const settings = (amlExtension(tlsConfigured).inputs as any).configurationSettings;
    expect(settings).toMatchObject({ sslCname: "score.qa.contoso.com", allowInsecureConnections: "False" });
  });

  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s: the cluster is attached to its own workspace as a Kubernetes compute, in its own namespace, with the three documented roles", (_n, spec) => {
    const compute = ofType(env(spec), T.compute).find((c) => (c.inputs.properties as any).computeType === "Kubernetes")!;
    const aksId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${spec.names.servingResourceGroup}/providers/Microsoft.ContainerService/managedClusters/${spec.names.aksCluster}`;
    expect(compute.inputs).toMatchObject({ computeName: spec.names.kubernetesCompute, workspaceName: spec.names.workspace, resourceGroupName: spec.names.resourceGroup });
    const props = compute.inputs.properties as any;
    expect(props).toMatchObject({ resourceId: aksId, disableLocalAuth: true });
    // The namespace exists before the attach: an AKS managed namespace, created through ARM.
    const ns = one(env(spec), T.namespace);
    expect(ns.inputs).toMatchObject({ managedNamespaceName: "azureml-inference", resourceName: spec.names.aksCluster, resourceGroupName: spec.names.servingResourceGroup });
    expect(props.properties.namespace).toBe("azureml-inference");
    expect(compute.dependsOn).toContain(ns.urn);
    // The documented default instance type: the service creates it on attach.
    expect(props.properties.defaultInstanceType).toBe("defaultinstancetype");
    expect(props.properties.instanceTypes).toBeUndefined();
    expect(compute.dependsOn).toContain(amlExtension(spec).urn);
    // Attaching with the workspace's user-assigned identity: Reader, Kubernetes Extension
    // Contributor and Azure Kubernetes Service Cluster Admin Role on the cluster, before the attach.
    const onCluster = ofType(env(spec), T.role).filter((r) => r.inputs.scope === aksId);
    expect(onCluster.map(roleGuidOf).sort()).toEqual([builtInRoles.Reader, builtInRoles.KubernetesExtensionContributor, builtInRoles.AksClusterAdmin].sort());
    for (const r of onCluster) expect(compute.dependsOn).toContain(r.urn);
  });

  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s: an online endpoint on that compute (token auth, private) and a batch endpoint, in its own workspace", (_n, spec) => {
    const online = one(env(spec), T.online);
    expect(online.inputs).toMatchObject({ endpointName: spec.names.onlineEndpoint, workspaceName: spec.names.workspace, resourceGroupName: spec.names.resourceGroup });
    const props = online.inputs.properties as any;
    expect(props.compute).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${spec.names.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${spec.names.workspace}/computes/${spec.names.kubernetesCompute}`);
    // Kubernetes online endpoints accept Key or AMLToken only (Entra tokens are for managed endpoints).
    expect(props.authMode).toBe("AMLToken");
    expect(props.authMode).not.toBe("Key");
    // publicNetworkAccess applies to managed online endpoints only: not sent for Kubernetes.
    expect(props.publicNetworkAccess).toBeUndefined();
    const batch = one(env(spec), T.batch);
    expect(batch.inputs).toMatchObject({ endpointName: spec.names.batchEndpoint, workspaceName: spec.names.workspace, properties: { authMode: "AADToken" } });
    // The endpoints run as an identity that may only read the workspace's storage and pull its images.
    const endpointIdentity = ofType(env(spec), T.identity).find((i) => i.inputs.resourceName === `id-${spec.names.onlineEndpoint}`)!;
    expect(online.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [expect.stringContaining(`/userAssignedIdentities/${endpointIdentity.inputs.resourceName}`)] });
    const endpointRoles = ofType(env(spec), T.role).filter((r) => r.parent === online.parent);
    expect(endpointRoles.map(roleGuidOf).sort()).toEqual([builtInRoles.AcrPull, builtInRoles.StorageBlobDataReader].sort());
  });

  test.each([
    ["qa", qa],
    ["prod", prod],
  ])("%s: its custom instance types are applied in the cluster by Flux from the stack's manifest folder, before the endpoints", (name, spec) => {
    const flux = env(spec).filter((r) => r.type === T.extension && r.inputs.extensionType === "microsoft.flux");
    expect(flux).toHaveLength(1);
    expect(flux[0].inputs).toMatchObject({ clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters", clusterName: spec.names.aksCluster, resourceGroupName: spec.names.servingResourceGroup });
    const config = one(env(spec), T.fluxConfiguration);
    expect(config.inputs).toMatchObject({
      clusterName: spec.names.aksCluster,
      scope: "cluster",
      sourceKind: "GitRepository",
      gitRepository: { url: "https://github.com/contoso/mlops-azure", repositoryRef: { branch: "main" } },
      kustomizations: { "instance-types": { path: `./deploy/instance-types/${name}`, prune: true } },
      waitForReconciliation: true,
    });
    expect(config.dependsOn).toEqual(expect.arrayContaining([flux[0].urn, amlExtension(spec).urn]));
    // The deployments name the configured instance type, and wait for Flux to have applied it.
    expect(spec.serving!.onlineEndpoint.instanceType).toBe(spec.serving!.instanceTypes[0].name);
    const endpoints = env(spec).find((r) => r.type === "mlops:serving:ServingEndpoints")!;
    expect(endpoints.dependsOn).toContain(config.urn);
    // The egress firewall lets Flux reach that repository, and only its host.
    const groups = env(spec).filter((r) => r.type === "azure-native:network:FirewallPolicyRuleCollectionGroup");
    const rules = groups.flatMap((g) => ((g.inputs.ruleCollections as { rules: { name: string; targetFqdns?: string[] }[] }[]) ?? []).flatMap((c) => c.rules));
    expect(rules.filter((r) => r.name === "gitops-source")).toEqual([expect.objectContaining({ targetFqdns: ["github.com"] })]);
    // A stack that applies its instance types itself gets no Flux.
    expect(env(gpu).filter((r) => r.type === T.fluxConfiguration)).toEqual([]);
  });

  test("qa serves the given model version with its scoring code and environment, rolled out step by step", () => {
    const wsId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-qa/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-qa`;
    // No OnlineDeployment resource: the rollout creates one deployment per model version.
    expect(ofType(env(qa), T.deployment)).toEqual([]);
    const assets = one(env(qa), T.scoringAssets);
    expect(assets.inputs).toMatchObject({ scoringScript: "serve.py", workspace: { workspaceName: "mlw-mlops-qa" } });
    const code = (assets.inputs as any).code;
    expect(code).toMatchObject({ folder: "pipelines/steps/bad_pixels", name: "mlops_online_scoring" });
    expect(code.version).toMatch(/^[0-9a-f]{16}$/);
    expect((assets.inputs as any).environment.conda).toContain("azureml-inference-server-http");
    const rollout = one(env(qa), T.rollout);
    const d = (rollout.inputs as any).deployment;
    expect(d).toMatchObject({
      modelId: `${wsId}/models/training_videoanomaly/versions/7`,
      codeId: `${wsId}/codes/${code.name}/versions/${code.version}`,
      scoringScript: "serve.py",
      // The custom instance type Flux applies to the cluster (deploy/instance-types/qa).
      instanceType: "cpuscoring",
      instanceCount: qa.serving!.onlineEndpoint.instanceCount,
    });
    expect(d.environmentId).toMatch(new RegExp(`^${wsId}/environments/mlops_online_scoring_env/versions/[0-9a-f]{16}$`));
    // The deployment's name carries the model version: a new version is a new deployment.
    expect(d.name).toMatch(/^v7-[0-9a-f]{8}$/);
    expect(rollout.inputs).toMatchObject({ endpointId: `${wsId}/onlineEndpoints/${qa.names.onlineEndpoint}`, steps: [10, 50, 100], holdSeconds: 60, armEndpoint: "https://management.azure.com" });
    expect((rollout.inputs as any).smokeRequest.videos[0].name).toBe("sample");
    expect(rollout.dependsOn).toEqual(expect.arrayContaining([assets.urn, one(env(qa), T.online).urn]));
    // prod was given no model: an endpoint without a deployment (and nothing to roll out).
    expect(ofType(env(prod), T.rollout)).toEqual([]);
    // The batch deployment runs a pipeline component of its own that wraps the published scoring
    // pipeline with the promoted model bound as its `model` input, on the batch cluster by default.
    const pinned = one(env(qa), T.componentVersion);
    const scoringId = `${wsId}/components/scoring/versions/3`;
    const modelId = `${wsId}/models/training_videoanomaly/versions/7`;
    expect(pinned.inputs).toMatchObject({ name: "mlops_batch_scoring", version: expect.stringMatching(/^m7-[0-9a-f]{10}$/), workspaceName: qa.names.workspace });
    const spec = (pinned.inputs.properties as any).componentSpec;
    expect(spec.type).toBe("pipeline");
    expect(Object.keys(spec.inputs).sort()).toEqual(["frame_step", "min_deviation", "threshold", "videos"]);
    expect(spec.outputs).toEqual({ predictions: { type: "uri_folder" } });
    expect(spec.jobs.scoring.componentId).toBe(scoringId);
    expect(spec.jobs.scoring.inputs.model).toEqual({ job_input_type: "custom_model", uri: `azureml:${modelId}` });
    expect(spec.jobs.scoring.inputs.videos).toEqual({ job_input_type: "literal", value: "${{parent.inputs.videos}}" });
    expect(spec.jobs.scoring.outputs.predictions).toEqual({ type: "literal", value: "${{parent.outputs.predictions}}" });
    const batchDeployment = one(env(qa), T.batchDeployment);
    expect((batchDeployment.inputs.properties as any).deploymentConfiguration).toEqual({
      deploymentConfigurationType: "PipelineComponent",
      componentId: { referenceType: "Id", assetId: `${wsId}/components/mlops_batch_scoring/versions/${pinned.inputs.version}` },
      settings: { default_compute: qa.clusters.find((c) => c.key === "cpu")!.name, continue_on_step_failure: "False" },
    });
    expect(ofType(env(prod), T.batchDeployment)).toEqual([]);
    expect(ofType(env(prod), T.componentVersion)).toEqual([]);
    // Batch scoring is pinned to the same promoted model version as the online endpoint.
    expect(batchDeployment.inputs.tags).toMatchObject({ "model-name": "training_videoanomaly", "model-version": "7" });
    expect((batchDeployment.inputs.properties as any).description).toBe("Batch scoring with training_videoanomaly version 7");
  });
});

describe("network: private mode", () => {
  // Issue 18 adds the Azure Monitor private link scope's endpoint and its zones.
  const groups = ["amlworkspace", "blob", "file", "vault", "registry", "azuremonitor"];
  const zoneNames = [
    "privatelink.api.azureml.ms",
    "privatelink.notebooks.azure.net",
    "privatelink.blob.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.vaultcore.azure.net",
    "privatelink.azurecr.io",
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
  ];

  test("prod: private endpoints for the workspace, storage (blob, file), key vault and registry — each its own prod resource", () => {
    const pes = ofType(env(prod), T.pe);
    const byGroup = Object.fromEntries(pes.map((p) => [(p.inputs.privateLinkServiceConnections as any)[0].groupIds[0], p]));
    expect(Object.keys(byGroup).sort()).toEqual([...groups].sort());
    const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${prod.names.resourceGroup}/providers`;
    const target = (g: string) => (byGroup[g].inputs.privateLinkServiceConnections as any)[0].privateLinkServiceId;
    expect(target("amlworkspace")).toBe(`${rg}/Microsoft.MachineLearningServices/workspaces/${prod.names.workspace}`);
    expect(target("blob")).toBe(`${rg}/Microsoft.Storage/storageAccounts/${prod.names.storageAccount}`);
    expect(target("file")).toBe(`${rg}/Microsoft.Storage/storageAccounts/${prod.names.storageAccount}`);
    expect(target("vault")).toBe(`${rg}/Microsoft.KeyVault/vaults/${prod.names.keyVault}`);
    expect(target("registry")).toBe(`${rg}/Microsoft.ContainerRegistry/registries/${prod.names.containerRegistry}`);
    const peSubnet = `${rg}/Microsoft.Network/virtualNetworks/${prod.names.virtualNetwork}/subnets/snet-pe`;
    for (const pe of pes) expect((pe.inputs.subnet as { id: string }).id).toBe(peSubnet);
    expect(ofType(env(prod), T.subnet).find((s) => s.inputs.subnetName === "snet-pe")!.inputs.addressPrefix).toBe(prod.network.subnets.privateEndpoints);
  });

  test("a registry below Premium gets no private endpoint (Azure offers private link on Premium only) and stays public", () => {
    const groupsOf = (spec: EnvironmentSpec) => ofType(env(spec), T.pe).map((p) => (p.inputs.privateLinkServiceConnections as any)[0].groupIds[0]).sort();
    expect(groupsOf(standardRegistry)).toEqual(["amlworkspace", "azuremonitor", "blob", "file", "vault"]);
    expect(ofType(env(standardRegistry), T.zone).map((z) => z.inputs.privateZoneName)).not.toContain("privatelink.azurecr.io");
    expect(groupsOf(qa)).toContain("registry");
  });

  test("prod: private DNS zones for all four dependencies, linked to prod's VNet only, with a zone group per endpoint", () => {
    const zones = ofType(env(prod), T.zone);
    expect(zones.map((z) => z.inputs.privateZoneName).sort()).toEqual([...zoneNames].sort());
    for (const z of zones) expect(z.inputs).toMatchObject({ location: "global", resourceGroupName: prod.names.resourceGroup });
    const vnetId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${prod.names.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${prod.names.virtualNetwork}`;
    const links = ofType(env(prod), T.zoneLink);
    expect(links.map((l) => l.inputs.privateZoneName).sort()).toEqual([...zoneNames].sort());
    for (const l of links) expect(l.inputs).toMatchObject({ virtualNetwork: { id: vnetId }, registrationEnabled: false });
    const zoneGroups = ofType(env(prod), T.zoneGroup);
    expect(zoneGroups.length).toBe(groups.length);
    const workspaceGroup = zoneGroups.find((g) => String(g.inputs.privateEndpointName).startsWith(`pe-${prod.names.workspace}`))!;
    expect(((workspaceGroup.inputs.privateDnsZoneConfigs as any[]).map((c) => c.privateDnsZoneId as string)).sort()).toEqual(
      ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"].map((z) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${prod.names.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${z}`).sort(),
    );
  });

  test("prod's workspace has public access disabled and a managed VNet allowing only approved outbound", () => {
    const ws = one(env(prod), T.workspace);
    expect(ws.inputs).toMatchObject({ publicNetworkAccess: "Disabled", managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" } });
    expect(ws.protect).toBe(true);
    for (const type of [T.storage, T.vault, T.registry]) expect(one(env(prod), type).protect).toBe(true);
  });

  test("public mode (dev) keeps it simple: no VNet, no private endpoints, no DNS zones", () => {
    for (const type of [T.vnet, T.pe, T.zone, T.zoneLink]) expect(ofType(env(dev), type)).toEqual([]);
    expect(one(env(dev), T.workspace).inputs.publicNetworkAccess).toBe("Enabled");
  });
});

describe("identities", () => {
  test.each([
    ["dev", dev],
    ["qa", qa],
    ["prod", prod],
  ])("%s's CI application signs in only with pinned federated credentials: no password anywhere", (_n, spec) => {
    const app = one(ciOf(spec), T.app);
    expect(app.inputs.password).toBeUndefined();
    expect(ofType(all, T.appPassword)).toEqual([]);
    expect(ofType(all, T.spPassword)).toEqual([]);
    const fics = ofType(ciOf(spec), T.fic);
    const gh = spec.identity.github!;
    const expected = [
      ...gh.environments.map((e) => `repo:${gh.repository}:environment:${e}`),
      ...gh.branches.map((b) => `repo:${gh.repository}:ref:refs/heads/${b}`),
      ...(gh.pullRequests ? [`repo:${gh.repository}:pull_request`] : []),
    ];
    expect(fics.map((f) => f.inputs.subject).sort()).toEqual(expected.sort());
    for (const f of fics) {
      expect(f.inputs).toMatchObject({ issuer: "https://token.actions.githubusercontent.com", audiences: ["api://AzureADTokenExchange"] });
      expect(String(f.inputs.subject)).not.toMatch(/[*?]/);
    }
    expect(one(ciOf(spec), T.sp).inputs.clientId).toBeDefined();
  });

  test("pull-request jobs may deploy only to dev", () => {
    expect(ofType(env(dev), T.fic).some((f) => String(f.inputs.subject).endsWith(":pull_request"))).toBe(true);
    for (const spec of [qa, prod]) expect(ofType(env(spec), T.fic).some((f) => String(f.inputs.subject).endsWith(":pull_request"))).toBe(false);
  });

  test("an Azure DevOps service connection federates with its organization's issuer and an exact subject", () => {
    const fic = ofType(ciOf(ado), T.fic).find((f) => String(f.inputs.subject).startsWith("sc://"))!;
    expect(fic.inputs).toMatchObject({ issuer: "https://vstoken.dev.azure.com/0f0e0d0c-0b0a-0908-0706-050403020100", subject: "sc://contoso/ml/mlops-qa", audiences: ["api://AzureADTokenExchange"] });
  });

  test.each([
    ["dev", dev, null],
    ["qa", qa, dev],
    ["prod", prod, qa],
  ] as const)("%s's deployer has roles on its own resource groups and storage only, read-only on its promotion source", (_n, spec, source) => {
    const ci = one(env(spec), "mlops:identity:CiIdentity");
    const roles = under(ci).filter((r) => r.type === T.role);
    const rg = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;
    // Its own resource groups, plus blob data in its own storage account (code uploads, model copies)
    // and encrypt/decrypt with its own stack's secrets key.
    const own = [
      rg(spec.names.resourceGroup),
      ...(spec.serving ? [rg(spec.names.servingResourceGroup)] : []),
      `${rg(spec.names.resourceGroup)}/providers/Microsoft.Storage/storageAccounts/${spec.names.storageAccount}`,
      `${rg(spec.names.resourceGroup)}/providers/Microsoft.KeyVault/vaults/${spec.names.keyVault}/keys/pulumi-state`,
    ];
    const writers = roles.filter((r) => !["promotion-source-workspace-reader", "promotion-source-blob-reader"].some((k) => r.name.endsWith(k)));
    expect([...new Set(writers.map((r) => r.inputs.scope))].sort()).toEqual([...own].sort());
    for (const r of roles) expect(Object.values({ o: builtInRoles.Owner, u: builtInRoles.UserAccessAdministrator, r: builtInRoles.RoleBasedAccessControlAdministrator })).not.toContain(roleGuidOf(r));
    const readers = roles.filter((r) => !writers.includes(r));
    if (!source) {
      expect(readers).toEqual([]);
    } else {
      const sourceRg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${source.names.resourceGroup}/providers`;
      expect(readers.map((r) => [r.inputs.scope, roleGuidOf(r)]).sort()).toEqual(
        [
          [`${sourceRg}/Microsoft.MachineLearningServices/workspaces/${source.names.workspace}`, builtInRoles.Reader],
          [`${sourceRg}/Microsoft.Storage/storageAccounts/${source.names.storageAccount}`, builtInRoles.StorageBlobDataReader],
        ].sort(),
      );
    }
  });

  test("the deployer's role-assigner role only manages role assignments, only in its groups, and can never grant privileged roles", () => {
    const ci = one(env(qa), "mlops:identity:CiIdentity");
    const roleDef = under(ci).find((r) => r.type === T.roleDefinition)!;
    expect(roleDef.inputs.permissions).toEqual([{ actions: ["Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete"] }]);
    expect((roleDef.inputs.assignableScopes as string[]).sort()).toEqual([qa.names.resourceGroup, qa.names.servingResourceGroup].map((n) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${n}`).sort());
    const assignments = under(ci).filter((r) => r.type === T.role && r.name.endsWith("-role-assigner"));
    expect(assignments.length).toBe(2);
    for (const a of assignments) {
      expect(roleGuidOf(a)).toBe(roleDef.inputs.roleDefinitionId);
      expect(a.inputs.conditionVersion).toBe("2.0");
      expect(a.inputs.condition).toBe(constrainedDelegationCondition([String(roleDef.inputs.roleDefinitionId)]));
      for (const guid of [builtInRoles.Owner, builtInRoles.UserAccessAdministrator, builtInRoles.RoleBasedAccessControlAdministrator, String(roleDef.inputs.roleDefinitionId)]) {
        expect(String(a.inputs.condition)).toContain(guid);
      }
    }
  });

  test("the data scientists group: AzureML Data Scientist and blob data on dev's workspace and storage (publishing from a laptop), Reader on qa's and prod's", () => {
    for (const [spec, role] of [
      [dev, builtInRoles.AzureMLDataScientist],
      [qa, builtInRoles.Reader],
      [prod, builtInRoles.Reader],
    ] as const) {
      const group = one(env(spec), T.group);
      // Unique in the tenant: prefix, stack and a subscription salt (shared/naming tenantNames).
      expect(group.inputs).toMatchObject({ displayName: expect.stringMatching(new RegExp(`^${spec.prefix}-${spec.stack}-data-scientists-[0-9a-f]{6}$`)), securityEnabled: true });
      const grants = under(byUrn(group.parent!)).filter((r) => r.type === T.role);
      const workspaceGrant = grants.filter((g) => String(g.inputs.scope).endsWith(`/workspaces/${spec.names.workspace}`));
      expect(workspaceGrant.length).toBe(1);
      expect(roleGuidOf(workspaceGrant[0])).toBe(role);
      expect(workspaceGrant[0].inputs).toMatchObject({ principalType: "Group", scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${spec.names.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${spec.names.workspace}` });
      const storageGrants = grants.filter((g) => g !== workspaceGrant[0]);
      if (spec === dev) {
        expect(storageGrants.map((g) => [roleGuidOf(g), String(g.inputs.scope).split("/").pop()])).toEqual([[builtInRoles.StorageBlobDataContributor, spec.names.storageAccount]]);
      } else {
        expect(storageGrants).toEqual([]);
      }
    }
  });
});

describe("isolation under the mocks: nothing of qa or prod names another environment", () => {
  /** Physical names that identify an environment; any of them in another environment's inputs is a leak. */
  const markers = (spec: EnvironmentSpec) => [...new Set([...Object.values(spec.names), `${spec.prefix}-${spec.environment}`])];

  test.each([
    ["qa", qa, dev],
    ["prod", prod, qa],
  ] as const)("%s references no other environment except read-only roles on its promotion source", (_n, spec, source) => {
    const others = [dev, qa, prod].filter((s) => s !== spec);
    const leaks: string[] = [];
    for (const r of env(spec)) {
      const text = JSON.stringify(r.inputs);
      for (const other of others) {
        const hit = markers(other).find((m) => text.includes(m));
        if (!hit) continue;
        const readOnlyOnSource = other === source && r.type === T.role && [builtInRoles.Reader, builtInRoles.StorageBlobDataReader].includes(roleGuidOf(r) as never);
        if (!readOnlyOnSource) leaks.push(`${r.name} → ${hit}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
