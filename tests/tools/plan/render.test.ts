import { diffPlans } from "../../../tools/plan/diff";
import { renderPlanMarkdown } from "../../../tools/plan/render/markdown";
import { renderMermaid } from "../../../tools/plan/render/mermaid";
import { renderPlanText } from "../../../tools/plan/render/text";
import { keySettings } from "../../../tools/plan/settings";
import { plan, resource } from "./helpers";

const urn = (type: string, name: string, chain = "") => `urn:pulumi:dev::mlops::${chain}${type}::${name}`;
const COMP = "mlops:serving:Serving";
const AKS_ARM = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-serving/providers/Microsoft.ContainerService/managedClusters/aks-qa";

function qaPlan() {
  const comp = resource({ type: COMP, name: "serving", custom: false, urn: urn(COMP, "serving") });
  const child = (type: string, name: string, inputs: Record<string, unknown>, extra = {}) =>
    resource({ type, name, parent: comp.urn, urn: urn(type, name, `${COMP}$`), inputs: inputs as never, ...extra });
  return plan(
    [
      resource({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: { resourceGroupName: "rg-qa", location: "westeurope" } }),
      resource({ type: "azure-native:resources:ResourceGroup", name: "rg-serving", inputs: { resourceGroupName: "rg-serving" } }),
      resource({
        type: "azure-native:machinelearningservices:Workspace",
        name: "ws",
        protect: true,
        inputs: { resourceGroupName: "rg-qa", workspaceName: "mlw-qa", sku: { name: "Basic", tier: "Basic" }, publicNetworkAccess: "Disabled", identity: { type: "SystemAssigned" } },
      }),
      resource({
        type: "azure-native:machinelearningservices:Compute",
        name: "cpu",
        inputs: {
          resourceGroupName: "rg-qa",
          workspaceName: "mlw-qa",
          computeName: "cpu-qa",
          properties: { computeType: "AmlCompute", properties: { vmSize: "Standard_DS3_v2", scaleSettings: { minNodeCount: 0, maxNodeCount: 4 }, enableNodePublicIp: false } },
        },
      }),
      comp,
      child("azure-native:containerservice:ManagedCluster", "aks", {
        resourceGroupName: "rg-serving",
        resourceName: "aks-qa",
        kubernetesVersion: "1.30",
        agentPoolProfiles: [{ name: "system", vmSize: "Standard_D4s_v5", enableAutoScaling: true, minCount: 1, maxCount: 3 }],
        apiServerAccessProfile: { enablePrivateCluster: true },
      }),
      child("azure-native:machinelearningservices:Compute", "k8s", {
        resourceGroupName: "rg-qa",
        workspaceName: "mlw-qa",
        computeName: "k8s-qa",
        properties: { computeType: "Kubernetes", resourceId: AKS_ARM },
      }),
      child("azure-native:machinelearningservices:OnlineEndpoint", "online", { resourceGroupName: "rg-qa", workspaceName: "mlw-qa", endpointName: "ep-qa", properties: { authMode: "AADToken" } }),
      child("azure-native:machinelearningservices:BatchEndpoint", "batch", { resourceGroupName: "rg-qa", workspaceName: "mlw-qa", endpointName: "bep-qa" }),
      resource({ type: "pulumi-nodejs:dynamic/mlops:PromotedModel", name: "churn", inputs: { modelName: "churn", sourceVersion: "[unknown]" } }),
      resource({ type: "pulumi-nodejs:dynamic/mlops:PromotedModel", name: "fraud", inputs: { modelName: "fraud" } }),
      resource({ type: "pulumi:pulumi:StackReference", name: "upstream", read: true, inputs: { name: "organization/mlops/dev" } }),
    ],
    {
      stack: "qa",
      environment: "qa",
      outputs: { workspaceName: "mlw-qa", principal: "[unknown]", token: "[secret]" },
      violations: [
        { policy: "aks-private", level: "mandatory", urn: urn("azure-native:containerservice:ManagedCluster", "aks", `${COMP}$`), message: "api server is public | really" },
        { policy: "tags", level: "advisory", urn: urn("azure-native:resources:ResourceGroup", "rg"), message: "missing owner" },
      ],
      waivers: [{ policy: "ws-cmk", urn: urn("azure-native:machinelearningservices:Workspace", "ws"), reason: "CMK not needed for toy data" }],
    },
  );
}

