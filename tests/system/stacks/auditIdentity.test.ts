import type { PlanDocument } from "../../../shared/plan";
import { planJson } from "../../support/plans";
import { builtInRoles } from "../../../components/authorization/roles";
import { azureDevOpsSubject, GRAPH_READ_ROLES } from "../../../components/identity";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { InputError } from "../../../shared/errors";
import { ciCredentials } from "../../../infra/stack/identity";
import { REPO } from "../../support/plans";

let qa: PlanDocument;
beforeAll(async () => {
  qa = await planJson("qa");
}, 120_000);

const roleOf = (id: unknown) => Object.entries(builtInRoles).find(([, guid]) => guid === String(id).split("/").pop())?.[0] ?? "custom";

test("qa's audit identity can read everything a refresh reads, and change nothing", () => {
  const audit = qa.resources.find((r) => r.type === "mlops:identity:AuditIdentity")!;
  expect(audit).toBeDefined();
  const children = qa.resources.filter((r) => r.parent === audit.urn);
  const grants = children
    .filter((r) => r.type === "azure-native:authorization:RoleAssignment")
    .map((r) => `${roleOf(r.inputs.roleDefinitionId)}@${String(r.inputs.scope).split("/").slice(-2).join("/")}`)
    .sort();
  expect(grants).toEqual(
    [
      expect.stringMatching(/^Reader@resourceGroups\/rg-mlops-qa/),
      expect.stringMatching(/^Reader@resourceGroups\/rg-mlops-qa-serving/),
      expect.stringMatching(/^StorageBlobDataReader@storageAccounts\//),
      "KeyVaultCryptoUser@keys/pulumi-state",
    ].sort((a, b) => String(a).localeCompare(String(b))),
  );
  for (const g of grants) expect(g).not.toMatch(/Contributor|Owner|Administrator/);
  const graph = children.filter((r) => r.type === "azuread:index/appRoleAssignment:AppRoleAssignment").map((r) => r.inputs.appRoleId);
  expect(graph.sort()).toEqual(Object.values(GRAPH_READ_ROLES).sort());
  const fic = children.filter((r) => r.type.includes("FederatedIdentityCredential")).map((r) => r.inputs.subject);
  expect(fic).toEqual(["repo:contoso/mlops-azure:environment:audit-qa"]);
});

test("the deployer and the audit identity may decrypt the stack's secrets key, and the stack exports its secrets provider", () => {
  const crypto = qa.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && roleOf(r.inputs.roleDefinitionId) === "KeyVaultCryptoUser");
  expect(crypto).toHaveLength(2);
  const key = qa.resources.find((r) => r.type === "azure-native:keyvault:Key")!;
  expect(key.inputs).toMatchObject({ keyName: "pulumi-state", properties: { kty: "RSA", keyOps: ["encrypt", "decrypt"] } });
  expect(qa.outputs.secretsProvider).toMatch(/^azurekeyvault:\/\/kv-mlops-qa-[0-9a-f]+\.vault\.azure\.net\/keys\/pulumi-state$/);
});

test("Entra display names are tenant-unique: salted, not just prefix and stack", () => {
  const names = qa.resources.filter((r) => r.type === "azuread:index/application:Application").map((r) => String(r.inputs.displayName));
  expect(names.sort()).toEqual([expect.stringMatching(/^mlops-qa-audit-[0-9a-f]{6}$/), expect.stringMatching(/^mlops-qa-ci-[0-9a-f]{6}$/)]);
  // Custom role names are tenant-wide too: every one the stack defines carries the salt.
  const roles = qa.resources.filter((r) => r.type === "azure-native:authorization:RoleDefinition").map((r) => String(r.inputs.roleName));
  expect(roles).toEqual(expect.arrayContaining([expect.stringMatching(/^mlops-qa-ci-[0-9a-f]{6} role assigner$/), expect.stringMatching(/^mlops-qa-[0-9a-f]{6} model approval recorder$/)]));
  for (const name of roles) expect(name).toMatch(/-[0-9a-f]{6}[ -]/);
});

describe("Azure DevOps federated credentials", () => {
  const base = { organization: "contoso", organizationId: "0b6f0a2e-1111-4222-8333-944445555666", project: "ml" };
  it("use the Microsoft Entra issuer and '<prefix>/sc/<org id>/<connection id>' by default", () => {
    expect(
      azureDevOpsSubject({ ...base, issuer: "entra", tenantId: "72f988bf-0000-4000-8000-000000000001", entraSubjectPrefix: "/eid1/c/pub/t/abc/a/def", connection: { name: "mlops-qa", id: "8d6f1a40-0000-4000-8000-000000000002" } }),
    ).toEqual({
      issuer: "https://login.microsoftonline.com/72f988bf-0000-4000-8000-000000000001/v2.0",
      subject: "/eid1/c/pub/t/abc/a/def/sc/0b6f0a2e-1111-4222-8333-944445555666/8d6f1a40-0000-4000-8000-000000000002",
    });
  });
  it("use the retiring vstoken issuer and sc:// subject only when asked", () => {
    expect(azureDevOpsSubject({ ...base, issuer: "azureDevOps", connection: { name: "mlops-qa" } })).toEqual({
      issuer: "https://vstoken.dev.azure.com/0b6f0a2e-1111-4222-8333-944445555666",
      subject: "sc://contoso/ml/mlops-qa",
    });
  });

  const specWith = (ado: Record<string, unknown>) => {
    const files = readStackConfigFiles({ projectDir: REPO, stack: "qa" });
    return buildEnvironmentSpec({ project: files.project, stack: "qa", config: { ...files.config, "mlops:identity": JSON.stringify({ azureDevOps: ado }) }, sources: files.sources, defaultFile: files.file });
  };
  it("the connection names the pipelines use (mlops-<stack>, -audit) are the spec's defaults", () => {
    const spec = specWith({ ...base, issuer: "azureDevOps" });
    expect(ciCredentials(spec).deployer.map((s) => s.subject)).toEqual(["sc://contoso/ml/mlops-qa"]);
    expect(ciCredentials(spec).audit.map((s) => s.subject)).toEqual(["sc://contoso/ml/mlops-qa-audit"]);
  });
  it("config for the Entra issuer must name tenant, subject prefix and connection id, all problems at once", () => {
    let err: unknown;
    try {
      specWith(base);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const paths = (err as InputError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(["mlops:identity.azureDevOps.entraSubjectPrefix", "mlops:identity.azureDevOps.serviceConnectionId", "mlops:identity.azureDevOps.tenantId"]);
  });
});
