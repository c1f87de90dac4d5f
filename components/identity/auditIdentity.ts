import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { BuiltInRole, grantRole } from "../authorization/roles";
import { AzureDevOpsFederation, federatedSubjects, GithubFederation } from "./ciIdentity";
import { federatedApplication } from "./federatedApp";

/** Microsoft Graph's application id, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/**
 * Graph application permissions a refresh of the stack's `azuread` resources needs (Microsoft Graph
 * permissions reference): applications, service principals, federated credentials and app role
 * assignments are read with Application.Read.All, groups and their members with Group.Read.All.
 */
export const GRAPH_READ_ROLES = {
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
  "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
} as const;

export interface AuditIdentityArgs {
  /** Entra application display name: unique in the tenant (`shared/naming` tenantNames). */
  displayName: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  github?: GithubFederation;
  azureDevOps?: AzureDevOpsFederation;
  /** Resource groups whose resources a refresh reads through ARM (Reader). */
  readScopes: { key: string; id: pulumi.Input<string> }[];
  /**
   * Storage accounts whose blobs a refresh lists: promoted models compare the files in the target
   * folder (Storage Blob Data Reader; Reader alone cannot list blobs with Entra auth).
   */
  blobReadScopes: { key: string; id: pulumi.Input<string> }[];
  /** The key that decrypts the stack's secrets: a preview of the stack decrypts its state. */
  secretsKeyId?: pulumi.Input<string>;
  /** Grant Microsoft Graph read so the azuread resources refresh (needs admin consent to apply). */
  graphRead: boolean;
  owners?: pulumi.Input<string>[];
}

/**
 * The identity the nightly drift audit signs in as: federated credentials only, and exactly what a
 * `pulumi preview --refresh` of every resource type in the stack reads — Reader on the stack's
 * resource groups, blob listing on its storage, decrypt on its secrets key and Graph read for its
 * Entra objects. It can change nothing.
 */
export class AuditIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  readonly federatedSubjects: string[];
  /** Role names granted, for review (`Reader@rg`, `Application.Read.All@graph`, …). */
  readonly grants: string[];

  constructor(name: string, args: AuditIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:identity:AuditIdentity", name, {}, opts);
    const subjects = federatedSubjects(args.github, args.azureDevOps);
    if (subjects.length === 0) throw new Error(`AuditIdentity ${name}: at least one federated subject (GitHub or Azure DevOps) is required`);
    const { app, sp } = federatedApplication(name, { displayName: args.displayName, subjects, ...(args.owners ? { owners: args.owners } : {}) }, this);

    const grants: string[] = [];
    const grant = (key: string, scope: pulumi.Input<string>, role: BuiltInRole, description: string) => {
      grants.push(`${role}@${key}`);
      grantRole(`${name}-${key}-${role.toLowerCase()}`, { scope, principalId: sp.objectId, role, subscriptionId: args.subscriptionId, description }, { parent: this });
    };
    for (const s of args.readScopes) grant(s.key, s.id, "Reader", "Drift audit: reads every resource of the group (refresh)");
    for (const s of args.blobReadScopes) grant(s.key, s.id, "StorageBlobDataReader", "Drift audit: lists promoted model files (refresh)");
    if (args.secretsKeyId) grant("secrets-key", args.secretsKeyId, "KeyVaultCryptoUser", "Drift audit: decrypts the stack's secrets to preview it");

    if (args.graphRead) {
      const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, { parent: this });
      for (const [permission, appRoleId] of Object.entries(GRAPH_READ_ROLES)) {
        grants.push(`${permission}@graph`);
        new azuread.AppRoleAssignment(
          `${name}-graph-${permission.toLowerCase().replace(/\./g, "-")}`,
          { appRoleId, principalObjectId: sp.objectId, resourceObjectId: graph.objectId },
          { parent: this },
        );
      }
    }

    this.clientId = app.clientId;
    this.servicePrincipalObjectId = sp.objectId;
    this.federatedSubjects = subjects.map((s) => s.subject);
    this.grants = grants;
    this.registerOutputs({ clientId: this.clientId, servicePrincipalObjectId: this.servicePrincipalObjectId, federatedSubjects: this.federatedSubjects });
  }
}
