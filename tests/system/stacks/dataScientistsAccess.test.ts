/**
 * The data scientists' group (the seed's path: publish and run a pipeline from a local computer):
 * in dev it may run jobs and upload step code to the workspace's storage; elsewhere it only looks.
 */
import { DataScientistsGroup } from "../../../components/identity";
import { builtInRoles } from "../../../components/authorization/roles";
import { recordDeclarations, roleGuidOf, SUBSCRIPTION, T } from "../../infra/stack/harness";
import type { PlanResource } from "../../../shared/plan";

const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-dev/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-dev`;
const STORAGE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-dev/providers/Microsoft.Storage/storageAccounts/stmlopsdev12345678`;
let resources: PlanResource[];

beforeAll(async () => {
  resources = await recordDeclarations(() => {
    new DataScientistsGroup("dev-ds", { displayName: "mlops-dev-data-scientists", members: [], subscriptionId: SUBSCRIPTION, workspaceId: WORKSPACE, workspaceRole: "AzureMLDataScientist", dataStorageAccountId: STORAGE });
    new DataScientistsGroup("qa-ds", { displayName: "mlops-qa-data-scientists", members: [], subscriptionId: SUBSCRIPTION, workspaceId: WORKSPACE.replace(/dev/g, "qa"), workspaceRole: "Reader" });
  });
}, 60_000);

const grantsOf = (prefix: string) =>
  resources.filter((r) => r.type === T.role && r.name.startsWith(prefix)).map((r) => ({ role: roleGuidOf(r), scope: r.inputs.scope, principalType: r.inputs.principalType }));

test("dev: AzureML Data Scientist on the workspace and Storage Blob Data Contributor on its storage (code upload)", () => {
  expect(grantsOf("dev-ds")).toEqual(
    expect.arrayContaining([
      { role: builtInRoles.AzureMLDataScientist, scope: WORKSPACE, principalType: "Group" },
      { role: builtInRoles.StorageBlobDataContributor, scope: STORAGE, principalType: "Group" },
    ]),
  );
  expect(grantsOf("dev-ds")).toHaveLength(2);
});

test("qa (and prod): Reader on the workspace, no data role", () => {
  expect(grantsOf("qa-ds")).toEqual([{ role: builtInRoles.Reader, scope: WORKSPACE.replace(/dev/g, "qa"), principalType: "Group" }]);
});
