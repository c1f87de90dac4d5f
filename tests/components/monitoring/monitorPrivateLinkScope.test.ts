/** MonitorPrivateLinkScope under the Pulumi mocks: private-only ingestion and query for the scoped resources. */
import { MonitorPrivateLinkScope } from "../../../components/monitoring";
import type { PlanResource } from "../../../shared/plan";
import { named, ofType, recordDeclarations } from "../../support/declarations";

let all: PlanResource[];
beforeAll(async () => {
  all = await recordDeclarations(() => {
    new MonitorPrivateLinkScope("qa-monitor", {
      resourceGroupName: "rg-qa",
      tags: {},
      scopeName: "ampls-mlw-qa",
      scopedResources: [
        { key: "logs", id: "/subscriptions/s/resourceGroups/rg-qa/providers/Microsoft.OperationalInsights/workspaces/log-qa" },
        { key: "insights", id: "/subscriptions/s/resourceGroups/rg-qa/providers/Microsoft.Insights/components/appi-qa" },
      ],
    });
  });
});

test("the scope is global and private-only for ingestion and query", () => {
  expect(named(all, "azure-native:monitor:PrivateLinkScope", "-scope").inputs).toMatchObject({
    scopeName: "ampls-mlw-qa",
    location: "global",
    accessModeSettings: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "PrivateOnly" },
  });
});

test("each scoped resource is linked by id under a name of its own", () => {
  const scoped = ofType(all, "azure-native:monitor:PrivateLinkScopedResource").map((r) => [r.inputs.name, String(r.inputs.linkedResourceId).split("/").pop()]);
  expect(scoped.sort()).toEqual([
    ["ampls-mlw-qa-insights", "appi-qa"],
    ["ampls-mlw-qa-logs", "log-qa"],
  ]);
});
