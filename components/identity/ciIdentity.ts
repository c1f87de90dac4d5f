import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { createHash } from "node:crypto";
import { BuiltInRole, builtInRoles, deterministicGuid, roleDefinitionId } from "../authorization/roles";

import { federatedApplication } from "./federatedApp";
export { TOKEN_EXCHANGE_AUDIENCE } from "./federatedApp";
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

export interface FederatedSubject {
  /** Credential name, unique within the application (3–120 of `[A-Za-z0-9_-]`). */
  name: string;
  issuer: string;
  /** Exact subject claim: no wildcards (Entra matches it literally; CKV_AZURE_249). */
  subject: string;
  description: string;
}

export interface GithubFederation {
  /** `owner/repo`. */
  repository: string;
  /** GitHub environments whose jobs may sign in. */
  environments: string[];
  /** Branches whose jobs (without an environment) may sign in. */
  branches: string[];
  /** Whether pull-request jobs may sign in. */
  pullRequests: boolean;
}

/** Which issuer an Azure DevOps service connection's tokens come from (see `azureDevOpsSubject`). */
export type AzureDevOpsIssuer = "entra" | "azureDevOps";

export interface AzureDevOpsFederation {
  organization: string;
  /** Organization GUID. */
  organizationId: string;
  project: string;
  /**
   * `entra` (default for connections created since 2025): issuer `https://login.microsoftonline.com/<tenant>/v2.0`,
   * subject `<entra prefix>/sc/<organization id>/<connection id>`. `azureDevOps`: the retiring issuer
   * `https://vstoken.dev.azure.com/<organization id>`, subject `sc://<org>/<project>/<connection>`
   * (retires 2027-07-01). Source: Azure DevOps docs, "Troubleshoot workload identity service
   * connections" (issuer table) and "Convert service connections from the Azure DevOps issuer to the
   * Microsoft Entra issuer".
   */
  issuer: AzureDevOpsIssuer;
  /** Entra tenant of the identity; required for the Entra issuer. */
  tenantId?: string;
  /** The `/eid1/c/pub/t/…/a/…` part Azure DevOps shows before `/sc/`; required for the Entra issuer. */
  entraSubjectPrefix?: string;
  connection: { name: string; id?: string };
}

/** Issuer and subject of one Azure DevOps service connection's federated credential. */
export function azureDevOpsSubject(ado: AzureDevOpsFederation): { issuer: string; subject: string } {
  if (ado.issuer === "azureDevOps") {
    return { issuer: `https://vstoken.dev.azure.com/${ado.organizationId}`, subject: `sc://${ado.organization}/${ado.project}/${ado.connection.name}` };
  }
  const missing = [!ado.tenantId && "tenantId", !ado.entraSubjectPrefix && "entraSubjectPrefix", !ado.connection.id && "connection id"].filter(Boolean);
  if (missing.length > 0) throw new Error(`Azure DevOps connection ${ado.connection.name}: the Entra issuer needs ${missing.join(", ")}`);
  return {
    issuer: `https://login.microsoftonline.com/${ado.tenantId}/v2.0`,
    subject: `${ado.entraSubjectPrefix}/sc/${ado.organizationId}/${ado.connection.id}`,
  };
}

/** The federated subjects for GitHub Actions and an Azure DevOps service connection, pinned exactly. */
export function federatedSubjects(github?: GithubFederation, azureDevOps?: AzureDevOpsFederation): FederatedSubject[] {
  const subjects: FederatedSubject[] = [];
  if (github) {
    const repo = github.repository;
    for (const env of github.environments) {
      subjects.push({ name: credentialName("github-env", env), issuer: GITHUB_ISSUER, subject: `repo:${repo}:environment:${env}`, description: `GitHub Actions, environment ${env}` });
    }
    for (const branch of github.branches) {
      subjects.push({ name: credentialName("github-branch", branch), issuer: GITHUB_ISSUER, subject: `repo:${repo}:ref:refs/heads/${branch}`, description: `GitHub Actions, branch ${branch}` });
    }
    if (github.pullRequests) {
      subjects.push({ name: "github-pull-request", issuer: GITHUB_ISSUER, subject: `repo:${repo}:pull_request`, description: "GitHub Actions, pull requests" });
    }
  }
  if (azureDevOps) {
    const { organization, project, connection } = azureDevOps;
    subjects.push({
      name: credentialName("azure-devops", connection.name),
      ...azureDevOpsSubject(azureDevOps),
      description: `Azure DevOps service connection ${organization}/${project}/${connection.name}`,
    });
  }
  return subjects;
}

/** A valid credential name; a value that had to be changed gets a hash so two values never collide. */
function credentialName(prefix: string, value: string): string {
  const clean = value.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  const name = `${prefix}-${clean}`;
  const exact = clean === value && name.length <= 120;
  if (exact) return name;
  const hash = createHash("sha256").update(value, "utf8").digest("hex").slice(0, 8);
  return `${name.slice(0, 110).replace(/-+$/, "")}-${hash}`;
}