describe("text view", () => {
  const p = qaPlan();
  const text = renderPlanText(p);

  it("draws components with their children indented under them", () => {
    const lines = text.split("\n");
    const comp = lines.findIndex((l) => /^├─ serving  mlops:serving:Serving/.test(l));
    expect(comp).toBeGreaterThan(0);
    expect(lines[comp + 1]).toMatch(/^│  [├└]─ aks  azure-native:containerservice:ManagedCluster/);
    expect(lines.find((l) => l.includes("ws  azure-native:machinelearningservices:Workspace"))).toMatch(/^├─ /);
  });

  it("shows key settings: name, SKU, sizes, network flags", () => {
    expect(text).toContain("ws  azure-native:machinelearningservices:Workspace  [protected]  name=mlw-qa");
    expect(text).toMatch(/sku=Basic\/Basic.*identity=SystemAssigned.*publicNetworkAccess=Disabled/);
    expect(text).toMatch(/cpu-qa.*compute=AmlCompute.*vmSize=Standard_DS3_v2.*minNodes=0.*maxNodes=4.*nodePublicIp=false/);
    expect(text).toMatch(/aks-qa.*k8s=1\.30.*privateCluster=true.*pools=system Standard_D4s_v5×1–3/);
    expect(text).toContain("upstream  pulumi:pulumi:StackReference  [read]  stack=organization/mlops/dev");
  });

  it("counts resources by type, most frequent first", () => {
    const section = text.slice(text.indexOf("Resources by type:"));
    expect(section).toMatch(/Resources by type:\n  2  azure-native:machinelearningservices:Compute\n/);
    expect(section).toContain("1  pulumi:pulumi:StackReference");
  });

  it("lists policy findings, mandatory first, and waivers", () => {
    expect(text).toContain("Policy: 1 mandatory, 1 advisory violation(s), 1 waiver(s)");
    const mandatory = text.indexOf("✖ mandatory  aks-private  aks (azure-native:containerservice:ManagedCluster)");
    const advisory = text.indexOf("! advisory   tags  rg (azure-native:resources:ResourceGroup): missing owner");
    expect(mandatory).toBeGreaterThan(0);
    expect(advisory).toBeGreaterThan(mandatory);
    expect(text).toContain("~ waived     ws-cmk  ws (azure-native:machinelearningservices:Workspace): CMK not needed for toy data");
  });

  it("documents the placeholders and shows unknown and secret outputs as markers", () => {
    expect(text).toContain("<stack>:<output>");
    expect(text).toContain('principal = "[unknown]"');
    expect(text).toContain('token = "[secret]"');
  });

  it("says when no policy was evaluated", () => {
    expect(renderPlanText(p, { policyEvaluated: false })).toContain("Policy: not evaluated");
  });

  it("adds the diff against another plan", () => {
    const head = qaPlan();
    head.resources = head.resources.filter((r) => r.name !== "batch");
    (head.resources.find((r) => r.name === "ws")!.inputs as Record<string, unknown>).publicNetworkAccess = "Enabled";
    const t = renderPlanText(head, { diff: diffPlans(qaPlan(), head), againstLabel: "main.plan.json" });
    expect(t).toContain("Changes against main.plan.json (stack qa): 0 added, 1 removed, 1 changed");
    expect(t).toContain("  - batch (azure-native:machinelearningservices:BatchEndpoint)");
    expect(t).toContain('inputs.publicNetworkAccess: "Disabled" → "Enabled"');
  });
});

describe("key settings", () => {
  it("leaves tags out and stops at the limit", () => {
    const r = qaPlan().resources.find((x) => x.name === "ws")!;
    (r.inputs as Record<string, unknown>).tags = { vmSize: "not-a-setting" };
    expect(keySettings(r).map((s) => s.label)).not.toContain("vmSize");
    expect(keySettings(r, 2)).toHaveLength(2);
  });
});

