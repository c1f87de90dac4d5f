import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { AKS_ADMIN_PATH_ACTIONS, CiIdentity, DataScientistsGroup } from "../../components/identity";
import { logicalBase } from "../naming";

/** What identities need from the environment core (`MlWorkspace`). */
export interface IdentityCore {
  resourceGroupId: pulumi.Input<string>;
  workspaceId: pulumi.Input<string>;
  storageAccountId: pulumi.Input<string>;
}

export interface IdentityInputs {
  subscriptionId: pulumi.Input<string>;
  /** The serving resource group (from `declareServing`), also the deployer's to manage. */
  servingResourceGroupId?: pulumi.Input<string>;
  /**
   * The origin models are copied from (dev, for qa and prod alike), from its stack outputs: the
   * deployer may read its workspace and model storage, nothing more.
   */
  upstream?: { workspaceId: pulumi.Input<string>; storageAccountId: pulumi.Input<string> };
  /** Object ids that own the CI application and the group (e.g. the platform team). */
  owners?: pulumi.Input<string>[];
}

export interface IdentityOutputs {
  ciClientId?: pulumi.Output<string>;
  ciServicePrincipalObjectId?: pulumi.Output<string>;
  ciFederatedSubjects?: string[];
  dataScientistsGroupObjectId?: pulumi.Output<string>;
}

/**
 * The environment's identities: a CI deployer (federated credentials only, rights on this
 * environment's resource groups, read-only on its promotion source) when GitHub or Azure DevOps is
 * configured, and the data scientists group when enabled (AzureML Data Scientist on the dev
 * workspace and Storage Blob Data Contributor on its storage, Reader on qa and prod).
 */
export function declareIdentities(spec: EnvironmentSpec, core: IdentityCore, inputs: IdentityInputs, opts?: pulumi.ComponentResourceOptions): IdentityOutputs {
  const base = logicalBase(spec);
  const out: IdentityOutputs = {};
  const { github, azureDevOps, dataScientists } = spec.identity;

  if (github || azureDevOps) {
    const ci = new CiIdentity(
      `${base}-ci`,
      {
        displayName: `${base}-ci`,
        subscriptionId: inputs.subscriptionId,
        ...(github ? { github } : {}),
        ...(azureDevOps ? { azureDevOps: { ...azureDevOps, organizationId: azureDevOps.organizationId! } } : {}),
        deployScopes: [
          { key: "rg", id: core.resourceGroupId },
          // Contributor would include listClusterAdminCredential and runCommand: the AKS admin path.
          ...(inputs.servingResourceGroupId ? [{ key: "serving-rg", id: inputs.servingResourceGroupId, excludeActions: AKS_ADMIN_PATH_ACTIONS }] : []),
        ],
        dataStorageAccountId: core.storageAccountId,
        ...(inputs.upstream ? { promotionSource: inputs.upstream } : {}),
        ...(inputs.owners ? { owners: inputs.owners } : {}),
      },
      opts,
    );
    out.ciClientId = ci.clientId;
    out.ciServicePrincipalObjectId = ci.servicePrincipalObjectId;
    out.ciFederatedSubjects = ci.federatedSubjects;
  }

  if (dataScientists) {
    const group = new DataScientistsGroup(
      `${base}-data-scientists`,
      {
        displayName: dataScientists.displayName,
        members: dataScientists.members,
        subscriptionId: inputs.subscriptionId,
        workspaceId: core.workspaceId,
        workspaceRole: spec.environment === "dev" ? "AzureMLDataScientist" : "Reader",
        // Publishing and running from a local computer (dev only) uploads step code to the workspace storage.
        ...(spec.environment === "dev" ? { dataStorageAccountId: core.storageAccountId } : {}),
        ...(inputs.owners ? { owners: inputs.owners } : {}),
      },
      opts,
    );
    out.dataScientistsGroupObjectId = group.objectId;
  }
  return out;
}
