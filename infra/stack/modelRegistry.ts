import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import { builtInRoles, deterministicGuid } from "../../components/authorization/roles";
import type { EnvironmentSpec } from "../config";
import { logicalBase } from "../../shared/naming";

export interface ModelRegistryOutputs {
  id: pulumi.Output<string>;
  name: pulumi.Output<string>;
  location: string;
}

/**
 * The Azure ML registry of the registry promotion strategy, declared by the origin stack (dev): the
 * service shares approved dev versions into it, qa and prod read them through their own private
 * endpoints. System-created storage and ACR in the registry's managed resource group ("Manage Azure
 * Machine Learning registries"); public access off by default ("Network isolation with Azure Machine
 * Learning registries"). Protected with the environment's stateful resources: its versions outlive
 * every workspace.
 */
export function declareModelRegistry(spec: EnvironmentSpec, resourceGroupName: pulumi.Input<string>): ModelRegistryOutputs | undefined {
  const r = spec.modelRegistry;
  if (!r) return undefined;
  const registry = new ml.Registry(
    `${logicalBase(spec)}-model-registry`,
    {
      registryName: r.name,
      resourceGroupName,
      location: spec.location,
      identity: { type: "SystemAssigned" },
      publicNetworkAccess: r.publicNetworkAccess,
      regionDetails: [
        {
          location: spec.location,
          storageAccountDetails: [{ systemCreatedStorageAccount: { storageAccountType: "Standard_LRS", storageAccountHnsEnabled: false, allowBlobPublicAccess: false } }],
          // Premium: the registry's ACR must take a private endpoint too.
          acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: "Premium" } }],
        },
      ],
      tags: spec.tags,
    },
    { protect: spec.protect },
  );
  return { id: registry.id, name: registry.name, location: spec.location };
}

export interface RegistryAccessArgs {
  /** The registry's ARM id, from the origin stack's outputs. */
  registryId: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  /** Who needs the registry: the CI identity (shares, reads) and the workspace identity (jobs, deployments read the version). */
  principals: { key: string; principalId: pulumi.Input<string>; type: "ServicePrincipal" }[];
}

/**
 * What a qa or prod stack needs to use the origin's registry, declared so its plan shows each grant:
 * "AzureML Registry User" (built-in, `1823dd4f-9b8c-4ab6-ab4e-7397a3684615`) on the registry for its
 * CI identity and its workspace identity, and, in private mode, an outbound private-endpoint rule of
 * the workspace's managed network to the registry (sub-resource `amlregistry`), so the import job's
 * compute reaches it privately. The private endpoint from the environment's own VNet is declared
 * with the others (`declareNetwork`, group `amlregistry`, zone `privatelink.api.azureml.ms`).
 */
export function declareRegistryAccess(spec: EnvironmentSpec, args: RegistryAccessArgs): authorization.RoleAssignment[] {
  const base = logicalBase(spec);
  const subscription = pulumi.output(args.registryId).apply((id) => id.split("/")[2]);
  if (spec.network.mode === "private") {
    new ml.ManagedNetworkSettingsRule(`${base}-outbound-model-registry`, {
      resourceGroupName: args.resourceGroupName,
      workspaceName: args.workspaceName,
      ruleName: "model-registry",
      properties: { type: "PrivateEndpoint", category: "UserDefined", destination: { serviceResourceId: args.registryId, subresourceTarget: "amlregistry", sparkEnabled: false } },
    });
  }
  return args.principals.map(
    (p) =>
      new authorization.RoleAssignment(`${base}-${p.key}-model-registry-user`, {
        roleAssignmentName: pulumi.all([args.registryId, p.principalId]).apply(([s, id]) => deterministicGuid(s, id, builtInRoles.AzureMLRegistryUser)),
        scope: args.registryId,
        principalId: p.principalId,
        principalType: p.type,
        roleDefinitionId: pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${builtInRoles.AzureMLRegistryUser}`,
        description: `${spec.environment}: shares and reads models in the origin's registry (promotion.strategy: registry)`,
      }),
  );
}