export interface CiIdentityArgs {
  /** Entra application display name: unique in the tenant (`shared/naming` tenantNames). */
  displayName: pulumi.Input<string>;
  /** The constrained role-assigner custom role's name: unique in the tenant. */
  roleAssignerName: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  github?: GithubFederation;
  azureDevOps?: AzureDevOpsFederation;
  /**
   * The environment's own resource groups: the deployer manages resources and grants roles there,
   * and nowhere else.
   */
  deployScopes: {
    key: string;
    id: pulumi.Input<string>;
    /**
     * Contributor minus these actions (a custom role scoped to this group), e.g. the AKS admin path
     * (`AKS_ADMIN_PATH_ACTIONS`) on the serving group. Absent: built-in Contributor.
     */
    excludeActions?: string[];
  }[];
  /**
   * The environment's own storage account: the deployer writes blobs there (pipeline code snapshots,
   * promoted model files), which Contributor (control plane only) does not allow.
   */
  dataStorageAccountId?: pulumi.Input<string>;
  /** Read-only access to the environment models are promoted from (qa ← dev, prod ← qa). */
  /** The origin: its workspace, and its storage when model files are copied from it (copy strategy). */
  promotionSource?: { workspaceId: pulumi.Input<string>; storageAccountId?: pulumi.Input<string> };
  /** Object ids of the application's owners. */
  owners?: pulumi.Input<string>[];
  /**
   * The Key Vault key that encrypts the stack's secrets (`azurekeyvault://` secrets provider): the
   * deployer encrypts and decrypts with it (Key Vault Crypto User on the key only).
   */
  secretsKeyId?: pulumi.Input<string>;
}

/** All the custom role allows: managing role assignments (and reading them). */
const ROLE_ASSIGNER_ACTIONS = [
  "Microsoft.Authorization/roleAssignments/read",
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleAssignments/delete",
];

/** Roles the deployer may never hand out, even within its own resource groups. */
const PRIVILEGED_ROLES: BuiltInRole[] = ["Owner", "UserAccessAdministrator", "RoleBasedAccessControlAdministrator"];

/**
 * Azure ABAC condition for constrained delegation: role assignments may be written and deleted except
 * for the privileged roles, so the deployer can grant workload identities their data roles but can
 * never make anyone (itself included) an owner or an access administrator, nor pass its own
 * role-assigner role on (`alsoForbidden`).
 */
export function constrainedDelegationCondition(alsoForbidden: string[] = []): string {
  const guids = [...PRIVILEGED_ROLES.map((r) => builtInRoles[r]), ...alsoForbidden].join(", ");
  return [
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${guids}}))`,
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${guids}}))`,
  ].join(" AND ");
}

/**
 * Built-in Contributor's NotActions (MS Learn, "Azure built-in roles for Privileged", Contributor),
 * kept by a Contributor-like custom role so it grants no more than Contributor.
 */
export const CONTRIBUTOR_NOT_ACTIONS = [
  "Microsoft.Authorization/*/Delete",
  "Microsoft.Authorization/*/Write",
  "Microsoft.Authorization/elevateAccess/Action",
  "Microsoft.Blueprint/blueprintAssignments/write",
  "Microsoft.Blueprint/blueprintAssignments/delete",
  "Microsoft.Compute/galleries/share/action",
  "Microsoft.Purview/consents/write",
  "Microsoft.Purview/consents/delete",
  "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
];

/**
 * The AKS operations that bypass Entra ID sign-in: the static cluster-admin kubeconfig (local
 * accounts stay on for the Azure ML extension), the legacy access-profile credential, and Command
 * Invoke (MS Learn, "Azure permissions for Containers": Microsoft.ContainerService operations).
 */
export const AKS_ADMIN_PATH_ACTIONS = [
  "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
  "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
  "Microsoft.ContainerService/managedClusters/runCommand/action",
];

/**
 * A CI/CD deployer for one environment: an Entra application and service principal that sign in
 * only through federated credentials (no client secret exists to leak), with Contributor and a
 * constrained role-assigner role on the environment's own resource groups, and read-only access
 * to the workspace and storage it promotes models from.
 */
