import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config";
import { logicalBase, tenantNames } from "../../shared/naming";
import type { MlWorkspace } from "../../components/workspace";
import {
  AKS_ADMIN_PATH_ACTIONS,
  AuditIdentity,
  AzureDevOpsFederation,
  CiIdentity,
  DataScientistsGroup,
  FederatedSubject,
  federatedSubjects,
  GithubFederation,
  SecretsKey,
} from "../../components/identity";

export interface IdentityInputs {
  subscriptionId: pulumi.Input<string>;
  /** The serving resource group (from `declareServing`), also the deployer's to manage. */
  servingResourceGroupId?: pulumi.Input<string>;
  /**
   * The origin models are copied from (dev, for qa and prod alike), from its stack outputs: the
   * deployer may read its workspace and model storage, nothing more.
   */
  upstream?: { workspaceId: pulumi.Input<string>; storageAccountId?: pulumi.Input<string> };
  /** Object ids that own the CI application and the group (e.g. the platform team). */
  owners?: pulumi.Input<string>[];
}

export interface IdentityOutputs {
  ciClientId?: pulumi.Output<string>;
  ciServicePrincipalObjectId?: pulumi.Output<string>;
  ciFederatedSubjects?: string[];
  auditClientId?: pulumi.Output<string>;
  auditFederatedSubjects?: string[];
  /** `azurekeyvault://…` URL of the key that encrypts this stack's secrets. */
  secretsProvider?: pulumi.Output<string>;
  dataScientistsGroupObjectId?: pulumi.Output<string>;
}

/** Tenant-wide display names, salted with the subscription the stack deploys to. */
function namesFor(spec: EnvironmentSpec, subscriptionId: pulumi.Input<string>) {
  return pulumi.output(subscriptionId).apply((sub) => tenantNames({ project: spec.project, stack: spec.stack, prefix: spec.prefix, subscriptionId: sub }));
}

function adoFederation(spec: EnvironmentSpec, which: "deployer" | "audit"): AzureDevOpsFederation | undefined {
  const ado = spec.identity.azureDevOps;
  if (!ado?.organizationId) return undefined;
  const connection = ado[which];
  // The Entra issuer's subject ends with the connection id; without it there is no credential to make.
  if (ado.issuer === "entra" && !connection.id) return undefined;
  return {
    organization: ado.organization,
    organizationId: ado.organizationId,
    project: ado.project,
    issuer: ado.issuer,
    ...(ado.tenantId ? { tenantId: ado.tenantId } : {}),
    ...(ado.entraSubjectPrefix ? { entraSubjectPrefix: ado.entraSubjectPrefix } : {}),
    connection,
  };
}

export interface Federation {
  github?: GithubFederation;
  azureDevOps?: AzureDevOpsFederation;
}

/**
 * Who may sign in as the stack's deployer and as its audit identity, derived from the stack config
 * only: the single source the identity components and the CI definition tests both read.
 */
export function ciFederation(spec: EnvironmentSpec): { deployer?: Federation; audit?: Federation } {
  const { github, audit } = spec.identity;
  const deployerAdo = adoFederation(spec, "deployer");
  if (!github && !deployerAdo) return {};
  const auditAdo = adoFederation(spec, "audit");
  return {
    deployer: { ...(github ? { github } : {}), ...(deployerAdo ? { azureDevOps: deployerAdo } : {}) },
    ...(audit && (github || auditAdo)
      ? {
          audit: {
            ...(github ? { github: { repository: github.repository, environments: [audit.githubEnvironment], branches: [], pullRequests: false } } : {}),
            ...(auditAdo ? { azureDevOps: auditAdo } : {}),
          },
        }
      : {}),
  };
}

