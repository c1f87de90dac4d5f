import type { PlanDocument } from "../../../shared/plan";
import { planJson } from "../../support/plans";
import { builtInRoles } from "../../../components/authorization/roles";

/**
 * What qa's CI deployer may touch: control plane of its own resource groups, blob data of its own
 * storage (pipeline code, promoted model files), and only read access to dev, the promotion source.
 */
let qa: PlanDocument;
beforeAll(async () => {
  qa = await planJson("qa");
}, 60_000);

test("qa's deployer writes blobs only in qa's storage and reads dev's workspace and model storage", () => {
  const ciComponent = qa.resources.find((r) => r.type === "mlops:identity:CiIdentity");
  expect(ciComponent).toBeDefined();
  const grants = qa.resources
    .filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.parent === ciComponent!.urn)
    .map((r) => ({ role: String(r.inputs.roleDefinitionId).split("/").pop(), scope: String(r.inputs.scope) }));
  const roleOf = (id: string) => Object.entries(builtInRoles).find(([, guid]) => guid === id)?.[0] ?? "custom";
  const named = grants.map((g) => ({ role: roleOf(g.role!), scope: g.scope }));

  expect(named).toContainEqual({ role: "StorageBlobDataContributor", scope: expect.stringMatching(/\/storageAccounts\/stmlopsqa[0-9a-f]+$/) });
  expect(named).toContainEqual({ role: "StorageBlobDataReader", scope: "organization/mlops/dev:storageAccountId" });
  expect(named).toContainEqual({ role: "Reader", scope: "organization/mlops/dev:workspaceId" });
  // Nothing that writes reaches outside qa.
  for (const g of named.filter((n) => n.scope.startsWith("organization/mlops/dev:"))) expect(["Reader", "StorageBlobDataReader"]).toContain(g.role);
  for (const g of named) expect(g.role).not.toBe("Owner");
});
