/**
 * aks-admin-path-restricted and the Azure ML workspace identity: attaching AKS to a workspace that
 * runs as a user-assigned identity requires that identity to hold Azure Kubernetes Service Cluster
 * Admin Role on the cluster (MS Learn, "Attach a Kubernetes cluster to Azure Machine Learning
 * workspace"). That grant is waived (listed, with conditions); a service principal such as CI with
 * the same role stays a violation.
 */
import type { ResourceView } from "../../policy/rules/types";
import { armId, edited, hardenedStack, namesFor, SUBSCRIPTION, urnOf } from "./fixtures";
import { runRule } from "./helpers";

const RULE = "aks-admin-path-restricted";
const CLUSTER_ADMIN = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8`;
const ASSIGNMENT = "urn:pulumi:qa::mlops-azure::azure-native:authorization:RoleAssignment::";

function withGrant(env: "qa" | "prod", name: string, inputs: Record<string, unknown>, dependsOn: string[]): ResourceView[] {
  const stack = hardenedStack({ environment: env });
  return [
    ...stack,
    { urn: urnOf(env, "azure-native:authorization:RoleAssignment", name), type: "azure-native:authorization:RoleAssignment", name, inputs, dependsOn },
  ];
}

const clusterScope = (env: "qa" | "prod") => armId(namesFor(env).servingRg, "Microsoft.ContainerService/managedClusters", namesFor(env).aks);
const identityUrn = (env: "qa" | "prod") => urnOf(env, "azure-native:managedidentity:UserAssignedIdentity", `${env}-identity`);
const clusterUrn = (env: "qa" | "prod") => urnOf(env, "azure-native:containerservice:ManagedCluster", `${env}-aks`);

/** The grant AmlKubernetesCompute declares: principal known only after deployment, linked by dependency. */
const workspaceGrant = (env: "qa" | "prod", scope = clusterScope(env)) =>
  withGrant(env, `${env}-workspace-cluster-admin`, { principalId: "[unknown]", principalType: "ServicePrincipal", roleDefinitionId: CLUSTER_ADMIN, scope }, [clusterUrn(env), identityUrn(env)]);

describe("aks-admin-path-restricted and the workspace identity's documented Cluster Admin grant", () => {
  test.each(["qa", "prod"] as const)("%s: the workspace identity's grant on the cluster is waived, not hidden", (env) => {
    const { findings, waivers } = runRule(RULE, workspaceGrant(env), env);
    expect(findings).toEqual([]);
    expect(waivers).toHaveLength(1);
    expect(waivers[0]).toMatchObject({ policy: RULE, urn: urnOf(env, "azure-native:authorization:RoleAssignment", `${env}-workspace-cluster-admin`) });
    expect(waivers[0].reason).toMatch(/Attach a Kubernetes cluster to Azure Machine Learning workspace/);
    expect(waivers[0].reason).toMatch(/review by \d{4}-\d{2}-\d{2}/);
  });

  test("a CI service principal with Cluster Admin on the cluster is a violation", () => {
    const stack = withGrant("qa", "qa-ci-cluster-admin", { principalId: "33333333-3333-3333-3333-333333333333", principalType: "ServicePrincipal", roleDefinitionId: CLUSTER_ADMIN, scope: clusterScope("qa") }, [clusterUrn("qa")]);
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ level: "mandatory", urn: `${ASSIGNMENT}qa-ci-cluster-admin` });
    expect(findings[0].message).toMatch(/assigns Azure Kubernetes Service Cluster Admin Role over the AKS cluster/);
  });

  test("the workspace identity with Contributor (not the documented role) is still a violation", () => {
    const stack = edited(workspaceGrant("qa"), "qa-workspace-cluster-admin", (i) => (i.roleDefinitionId = i.roleDefinitionId.replace(/[^/]+$/, "b24988ac-6180-42a0-ab88-20f7382dd24c")));
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings.map((f) => f.urn)).toEqual([`${ASSIGNMENT}qa-workspace-cluster-admin`]);
  });

  test("the same grant widened to the serving resource group: the waiver is refused and says why", () => {
    const stack = workspaceGrant("qa", `/subscriptions/${SUBSCRIPTION}/resourceGroups/${namesFor("qa").servingRg}`);
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/waiver not applied: its condition 'the assignment's scope is the AKS cluster itself/);
  });

  test("the cluster not attached to the workspace: the waiver is refused", () => {
    const stack = workspaceGrant("qa").filter((r) => r.name !== "qa-kubernetes");
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings[0].message).toMatch(/waiver not applied/);
  });

  test("Command Invoke back on: the waiver is refused", () => {
    const stack = edited(workspaceGrant("qa"), "qa-aks", (i) => (i.apiServerAccessProfile = { ...i.apiServerAccessProfile, disableRunCommand: false }));
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings[0].message).toMatch(/waiver not applied: its condition 'Command Invoke is off/);
  });

  test("an identity that is not a workspace's gets no waiver", () => {
    const stack = edited(workspaceGrant("qa"), "qa-identity", (i) => (i.resourceName = "id-something-else"));
    const { findings, waivers } = runRule(RULE, stack, "qa");
    expect(waivers).toEqual([]);
    expect(findings).toHaveLength(1);
  });
});