/** The federated credentials each identity of the stack gets. */
export function ciCredentials(spec: EnvironmentSpec): { deployer: FederatedSubject[]; audit: FederatedSubject[] } {
  const f = ciFederation(spec);
  return {
    deployer: f.deployer ? federatedSubjects(f.deployer.github, f.deployer.azureDevOps) : [],
    audit: f.audit ? federatedSubjects(f.audit.github, f.audit.azureDevOps) : [],
  };
}

/**
 * The environment's identities: a CI deployer (federated credentials only, rights on this
 * environment's resource groups, read-only on its promotion source), a read-only audit identity for
 * drift audits, the key that encrypts the stack's secrets, and the data scientists group when
 * enabled (AzureML Data Scientist on the dev workspace and Storage Blob Data Contributor on its
 * storage, Reader on qa and prod).
 */
export function declareIdentities(spec: EnvironmentSpec, core: MlWorkspace, inputs: IdentityInputs, opts?: pulumi.ComponentResourceOptions): IdentityOutputs {
  const base = logicalBase(spec);
  const out: IdentityOutputs = {};
  const { dataScientists } = spec.identity;
  const names = namesFor(spec, inputs.subscriptionId);
  const owners = inputs.owners ? { owners: inputs.owners } : {};
  const federation = ciFederation(spec);

  if (federation.deployer) {
    const secretsKey = new SecretsKey(`${base}-secrets`, { resourceGroupName: core.resourceGroupName, vaultName: core.keyVaultId.apply((id) => id.split("/").pop()!), tags: spec.tags }, opts);
    out.secretsProvider = secretsKey.secretsProvider;

    const ci = new CiIdentity(
      `${base}-ci`,
      {
        displayName: names.ciApplication,
        roleAssignerName: names.roleAssigner,
        subscriptionId: inputs.subscriptionId,
        ...federation.deployer,
        deployScopes: [
          { key: "rg", id: core.resourceGroupId },
          // Contributor would include listClusterAdminCredential and runCommand: the AKS admin path.
          ...(inputs.servingResourceGroupId ? [{ key: "serving-rg", id: inputs.servingResourceGroupId, excludeActions: AKS_ADMIN_PATH_ACTIONS }] : []),
        ],
        dataStorageAccountId: core.storageAccountId,
        secretsKeyId: secretsKey.keyId,
        ...(inputs.upstream ? { promotionSource: inputs.upstream } : {}),
        ...owners,
      },
      opts,
    );
    out.ciClientId = ci.clientId;
    out.ciServicePrincipalObjectId = ci.servicePrincipalObjectId;
    out.ciFederatedSubjects = ci.federatedSubjects;

    if (federation.audit) {
      const auditor = new AuditIdentity(
        `${base}-audit`,
        {
          displayName: names.auditApplication,
          subscriptionId: inputs.subscriptionId,
          ...federation.audit,
          readScopes: [
            { key: "rg", id: core.resourceGroupId },
            ...(inputs.servingResourceGroupId ? [{ key: "serving-rg", id: inputs.servingResourceGroupId }] : []),
          ],
          blobReadScopes: [{ key: "storage", id: core.storageAccountId }],
          secretsKeyId: secretsKey.keyId,
          graphRead: spec.identity.audit!.graphRead,
          ...owners,
        },
        opts,
      );
      out.auditClientId = auditor.clientId;
      out.auditFederatedSubjects = auditor.federatedSubjects;
    }
  }

  if (dataScientists) {
    const group = new DataScientistsGroup(
      `${base}-data-scientists`,
      {
        displayName: dataScientists.displayName ?? names.dataScientistsGroup,
        members: dataScientists.members,
        subscriptionId: inputs.subscriptionId,
        workspaceId: core.workspaceId,
        workspaceRole: dataScientists.workspaceRole,
        // Publishing and running from a local computer (dev only) uploads step code to the workspace storage.
        ...(dataScientists.dataStorageAccess ? { dataStorageAccountId: core.storageAccountId } : {}),
        ...owners,
      },
      opts,
    );
    out.dataScientistsGroupObjectId = group.objectId;
  }
  return out;
}
