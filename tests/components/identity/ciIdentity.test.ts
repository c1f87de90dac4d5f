/**
 * CiIdentity under the Pulumi mocks: the deployer signs in only through pinned federated
 * credentials and holds exactly the roles listed, each on its own scope (least privilege).
 */
import {
  AKS_ADMIN_PATH_ACTIONS,
  CiIdentity,
  CONTRIBUTOR_NOT_ACTIONS,
  federatedSubjects,
  GITHUB_ISSUER,
  TOKEN_EXCHANGE_AUDIENCE,
} from "../../../components/identity";
import { builtInRoles } from "../../../components/authorization/roles";
import type { PlanResource } from "../../../shared/plan";
import { recordDeclarations, SUBSCRIPTION } from "../../support/declarations";
import { childrenOf, component, FEDERATED_CREDENTIAL, grantsOf, ROLE_ASSIGNMENT, ROLE_DEFINITION, roleName } from "./grants";

const rg = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;
const RG = rg("rg-mlops-qa");
const SERVING = rg("rg-mlops-qa-serving");
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/stmlopsqa`;
const KEY = `${RG}/providers/Microsoft.KeyVault/vaults/kv-mlops-qa/keys/pulumi-state`;
const SOURCE_WS = `${rg("rg-mlops-dev")}/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-dev`;
const SOURCE_STORAGE = `${rg("rg-mlops-dev")}/providers/Microsoft.Storage/storageAccounts/stmlopsdev`;

let all: PlanResource[];
let ci: PlanResource;
let noSubjects: unknown;
beforeAll(async () => {
  all = await recordDeclarations(() => {
    new CiIdentity("qa-ci", {
      displayName: "mlops-qa-ci-1a2b3c",
      roleAssignerName: "mlops-qa-role-assigner-1a2b3c",
      subscriptionId: SUBSCRIPTION,
      github: { repository: "contoso/mlops", environments: ["qa"], branches: ["main"], pullRequests: false },
      deployScopes: [{ key: "main", id: RG }, { key: "serving", id: SERVING, excludeActions: AKS_ADMIN_PATH_ACTIONS }],
      dataStorageAccountId: STORAGE,
      promotionSource: { workspaceId: SOURCE_WS, storageAccountId: SOURCE_STORAGE },
      secretsKeyId: KEY,
    });
    try {
      new CiIdentity("empty-ci", { displayName: "x", roleAssignerName: "y", subscriptionId: SUBSCRIPTION, deployScopes: [] });
    } catch (err) {
      noSubjects = err;
    }
  });
  ci = component(all, "mlops:identity:CiIdentity", "qa-ci");
});

const definitions = () => childrenOf(all, ci, ROLE_DEFINITION);
const assignerDefinition = () => definitions().find((d) => d.name === "qa-ci-role-assigner")!;
const deployerDefinition = () => definitions().find((d) => d.name === "qa-ci-serving-deployer-role")!;

test("federated credentials: GitHub's issuer, the exact environment and branch subjects, the token-exchange audience", () => {
  const credentials = childrenOf(all, ci, FEDERATED_CREDENTIAL).map((r) => r.inputs);
  expect(credentials.map((c) => c.subject).sort()).toEqual(["repo:contoso/mlops:environment:qa", "repo:contoso/mlops:ref:refs/heads/main"]);
  for (const c of credentials) expect(c).toMatchObject({ issuer: GITHUB_ISSUER, audiences: [TOKEN_EXCHANGE_AUDIENCE] });
  expect(GITHUB_ISSUER).toBe("https://token.actions.githubusercontent.com");
});

test("the roles are exactly these, each on its own scope: nothing beyond the list", () => {
  const assigner = `custom:${assignerDefinition().inputs.roleDefinitionId}`;
  const deployer = `custom:${deployerDefinition().inputs.roleDefinitionId}`;
  expect(grantsOf(all, ci)).toEqual(
    [
      `Contributor@${RG}`,
      `${assigner}@${RG}`,
      `${deployer}@${SERVING}`,
      `${assigner}@${SERVING}`,
      `StorageBlobDataContributor@${STORAGE}`,
      `KeyVaultCryptoUser@${KEY}`,
      `Reader@${SOURCE_WS}`,
      `StorageBlobDataReader@${SOURCE_STORAGE}`,
    ].sort(),
  );
  for (const a of childrenOf(all, ci, ROLE_ASSIGNMENT)) expect(a.inputs.principalType).toBe("ServicePrincipal");
});

test("custom roles are referenced by their subscription-level definition id", () => {
  for (const a of childrenOf(all, ci, ROLE_ASSIGNMENT)) {
    expect(String(a.inputs.roleDefinitionId)).toMatch(new RegExp(`^/subscriptions/${SUBSCRIPTION}/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$`));
  }
});

test("the role assigner only manages role assignments, in the environment's groups, and may never hand out privileged roles or itself", () => {
  const def = assignerDefinition();
  expect(def.inputs).toMatchObject({
    roleName: "mlops-qa-role-assigner-1a2b3c",
    assignableScopes: [RG, SERVING],
    permissions: [{ actions: ["Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete"] }],
  });
  const assignments = childrenOf(all, ci, ROLE_ASSIGNMENT).filter((a) => roleName(a.inputs.roleDefinitionId) === `custom:${def.inputs.roleDefinitionId}`);
  expect(assignments).toHaveLength(2);
  for (const a of assignments) {
    expect(a.inputs.conditionVersion).toBe("2.0");
    const condition = String(a.inputs.condition);
    for (const guid of [builtInRoles.Owner, builtInRoles.UserAccessAdministrator, builtInRoles.RoleBasedAccessControlAdministrator, String(def.inputs.roleDefinitionId)]) {
      expect(condition).toContain(guid);
    }
    expect(condition).toContain("GuidNotEquals");
  }
});

test("the serving deployer is Contributor without the AKS admin path, assignable only on the serving group, named after the tenant-unique display name", () => {
  expect(deployerDefinition().inputs).toMatchObject({
    roleName: "mlops-qa-ci-1a2b3c serving deployer",
    assignableScopes: [SERVING],
    permissions: [{ actions: ["*"], notActions: [...CONTRIBUTOR_NOT_ACTIONS, ...AKS_ADMIN_PATH_ACTIONS] }],
  });
  expect(definitions()).toHaveLength(2);
});

test("the application's display name is the tenant-unique one given, and no duplicate may exist", () => {
  const [app] = childrenOf(all, ci, "azuread:index/application:Application");
  expect(app.inputs).toMatchObject({ displayName: "mlops-qa-ci-1a2b3c", preventDuplicateNames: true });
});

test("a deployer without any federated subject is refused", () => {
  expect(String(noSubjects)).toContain("CiIdentity empty-ci: at least one federated subject");
});

test("subjects are pinned exactly: pull requests and Azure DevOps (Entra issuer) when asked", () => {
  const subjects = federatedSubjects(
    { repository: "contoso/mlops", environments: [], branches: [], pullRequests: true },
    {
      organization: "contoso",
      organizationId: "0000aaaa-0000-4000-8000-000000000000",
      project: "mlops",
      issuer: "entra",
      tenantId: "72f988bf-0000-4000-8000-000000000001",
      entraSubjectPrefix: "/eid1/c/pub/t/abc/a/def",
      connection: { name: "mlops-qa", id: "8d6f1a40-0000-4000-8000-000000000002" },
    },
  );
  expect(subjects.map(({ issuer, subject }) => ({ issuer, subject }))).toEqual([
    { issuer: GITHUB_ISSUER, subject: "repo:contoso/mlops:pull_request" },
    { issuer: "https://login.microsoftonline.com/72f988bf-0000-4000-8000-000000000001/v2.0", subject: "/eid1/c/pub/t/abc/a/def/sc/0000aaaa-0000-4000-8000-000000000000/8d6f1a40-0000-4000-8000-000000000002" },
  ]);
});
