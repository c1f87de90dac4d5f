/**
 * Declares environments' network, serving and identities under the Pulumi runtime's mocks and records
 * every registration (type, parent, protect, dependencies, inputs) the way the offline plan does.
 * One runtime per test file: declare every environment the file needs in one `recordStacks` call.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { buildEnvironmentSpec, EnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { recordDeclarations, SUBSCRIPTION } from "../../support/declarations";
import type { PlanResource } from "../../../shared/plan";
import { MlWorkspace } from "../../../components/workspace";
import { declareNetwork } from "../../../infra/stack/network";
import { declareServing, ServingInputs } from "../../../infra/stack/serving";
import { declareIdentities, IdentityInputs } from "../../../infra/stack/identity";

export { recordDeclarations, SUBSCRIPTION };

export const REPO = path.resolve(__dirname, "../../..");
export const TENANT = "99999999-8888-7777-6666-555555555555";
/** Stand-ins for the router's PEM files: only their secrecy and encoding matter here. */
export const TEST_PEM = { certificate: "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n", key: "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----\n" };

/** A shipped stack's spec, with config keys (`mlops:<key>` → value) replaced or added. */
export function specOf(stack: "dev" | "qa" | "prod", overrides: Record<string, unknown> = {}): EnvironmentSpec {
  const files = readStackConfigFiles({ projectDir: REPO, stack });
  const config = { ...files.config };
  for (const [key, value] of Object.entries(overrides)) config[`${files.project}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return buildEnvironmentSpec({ project: files.project, stack, config, sources: files.sources });
}

/** The raw config of a shipped stack, parsed (for building variants). */
export function configOf(stack: "dev" | "qa" | "prod", key: string): any {
  const files = readStackConfigFiles({ projectDir: REPO, stack });
  const raw = files.config[`${files.project}:${key}`];
  return raw === undefined ? undefined : JSON.parse(raw);
}

export const T = {
  rg: "azure-native:resources:ResourceGroup",
  aks: "azure-native:containerservice:ManagedCluster",
  pool: "azure-native:containerservice:AgentPool",
  extension: "azure-native:kubernetesconfiguration:Extension",
  fluxConfiguration: "azure-native:kubernetesconfiguration:FluxConfiguration",
  compute: "azure-native:machinelearningservices:Compute",
  workspace: "azure-native:machinelearningservices:Workspace",
  storage: "azure-native:storage:StorageAccount",
  vault: "azure-native:keyvault:Vault",
  registry: "azure-native:containerregistry:Registry",
  online: "azure-native:machinelearningservices:OnlineEndpoint",
  deployment: "azure-native:machinelearningservices:OnlineDeployment",
  batch: "azure-native:machinelearningservices:BatchEndpoint",
  batchDeployment: "azure-native:machinelearningservices:BatchDeployment",
  componentVersion: "azure-native:machinelearningservices:ComponentVersion",
  rollout: "pulumi-nodejs:dynamic/mlops:ModelRollout",
  scoringAssets: "pulumi-nodejs:dynamic/mlops:ScoringAssets",
  namespace: "azure-native:containerservice:ManagedNamespace",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  peering: "azure-native:network:VirtualNetworkPeering",
  pe: "azure-native:network:PrivateEndpoint",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  zone: "azure-native:privatedns:PrivateZone",
  zoneLink: "azure-native:privatedns:VirtualNetworkLink",
  role: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  app: "azuread:index/application:Application",
  sp: "azuread:index/servicePrincipal:ServicePrincipal",
  fic: "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
  appPassword: "azuread:index/applicationPassword:ApplicationPassword",
  spPassword: "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
  group: "azuread:index/group:Group",
} as const;

/** Resources of one environment: those whose URN chain starts with its `<prefix>-<env>` name. */
export function ofEnvironment(resources: PlanResource[], spec: EnvironmentSpec): PlanResource[] {
  const base = `${spec.prefix}-${spec.environment}`;
  return resources.filter((r) => r.name === base || r.name.startsWith(`${base}-`));
}

export function ofType(resources: PlanResource[], type: string): PlanResource[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: PlanResource[], type: string): PlanResource {
  const found = ofType(resources, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  return found[0];
}

/** The last segment of a built-in role definition id. */
export function roleGuidOf(r: PlanResource): string {
  return String(r.inputs.roleDefinitionId).split("/").pop()!;
}


/** An environment core exactly as the program builds it, then this engineer's three declarations. */
export function declareEnvironment(
  spec: EnvironmentSpec,
  extra: { serving?: Partial<ServingInputs>; upstream?: IdentityInputs["upstream"] } = {},
): MlWorkspace {
  const core = new MlWorkspace(
    `${spec.prefix}-${spec.environment}`,
    {
      location: spec.location,
      tags: spec.tags,
      names: spec.names,
      tenantId: TENANT,
      subscriptionId: SUBSCRIPTION,
      networkMode: spec.network.mode,
      keyVault: spec.keyVault,
      registrySku: spec.registry.sku,
      optOuts: { allowBlobPublicAccess: spec.storage.allowBlobPublicAccess, registryAdminUserEnabled: spec.registry.adminUserEnabled },
      allowSharedKeyAccess: spec.storage.allowSharedKeyAccess,
      logRetentionDays: spec.monitoring.logRetentionDays,
      friendlyName: spec.workspace.friendlyName,
      description: spec.workspace.description,
      highBusinessImpact: spec.workspace.highBusinessImpact,
    },
    { protect: spec.protect },
  );
  const network = declareNetwork(spec, core);
  // The router's certificate and key arrive as secrets (the program reads them from secret config).
  const tls = spec.serving ? { cname: spec.serving.tls.cname, certificatePem: pulumi.secret(TEST_PEM.certificate), keyPem: pulumi.secret(TEST_PEM.key) } : undefined;
  const serving = declareServing(spec, core, network, { subscriptionId: SUBSCRIPTION, tenantId: TENANT, ...(tls ? { tls } : {}), ...extra.serving });
  declareIdentities(spec, core, {
    subscriptionId: SUBSCRIPTION,
    ...(serving ? { servingResourceGroupId: serving.resourceGroupId } : {}),
    ...(extra.upstream ? { upstream: extra.upstream } : {}),
  });
  return core;
}
