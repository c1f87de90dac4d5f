import { tenantNames } from "../../../shared/naming";
import { runTool } from "../../support/plans";

const ctx = { project: "mlops", stack: "qa", prefix: "mlops", subscriptionId: "11111111-2222-3333-4444-555555555555" };

test("a second subscription with the same prefix and stack gets other tenant-wide names", () => {
  const a = tenantNames(ctx);
  const b = tenantNames({ ...ctx, subscriptionId: "99999999-2222-3333-4444-555555555555" });
  for (const key of Object.keys(a) as (keyof typeof a)[]) expect(a[key]).not.toBe(b[key]);
  expect(tenantNames(ctx)).toEqual(a);
  expect(tenantNames({ ...ctx, subscriptionId: ctx.subscriptionId.toUpperCase() })).toEqual(a);
});

test("names keep prefix and stack readable, the salt at the end", () => {
  const n = tenantNames(ctx);
  expect(n.ciApplication).toMatch(/^mlops-qa-ci-[0-9a-f]{6}$/);
  expect(n.roleAssigner).toBe(`${n.ciApplication} role assigner`);
  expect(n.auditApplication).toMatch(/^mlops-qa-audit-[0-9a-f]{6}$/);
  expect(n.dataScientistsGroup).toMatch(/^mlops-qa-data-scientists-[0-9a-f]{6}$/);
});

test("npm run names shows them for a subscription, and refuses a subscription that is not a GUID", async () => {
  const ok = await runTool("names", ["--branch", "feature/x", "--stack", "qa", "--subscription", ctx.subscriptionId, "--json"]);
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout).tenantNames).toMatchObject({ stack: "qa", ...tenantNames(ctx) });
  const bad = await runTool("names", ["--branch", "feature/x", "--subscription", "nope"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--subscription: must be a subscription id");
}, 60_000);
