/**
 * The security baseline on the shipped plans: the built-in definitions table in policy/README.md
 * is what the qa and prod plans give today, and the new or changed rules pass on those plans and
 * fail when one plan resource is broken the way a real change would break it.
 */
import * as fs from "node:fs";
import { README, replaceSection } from "../../policy/readme";
import { BUILTIN_DEFINITIONS, builtinVerdict, renderBuiltinsTable } from "../../policy/builtins";
import { evaluatePlan } from "../../policy/evaluate";
import { allRules } from "../../policy/rules";
import type { PlanDocument, PlanResource } from "../../shared/plan";
import { planJson } from "../support/plans";

let qa: PlanDocument;
let prod: PlanDocument;
beforeAll(async () => {
  [qa, prod] = await Promise.all([planJson("qa"), planJson("prod")]);
}, 120_000);

const copy = (p: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(p));
function editedPlan(p: PlanDocument, type: string, edit: (inputs: any, r: PlanResource) => void, name?: RegExp): PlanDocument {
  const next = copy(p);
  const target = next.resources.find((r) => r.type === type && (!name || name.test(r.name)));
  if (!target) throw new Error(`no ${type} in the ${p.stack} plan`);
  edit(target.inputs, target);
  return next;
}
const mandatoryOf = (p: PlanDocument, policy: string) => evaluatePlan(p).violations.filter((v) => v.policy === policy && v.level === "mandatory");

test("policy/README.md's built-in table is what the qa and prod plans give (regenerate: npx tsx policy/readme.ts)", () => {
  const text = fs.readFileSync(README, "utf8");
  expect(replaceSection(text, "builtins", renderBuiltinsTable({ qa, prod }))).toBe(text);
});

test("every built-in maps to existing rules, and every failing verdict is an explained exemption", () => {
  const names = new Set(allRules.map((r) => r.name));
  for (const d of BUILTIN_DEFINITIONS) {
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const r of d.rules) expect(names).toContain(r);
    expect([builtinVerdict(d, qa, "qa"), builtinVerdict(d, prod, "prod")]).not.toContain("non-compliant");
  }
});

