import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import type { FederatedSubject } from "./ciIdentity";

/** Audience Entra expects in workload identity federation tokens. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export interface FederatedApplication {
  app: azuread.Application;
  sp: azuread.ServicePrincipal;
}

/**
 * An Entra application and its service principal that sign in only through the given federated
 * credentials: no password or certificate exists to leak. Children of `parent`, named `${name}-app`,
 * `${name}-sp` and `${name}-fic-<credential>`.
 */
export function federatedApplication(
  name: string,
  args: { displayName: pulumi.Input<string>; subjects: FederatedSubject[]; owners?: pulumi.Input<string>[] },
  parent: pulumi.Resource,
): FederatedApplication {
  const child = { parent };
  const owners = args.owners ? { owners: args.owners } : {};
  const app = new azuread.Application(
    `${name}-app`,
    { displayName: args.displayName, signInAudience: "AzureADMyOrg", preventDuplicateNames: true, ...owners },
    child,
  );
  const sp = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId, appRoleAssignmentRequired: false, ...owners }, child);
  for (const s of args.subjects) {
    new azuread.ApplicationFederatedIdentityCredential(
      `${name}-fic-${s.name}`,
      { applicationId: app.id, displayName: s.name, description: s.description, issuer: s.issuer, subject: s.subject, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
      child,
    );
  }
  return { app, sp };
}