export class CiIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly applicationObjectId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  readonly federatedSubjects: string[];

  constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:identity:CiIdentity", name, {}, opts);
    const child = { parent: this };
    const subjects = federatedSubjects(args.github, args.azureDevOps);
    if (subjects.length === 0) throw new Error(`CiIdentity ${name}: at least one federated subject (GitHub or Azure DevOps) is required`);

    const { app, sp } = federatedApplication(name, { displayName: args.displayName, subjects, ...(args.owners ? { owners: args.owners } : {}) }, this);

    const assign = (
      key: string,
      scope: pulumi.Input<string>,
      role: pulumi.Input<string>,
      roleKey: string,
      extra: Partial<authorization.RoleAssignmentArgs> = {},
      after: pulumi.Resource[] = [],
    ) =>
      new authorization.RoleAssignment(
        `${name}-${key}`,
        {
          roleAssignmentName: pulumi.all([scope, sp.objectId]).apply(([s, p]) => deterministicGuid(s, p, roleKey)),
          scope,
          principalId: sp.objectId,
          principalType: authorization.PrincipalType.ServicePrincipal,
          roleDefinitionId: role,
          ...extra,
        },
        { parent: this, dependsOn: after },
      );
    const grant = (key: string, scope: pulumi.Input<string>, role: BuiltInRole, extra: Partial<authorization.RoleAssignmentArgs> = {}) =>
      assign(key, scope, roleDefinitionId(args.subscriptionId, role), role, extra);

    // The stack grants its workload identities their roles, so the deployer must write role
    // assignments: a custom role that does only that, usable only in this environment's groups,
    // and constrained so it can never hand out Owner or access-administration roles.
    // Keyed by the logical name, not the display name, so renaming the role keeps its id.
    const assignerGuid = pulumi.output(args.subscriptionId).apply((sub) => deterministicGuid(sub, name, "role-assigner"));
    const assigner =
      args.deployScopes.length > 0
        ? new authorization.RoleDefinition(
            `${name}-role-assigner`,
            {
              roleDefinitionId: assignerGuid,
              roleName: args.roleAssignerName,
              description: "Writes and deletes role assignments in one environment's resource groups (constrained: never privileged roles)",
              scope: args.deployScopes[0].id,
              assignableScopes: args.deployScopes.map((d) => d.id),
              permissions: [{ actions: ROLE_ASSIGNER_ACTIONS }],
            },
            child,
          )
        : undefined;

    for (const scope of args.deployScopes) {
      if (scope.excludeActions && scope.excludeActions.length > 0) {
        const guid = pulumi.all([args.subscriptionId, scope.id, args.displayName]).apply(([sub, id, display]) => deterministicGuid(sub, id, display, "deployer"));
        const role = new authorization.RoleDefinition(
          `${name}-${scope.key}-deployer-role`,
          {
            roleDefinitionId: guid,
            roleName: pulumi.interpolate`${args.displayName} ${scope.key} deployer`,
            description: "Contributor without the listed actions (no cluster-admin credentials, no Command Invoke)",
            scope: scope.id,
            assignableScopes: [scope.id],
            permissions: [{ actions: ["*"], notActions: [...CONTRIBUTOR_NOT_ACTIONS, ...scope.excludeActions] }],
          },
          child,
        );
        const roleId = pulumi.all([args.subscriptionId, guid]).apply(([sub, g]) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${g}`);
        assign(`${scope.key}-deployer`, scope.id, roleId, "deployer", { description: "Deploys the serving resources; cannot fetch cluster-admin credentials or run commands" }, [role]);
      } else {
        grant(`${scope.key}-contributor`, scope.id, "Contributor");
      }
      // Custom role ids are subscription-level, whatever scope defined them.
      const assignerId = pulumi.all([args.subscriptionId, assignerGuid]).apply(
        ([sub, guid]) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      );
      assign(`${scope.key}-role-assigner`, scope.id, assignerId, "role-assigner", {
        condition: assignerGuid.apply((guid) => constrainedDelegationCondition([guid])),
        conditionVersion: "2.0",
        description: "Grants workload identities their roles; never Owner or access administration",
      }, [assigner!]);
    }
    if (args.dataStorageAccountId) {
      grant("storage-blob-contributor", args.dataStorageAccountId, "StorageBlobDataContributor", { description: "Uploads pipeline code and promoted model files" });
    }
    if (args.secretsKeyId) {
      grant("secrets-key-crypto-user", args.secretsKeyId, "KeyVaultCryptoUser", { description: "Encrypts and decrypts the stack's secrets (azurekeyvault:// secrets provider)" });
    }
    if (args.promotionSource) {
      grant("promotion-source-workspace-reader", args.promotionSource.workspaceId, "Reader", { description: "Reads approved models to promote" });
      if (args.promotionSource.storageAccountId) grant("promotion-source-blob-reader", args.promotionSource.storageAccountId, "StorageBlobDataReader", { description: "Copies approved model files server-side" });
    }

    this.clientId = app.clientId;
    this.applicationObjectId = app.objectId;
    this.servicePrincipalObjectId = sp.objectId;
    this.federatedSubjects = subjects.map((s) => s.subject);
    this.registerOutputs({ clientId: this.clientId, servicePrincipalObjectId: this.servicePrincipalObjectId, federatedSubjects: this.federatedSubjects });
  }
}