const AKS = "azure-native:containerservice:ManagedCluster";
const CASES: [string, string, () => PlanDocument][] = [
  ["keyvault-network-restricted", "prod vault with an Enabled public endpoint behind a denying firewall", () => editedPlan(prod, "azure-native:keyvault:Vault", (i) => (i.properties.publicNetworkAccess = "Enabled"))],
  ["storage-network-restricted", "qa storage with an Enabled public endpoint behind a denying firewall", () => editedPlan(qa, "azure-native:storage:StorageAccount", (i) => (i.publicNetworkAccess = "Enabled"))],
  // qa's cluster is private since the NAT-gateway/private-AKS work (and private clusters are exempt), so
  // the case first makes the API server public, then opens it to two /1 ranges.
  ["aks-api-server-authorized-ips", "qa API server made public and open to two /1 ranges", () => editedPlan(qa, AKS, (i) => (i.apiServerAccessProfile = { ...i.apiServerAccessProfile, enablePrivateCluster: false, authorizedIPRanges: ["0.0.0.0/1", "128.0.0.0/1"] }))],
  ["aks-run-command-disabled", "prod cluster with Command Invoke on", () => editedPlan(prod, AKS, (i) => (i.apiServerAccessProfile.disableRunCommand = false))],
  ["aks-ssh-disabled", "qa user pool with SSH", () => editedPlan(qa, "azure-native:containerservice:AgentPool", (i) => (i.securityProfile = { sshAccess: "LocalUser" }))],
  ["diagnostic-settings", "prod cluster without its diagnostic setting", () => { const p = copy(prod); p.resources = p.resources.filter((r) => !/-aks-diag$/.test(r.name)); return p; }],
  ["log-analytics-retention", "prod keeping logs 30 days", () => editedPlan(prod, "azure-native:operationalinsights:Workspace", (i) => (i.retentionInDays = 30))],
  ["aks-defender", "prod without Defender", () => editedPlan(prod, AKS, (i) => delete i.securityProfile.defender)],
  ["storage-shared-key-disabled", "qa storage with shared keys", () => editedPlan(qa, "azure-native:storage:StorageAccount", (i) => (i.allowSharedKeyAccess = true))],
  ["aks-encryption-at-host", "qa system pool without host encryption (now mandatory in qa)", () => editedPlan(qa, AKS, (i) => (i.agentPoolProfiles[0].enableEncryptionAtHost = false))],
  ["aks-admin-path-restricted", "prod CI deployer back on Contributor over the serving group", () => editedPlan(prod, "azure-native:authorization:RoleAssignment", (i) => (i.roleDefinitionId = i.roleDefinitionId.replace(/[^/]+$/, "b24988ac-6180-42a0-ab88-20f7382dd24c")), /-ci-serving-rg-deployer$/)],
  ["aks-egress-controlled", "qa cluster back on its public load balancer", () => editedPlan(qa, AKS, (i) => (i.networkProfile.outboundType = "loadBalancer"))],
  ["subnet-no-default-outbound", "prod AKS subnet with default outbound access", () => editedPlan(prod, "azure-native:network:Subnet", (i) => (i.defaultOutboundAccess = true), /-aks-subnet$/)],
  ["monitoring-public-network-disabled", "prod Application Insights open to public ingestion", () => editedPlan(prod, "azure-native:applicationinsights:Component", (i) => (i.publicNetworkAccessForIngestion = "Enabled"))],
  ["log-analytics-entra-ingestion", "qa Log Analytics accepting the workspace key", () => editedPlan(qa, "azure-native:operationalinsights:Workspace", (i) => delete i.features)],
  ["monitor-private-link-scope", "prod scope in open query mode", () => editedPlan(prod, "azure-native:monitor:PrivateLinkScope", (i) => (i.accessModeSettings.queryAccessMode = "Open"))],
  ["workspace-customer-managed-key", "qa workspace on Microsoft-managed keys", () => editedPlan(qa, "azure-native:machinelearningservices:Workspace", (i) => delete i.encryption)],
  ["storage-customer-managed-key", "prod storage on Microsoft-managed keys", () => editedPlan(prod, "azure-native:storage:StorageAccount", (i) => (i.encryption.keySource = "Microsoft.Storage"))],
  ["defender-plans", "prod without the Resource Manager plan", () => { const p = copy(prod); p.resources = p.resources.filter((r) => !(r.type === "azure-native:security:Pricing" && r.inputs.pricingName === "Arm")); return p; }],
  ["vnet-flow-logs", "qa VNet without its flow log", () => { const p = copy(qa); p.resources = p.resources.filter((r) => r.type !== "azure-native:network:FlowLog"); return p; }],
  ["aks-egress-filtered", "prod cluster back on the NAT gateway", () => editedPlan(prod, AKS, (i) => (i.networkProfile.outboundType = "userAssignedNATGateway"))],
  ["aks-egress-filtered", "qa firewall policy allowing any FQDN", () => editedPlan(qa, "azure-native:network:FirewallPolicyRuleCollectionGroup", (i) => (i.ruleCollections[0].rules[1].targetFqdns = ["*"]))],
];

describe.each(CASES)("%s", (policy, what, broken) => {
  test("passes on the shipped qa and prod plans", () => {
    expect(evaluatePlan(qa).violations.filter((v) => v.policy === policy)).toEqual([]);
    expect(evaluatePlan(prod).violations.filter((v) => v.policy === policy)).toEqual([]);
  });
  test(`fails (mandatory): ${what}`, () => {
    expect(mandatoryOf(broken(), policy).length).toBeGreaterThan(0);
  });
});

describe("the local-accounts waiver holds only with its conditions", () => {
  test("shipped plans: waived, with the conditions and review date shown", () => {
    for (const p of [qa, prod]) {
      const w = evaluatePlan(p).waivers.find((x) => x.policy === "aks-local-accounts-disabled");
      expect(w?.reason).toMatch(/held: Command Invoke is off.*kube-audit.*review by \d{4}-\d{2}-\d{2}/);
    }
  });
  test("Command Invoke back on: the waiver is refused and local accounts are a violation", () => {
    const found = mandatoryOf(editedPlan(prod, AKS, (i) => (i.apiServerAccessProfile.disableRunCommand = false)), "aks-local-accounts-disabled");
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/waiver not applied: its condition 'Command Invoke is off/);
  });
  test("guard logs dropped: the waiver is refused", () => {
    const p = editedPlan(qa, "azure-native:monitor:DiagnosticSetting", (i) => (i.logs = i.logs.filter((l: any) => l.category !== "guard")), /-aks-diag$/);
    expect(mandatoryOf(p, "aks-local-accounts-disabled")[0].message).toMatch(/kube-audit\(-admin\) and guard/);
  });
});
