/**
 * DataScientistsGroup under the Pulumi mocks: a security group with one role on the workspace,
 * plus blob write on the workspace storage only where they publish from (dev).
 */
import { DataScientistsGroup } from "../../../components/identity";
import type { PlanResource } from "../../../shared/plan";
import { recordDeclarations, SUBSCRIPTION } from "../../support/declarations";
import { childrenOf, component, grantsOf, ROLE_ASSIGNMENT } from "./grants";

const GROUP = "azuread:index/group:Group";
const ws = (env: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-${env}/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-${env}`;
const DEV_STORAGE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-dev/providers/Microsoft.Storage/storageAccounts/stmlopsdev`;

let all: PlanResource[];
let dev: PlanResource;
let qa: PlanResource;
beforeAll(async () => {
  all = await recordDeclarations(() => {
    new DataScientistsGroup("dev-ds", {
      displayName: "mlops-dev-data-scientists-1a2b3c",
      members: ["user-1", "user-2"],
      subscriptionId: SUBSCRIPTION,
      workspaceId: ws("dev"),
      workspaceRole: "AzureMLDataScientist",
      dataStorageAccountId: DEV_STORAGE,
    });
    new DataScientistsGroup("qa-ds", { displayName: "mlops-qa-data-scientists-1a2b3c", members: ["user-1"], subscriptionId: SUBSCRIPTION, workspaceId: ws("qa"), workspaceRole: "Reader" });
  });
  dev = component(all, "mlops:identity:DataScientistsGroup", "dev-ds");
  qa = component(all, "mlops:identity:DataScientistsGroup", "qa-ds");
});

test("the group is a security group (no mail) with a tenant-unique display name and the given members", () => {
  const [group] = childrenOf(all, dev, GROUP);
  expect(group.inputs).toMatchObject({
    displayName: "mlops-dev-data-scientists-1a2b3c",
    securityEnabled: true,
    mailEnabled: false,
    preventDuplicateNames: true,
    members: ["user-1", "user-2"],
  });
});

test("in dev: AzureML Data Scientist on the workspace and blob write on its storage, nothing else", () => {
  expect(grantsOf(all, dev)).toEqual([`AzureMLDataScientist@${ws("dev")}`, `StorageBlobDataContributor@${DEV_STORAGE}`].sort());
});

test("in qa: Reader on the workspace only, no data access", () => {
  expect(grantsOf(all, qa)).toEqual([`Reader@${ws("qa")}`]);
});

test("every assignment names a group principal", () => {
  const assignments = [...childrenOf(all, dev, ROLE_ASSIGNMENT), ...childrenOf(all, qa, ROLE_ASSIGNMENT)];
  expect(assignments).toHaveLength(3);
  for (const a of assignments) expect(a.inputs.principalType).toBe("Group");
});
