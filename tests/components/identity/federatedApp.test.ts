/** federatedApplication under the Pulumi mocks: an Entra app that signs in only through exactly pinned federated credentials. */
import * as pulumi from "@pulumi/pulumi";
import { federatedApplication, TOKEN_EXCHANGE_AUDIENCE } from "../../../components/identity/federatedApp";
import type { PlanResource } from "../../../shared/plan";
import { recordDeclarations } from "../../support/declarations";
import { childrenOf, component, FEDERATED_CREDENTIAL } from "./grants";

const APP = "azuread:index/application:Application";
const SP = "azuread:index/servicePrincipal:ServicePrincipal";

const subjects = [
  { name: "github-env-qa", issuer: "https://token.actions.githubusercontent.com", subject: "repo:contoso/mlops:environment:qa", description: "GitHub Actions, environment qa" },
  { name: "azure-devops-mlops-qa", issuer: "https://vstoken.dev.azure.com/0000aaaa-0000-4000-8000-000000000000", subject: "sc://contoso/mlops/mlops-qa", description: "Azure DevOps" },
];

let all: PlanResource[];
let parent: PlanResource;
beforeAll(async () => {
  all = await recordDeclarations(() => {
    const host = new pulumi.ComponentResource("test:identity:Host", "host");
    federatedApplication("qa-ci", { displayName: "mlops-qa-ci-1a2b3c", subjects, owners: ["owner-object-id"] }, host);
  });
  parent = component(all, "test:identity:Host", "host");
});

test("the application is single-tenant, its display name may not already exist in the tenant, and it has the given owners", () => {
  const [app] = childrenOf(all, parent, APP);
  expect(app.name).toBe("qa-ci-app");
  expect(app.inputs).toMatchObject({ displayName: "mlops-qa-ci-1a2b3c", signInAudience: "AzureADMyOrg", preventDuplicateNames: true, owners: ["owner-object-id"] });
  const [sp] = childrenOf(all, parent, SP);
  expect(sp.inputs).toMatchObject({ appRoleAssignmentRequired: false, owners: ["owner-object-id"] });
});

test("one federated credential per subject, with its issuer and exact subject, for the token-exchange audience only", () => {
  const credentials = childrenOf(all, parent, FEDERATED_CREDENTIAL).map((r) => ({ name: r.name, ...r.inputs }));
  expect(credentials).toHaveLength(2);
  for (const s of subjects) {
    expect(credentials).toContainEqual(
      expect.objectContaining({ name: `qa-ci-fic-${s.name}`, displayName: s.name, issuer: s.issuer, subject: s.subject, audiences: [TOKEN_EXCHANGE_AUDIENCE] }),
    );
  }
  expect(TOKEN_EXCHANGE_AUDIENCE).toBe("api://AzureADTokenExchange");
});

test("no password or certificate credential exists: federation is the only way in", () => {
  const declared = all.map((r) => r.type);
  expect(declared.filter((t) => /Password|Certificate/i.test(t))).toEqual([]);
  expect(childrenOf(all, parent, APP)).toHaveLength(1);
  expect(childrenOf(all, parent, SP)).toHaveLength(1);
});
