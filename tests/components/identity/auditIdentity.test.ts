/**
 * AuditIdentity under the Pulumi mocks: the drift audit's identity reads and decrypts, and can
 * change nothing: exactly Reader, blob reading, key decrypting and (when asked) Graph read.
 */
import { AuditIdentity, GRAPH_READ_ROLES, TOKEN_EXCHANGE_AUDIENCE } from "../../../components/identity";
import type { PlanResource } from "../../../shared/plan";
import { recordDeclarations, SUBSCRIPTION } from "../../support/declarations";
import { childrenOf, component, FEDERATED_CREDENTIAL, grantsOf, ROLE_ASSIGNMENT } from "./grants";

const APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment";
const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-qa`;
const SERVING = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-qa-serving`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/stmlopsqa`;
const KEY = `${RG}/providers/Microsoft.KeyVault/vaults/kv-mlops-qa/keys/pulumi-state`;
const ADO = {
  organization: "contoso",
  organizationId: "0000aaaa-0000-4000-8000-000000000000",
  project: "mlops",
  issuer: "azureDevOps" as const,
  connection: { name: "mlops-qa-audit" },
};

let all: PlanResource[];
let audit: PlanResource;
let withoutGraph: PlanResource;
let grants: string[];
beforeAll(async () => {
  all = await recordDeclarations(() => {
    grants = new AuditIdentity("qa-audit", {
      displayName: "mlops-qa-audit-1a2b3c",
      subscriptionId: SUBSCRIPTION,
      azureDevOps: ADO,
      readScopes: [{ key: "main", id: RG }, { key: "serving", id: SERVING }],
      blobReadScopes: [{ key: "storage", id: STORAGE }],
      secretsKeyId: KEY,
      graphRead: true,
    }).grants;
    new AuditIdentity("dev-audit", {
      displayName: "mlops-dev-audit-1a2b3c",
      subscriptionId: SUBSCRIPTION,
      github: { repository: "contoso/mlops", environments: ["audit"], branches: [], pullRequests: false },
      readScopes: [{ key: "main", id: RG }],
      blobReadScopes: [],
      graphRead: false,
    });
  });
  audit = component(all, "mlops:identity:AuditIdentity", "qa-audit");
  withoutGraph = component(all, "mlops:identity:AuditIdentity", "dev-audit");
});

test("it holds exactly Reader on the groups, blob read on the storage and crypto use on the secrets key: nothing that writes", () => {
  expect(grantsOf(all, audit)).toEqual([`KeyVaultCryptoUser@${KEY}`, `Reader@${RG}`, `Reader@${SERVING}`, `StorageBlobDataReader@${STORAGE}`].sort());
  expect(grantsOf(all, withoutGraph)).toEqual([`Reader@${RG}`]);
  for (const a of childrenOf(all, audit, ROLE_ASSIGNMENT)) expect(a.inputs.principalType).toBe("ServicePrincipal");
});

test("Graph read is the two read-only application roles on Microsoft Graph, and only when asked", () => {
  const graph = childrenOf(all, audit, APP_ROLE_ASSIGNMENT).map((r) => r.inputs.appRoleId).sort();
  expect(graph).toEqual([GRAPH_READ_ROLES["Application.Read.All"], GRAPH_READ_ROLES["Group.Read.All"]].sort());
  expect(GRAPH_READ_ROLES).toEqual({ "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b" });
  expect(childrenOf(all, withoutGraph, APP_ROLE_ASSIGNMENT)).toEqual([]);
  expect(grants).toEqual(["Reader@main", "Reader@serving", "StorageBlobDataReader@storage", "KeyVaultCryptoUser@secrets-key", "Application.Read.All@graph", "Group.Read.All@graph"]);
});

test("it signs in only through the Azure DevOps connection's federated credential", () => {
  const credentials = childrenOf(all, audit, FEDERATED_CREDENTIAL).map((r) => r.inputs);
  expect(credentials).toEqual([
    expect.objectContaining({ issuer: "https://vstoken.dev.azure.com/0000aaaa-0000-4000-8000-000000000000", subject: "sc://contoso/mlops/mlops-qa-audit", audiences: [TOKEN_EXCHANGE_AUDIENCE] }),
  ]);
});

test("its application's display name is the tenant-unique one given, and no duplicate may exist", () => {
  const [app] = childrenOf(all, audit, "azuread:index/application:Application");
  expect(app.inputs).toMatchObject({ displayName: "mlops-qa-audit-1a2b3c", preventDuplicateNames: true });
});
