import { diffPlans } from "../../../tools/plan/diff";
import { renderPlanMarkdown } from "../../../tools/plan/render/markdown";
import { GROUP_FROM, renderMermaid } from "../../../tools/plan/render/mermaid";
import { plan as anyPlan, resource } from "./helpers";

const plan = (rs: Parameters<typeof anyPlan>[0]) => anyPlan(rs, { stack: "qa", environment: "qa" });

const WS = { resourceGroupName: "rg-qa", workspaceName: "mlw-qa" };
const rg = resource({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: { resourceGroupName: "rg-qa" } });
const ws = resource({ type: "azure-native:machinelearningservices:Workspace", name: "ws", inputs: { ...WS, publicNetworkAccess: "Disabled", managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" } }, protect: true });
const cluster = (key: string, maxNodes = 4) =>
  resource({
    type: "azure-native:machinelearningservices:Compute",
    name: `mlops-qa-${key}-amlcompute`,
    parent: `urn:pulumi:qa::mlops::mlops:compute:ComputeCluster::mlops-qa-${key}`,
    inputs: { ...WS, computeName: `cc-${key}-3f9a2b`, properties: { computeType: "AmlCompute", properties: { vmSize: "Standard_DS3_v2", scaleSettings: { minNodeCount: 0, maxNodeCount: maxNodes } } } },
  });
const K8S_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-qa/providers/Microsoft.MachineLearningServices/workspaces/mlw-qa/computes/k8s-qa";

describe("a diagram that reads at any size", () => {
  const many = plan([rg, ws, ...Array.from({ length: 50 }, (_, i) => cluster(`c${i}`)), cluster("big", 16)]);
  const m = renderMermaid(many);

  it("draws 50 identical clusters as one node with their count, size and range, and keeps the odd one apart", () => {
    expect(m).toContain("50 × AmlCompute<br/>c0, c1, c2, … (+47)<br/>Standard_DS3_v2<br/>0–4 nodes");
    expect(m).toContain("AmlCompute<br/>big · cc-big-3f9a2b<br/>Standard_DS3_v2<br/>0–16 nodes");
    expect(m.split("\n").filter((l) => / --> /.test(l))).toHaveLength(2);
    expect(GROUP_FROM).toBeLessThanOrEqual(3);
  });

  it("shows hardening: network isolation and protection of the workspace", () => {
    expect(m).toContain("ML workspace<br/>mlw-qa<br/>public network Disabled, managed network AllowOnlyApprovedOutbound, protected");
  });

  it("links an endpoint to the compute that serves it", () => {
    const k8s = resource({ type: "azure-native:machinelearningservices:Compute", name: "k8s", inputs: { ...WS, computeName: "k8s-qa", properties: { computeType: "Kubernetes" } } });
    const ep = resource({ type: "azure-native:machinelearningservices:OnlineEndpoint", name: "ep", inputs: { ...WS, endpointName: "ep-qa-1a2b3c", properties: { authMode: "AMLToken", compute: K8S_ID } } });
    const d = renderMermaid(plan([rg, ws, k8s, ep]));
    const id = (text: string) => new RegExp(`(n\\d+)[\\[(]+"${text}`).exec(d)?.[1];
    expect(d).toContain(`${id("online endpoint")} -->|served by| ${id("Kubernetes")}`);
    expect(d).toContain("onlineEndpoint · ep-qa-1a2b3c");
  });

  it("marks what a pull request adds, changes and removes", () => {
    const base = plan([rg, ws, cluster("a"), cluster("gone")]);
    const head = plan([rg, { ...ws, inputs: { ...ws.inputs, publicNetworkAccess: "Enabled" } }, cluster("a"), cluster("new")]);
    const md = renderPlanMarkdown(head, diffPlans(base, head));
    expect(md).toMatch(/\["\+ added<br\/>AmlCompute<br\/>new · cc-new-3f9a2b[^"]*"\]:::added/);
    expect(md).toMatch(/\["~ 1 changed<br\/>ML workspace<br\/>mlw-qa[^"]*"\]:::changed/);
    expect(md).toMatch(/\["− 1 removed<br\/>compute cluster"\]:::removed/);
    expect(md).toContain("classDef added");
    expect(renderMermaid(head)).not.toContain(":::");
  });

  it("the diff line counts stack output changes apart from changed resources", () => {
    const base = { ...plan([rg]), outputs: { a: "1" } };
    const head = { ...plan([rg]), outputs: { a: "2" } };
    expect(renderPlanMarkdown(head, diffPlans(base, head))).toContain("**0** changed, 1 unchanged; **1** stack output change.");
  });
});