describe("Mermaid diagram", () => {
  const m = renderMermaid(qaPlan());

  it("puts workspace, clusters, AKS and endpoints in their resource groups", () => {
    expect(m.startsWith("flowchart LR\n")).toBe(true);
    const group = (name: string) => m.slice(m.indexOf(`resource group ${name}"`), m.indexOf("\n  end", m.indexOf(`resource group ${name}"`)));
    const qaGroup = group("rg-qa");
    expect(qaGroup).toContain("ML workspace<br/>mlw-qa");
    // Kind, name, size and range on their own lines: never broken inside one.
    expect(qaGroup).toContain("AmlCompute<br/>cpu-qa<br/>Standard_DS3_v2<br/>0–4 nodes");
    expect(qaGroup).toContain("online endpoint<br/>onlineEndpoint · ep-qa");
    expect(qaGroup).toContain("batch endpoint<br/>batchEndpoint · bep-qa");
    const servingGroup = group("rg-serving");
    expect(servingGroup).toContain("AKS<br/>aks-qa<br/>1 node pool");
  });

  it("draws the attach edge to AKS and the promotion edge from the upstream stack", () => {
    const id = (text: string) => new RegExp(`(n\\d+)[\\[(]+"${text}`).exec(m)?.[1];
    const ws = id("ML workspace<br/>mlw-qa");
    const k8s = id("Kubernetes<br/>k8s-qa");
    const aks = id("AKS<br/>aks-qa");
    const up = id("upstream stack<br/>organization/mlops/dev");
    expect([ws, k8s, aks, up].every(Boolean)).toBe(true);
    expect(new Set([ws, k8s, aks, up]).size).toBe(4);
    expect(m).toContain(`${k8s} -->|attached| ${aks}`);
    expect(m).toContain(`${ws} --> ${k8s}`);
    expect(m).toContain(`${up} -.->|promotes 2 models| ${ws}`);
  });

  it("shows a branch stack's pipelines published into the upstream workspace", () => {
    const branch = plan(
      [
        resource({ type: "pulumi-nodejs:dynamic/mlops:PublishedPipeline", name: "training", inputs: {} }),
        resource({ type: "pulumi:pulumi:StackReference", name: "dev", read: true, inputs: { name: "organization/mlops/dev" } }),
      ],
      { kind: "branch", stack: "branch-x", branch: "feature/x" },
    );
    expect(renderMermaid(branch)).toMatch(/n\d+\("1 published pipeline<br\/>training"\)[\s\S]*n\d+ -\.->\|published into its workspace\| n\d+/);
  });

  it("escapes quotes in labels", () => {
    const p = plan([resource({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: { resourceGroupName: 'a"b' } })]);
    expect(renderMermaid(p)).toContain('resource group a#quot;b"');
  });
});

describe("Markdown", () => {
  const head = qaPlan();
  head.resources = head.resources.filter((r) => r.name !== "fraud");
  const md = renderPlanMarkdown(head, diffPlans(qaPlan(), head), { againstLabel: "base.plan.json" });

  it("has the summary, the diagram and a row per resource with its settings", () => {
    expect(md).toContain("## Plan: `mlops` / `qa`");
    expect(md).toContain("```mermaid\nflowchart LR");
    expect(md).toMatch(/\| &nbsp;&nbsp;aks \| `azure-native:containerservice:ManagedCluster` \| name=aks-qa, .*k8s=1\.30/);
    expect(md).toContain("| ws _(protected)_ |");
    expect(md).toContain("| `azure-native:machinelearningservices:Compute` | 2 |");
  });

  it("shows the changes a pull request makes", () => {
    expect(md).toContain("Against `base.plan.json` (stack `qa`): **0** added, **1** removed, **0** changed");
    expect(md).toContain("| − | fraud (pulumi-nodejs:dynamic/mlops:PromotedModel) | | | |");
  });

  it("keeps table cells intact when values contain pipes", () => {
    expect(md).toContain("api server is public \\| really");
    expect(md).toContain("| **mandatory** | `aks-private` |");
  });

  it("folds many advisory findings but keeps mandatory ones in view", () => {
    const many = qaPlan();
    const rg = many.resources[0].urn;
    for (let i = 0; i < 6; i++) many.violations.push({ policy: `adv-${i}`, level: "advisory", urn: rg, message: "m" });
    const text = renderPlanMarkdown(many);
    const fold = text.indexOf("<details><summary>7 advisory findings</summary>");
    expect(fold).toBeGreaterThan(0);
    expect(text.indexOf("| **mandatory** | `aks-private` |")).toBeLessThan(fold);
    expect(text.indexOf("| advisory | `adv-5` |")).toBeGreaterThan(fold);
  });

  it("renders property changes as before and after", () => {
    const changed = qaPlan();
    (changed.resources.find((r) => r.name === "cpu")!.inputs as any).properties.properties.vmSize = "Standard_F16s_v2";
    const text = renderPlanMarkdown(changed, diffPlans(qaPlan(), changed));
    expect(text).toContain('| ~ | cpu (azure-native:machinelearningservices:Compute) | `inputs.properties.properties.vmSize` | `"Standard_DS3_v2"` | `"Standard_F16s_v2"` |');
  });
});
