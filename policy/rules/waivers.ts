import { aksAdminPathRestricted, aksLocalAccountsDisabled } from "./aks";
import { hasKubeAudit } from "./monitoring";
import { AZUREML_EXTENSION_TYPE, TYPES } from "./typeTokens";
import type { ResourceView, WaiverRule } from "./types";
import { at, isBool, isUnknown, sameText } from "./values";

/** The Azure ML extensions installed on a managed cluster (by name, or by dependency when names are unknown). */
export function azureMlExtensionsOn(cluster: ResourceView, all: ResourceView[]): ResourceView[] {
  const name = at(cluster.inputs, "resourceName");
  return all.filter((r) => {
    if (r.type !== TYPES.extension || !sameText(at(r.inputs, "extensionType"), AZUREML_EXTENSION_TYPE)) return false;
    if (!sameText(at(r.inputs, "clusterResourceName") ?? "managedClusters", "managedClusters")) return false;
    const clusterName = at(r.inputs, "clusterName");
    if (typeof name === "string" && !isUnknown(name) && typeof clusterName === "string" && !isUnknown(clusterName)) {
      return clusterName.toLowerCase() === name.toLowerCase();
    }
    return r.dependsOn?.includes(cluster.urn) ?? false;
  });
}

export const azureMlClusterLocalAccounts: WaiverRule = {
  policy: aksLocalAccountsDisabled.name,
  reason:
    "the Azure ML Kubernetes extension (Microsoft.AzureML.Kubernetes) installed on this cluster does not support disabling local accounts; access stays behind managed Entra ID with Azure RBAC",
  matches: (r, all) => r.type === TYPES.managedCluster && azureMlExtensionsOn(r, all).length > 0,
  // With local accounts on, whoever can fetch the admin kubeconfig or run commands bypasses Entra
  // ID: the waiver stands only while Command Invoke is off and every API-server write is audited.
  conditions: [
    {
      description: "Command Invoke is off (apiServerAccessProfile.disableRunCommand: true)",
      holds: (r) => {
        const v = at(r.inputs, "apiServerAccessProfile.disableRunCommand");
        return isUnknown(v) || isBool(v, true);
      },
    },
    {
      description: "a diagnostic setting sends kube-audit(-admin) and guard logs to Log Analytics",
      holds: (r, all) => hasKubeAudit(r, all),
    },
  ],
  // Re-check when the Azure ML extension's limitations page changes; six months at most.
  reviewBy: "2027-05-31",
};

/** Built-in "Azure Kubernetes Service Cluster Admin Role" (MS Learn, "Azure built-in roles"). */
const AKS_CLUSTER_ADMIN_ROLE = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8";

const text = (v: unknown): v is string => typeof v === "string" && !isUnknown(v);
const lastSegment = (id: string) => id.replace(/\/+$/, "").split("/").pop()!.toLowerCase();

/** The workspaces whose identity (primary or listed user-assigned) is the given UserAssignedIdentity. */
function workspacesRunningAs(identity: ResourceView, all: ResourceView[]): ResourceView[] {
  const name = at(identity.inputs, "resourceName");
  if (!text(name)) return [];
  const names = (id: unknown) => text(id) && /\/userAssignedIdentities\/[^/]+\/?$/i.test(id) && lastSegment(id) === name.toLowerCase();
  return all.filter((w) => {
    if (w.type !== TYPES.workspace) return false;
    const listed = at(w.inputs, "identity.userAssignedIdentities");
    const ids = Array.isArray(listed) ? listed : listed && typeof listed === "object" ? Object.keys(listed) : [];
    return names(at(w.inputs, "primaryUserAssignedIdentity")) || ids.some(names);
  });
}

/** The Azure ML workspaces a role assignment's principal is the user-assigned identity of (linked by dependency). */
function workspacesOfPrincipal(assignment: ResourceView, all: ResourceView[]): ResourceView[] {
  const deps = new Set(assignment.dependsOn ?? []);
  return all.filter((r) => r.type === TYPES.userAssignedIdentity && deps.has(r.urn)).flatMap((id) => workspacesRunningAs(id, all));
}

/**
 * Attaching AKS to a workspace that runs as a user-assigned identity requires that identity to hold
 * Reader, Kubernetes Extension Contributor and Azure Kubernetes Service Cluster Admin Role on the
 * cluster (MS Learn, "Attach a Kubernetes cluster to Azure Machine Learning workspace", prerequisites
 * for a user-assigned workspace identity). aks-admin-path-restricted targets CI and workload principals;
 * this documented grant is waived, not exempted, so it stays listed in every plan.
 */
export const azureMlWorkspaceClusterAdmin: WaiverRule = {
  policy: aksAdminPathRestricted.name,
  reason:
    "Azure ML requires the user-assigned identity of a workspace that attaches an AKS cluster to hold Azure Kubernetes Service Cluster Admin Role on that cluster (\"Attach a Kubernetes cluster to Azure Machine Learning workspace\")",
  matches: (r, all) => {
    if (r.type !== TYPES.roleAssignment) return false;
    const roleId = at(r.inputs, "roleDefinitionId");
    return text(roleId) && lastSegment(roleId) === AKS_CLUSTER_ADMIN_ROLE && workspacesOfPrincipal(r, all).length > 0;
  },
  conditions: [
    {
      // The documented grant is on the cluster; the same role on its resource group or subscription is not.
      description: "the assignment's scope is the AKS cluster itself, and the workspace attaches that cluster as Kubernetes compute",
      holds: (r, all) => {
        const scope = at(r.inputs, "scope");
        if (isUnknown(scope)) return true;
        if (!text(scope) || !/\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+\/?$/i.test(scope)) return false;
        const cluster = lastSegment(scope);
        const workspaces = workspacesOfPrincipal(r, all).map((w) => at(w.inputs, "workspaceName"));
        return all.some((c) => {
          if (c.type !== TYPES.compute || !sameText(at(c.inputs, "properties.computeType"), "Kubernetes")) return false;
          const target = at(c.inputs, "properties.resourceId");
          const attachedHere = isUnknown(target) || (text(target) && lastSegment(target) === cluster && /\/managedClusters\//i.test(target));
          const ws = at(c.inputs, "workspaceName");
          return attachedHere && (!text(ws) || workspaces.some((w) => isUnknown(w) || sameText(w, ws)));
        });
      },
    },
    {
      // The admin role also carries runCommand: keep Command Invoke off on the cluster.
      description: "Command Invoke is off on the cluster (apiServerAccessProfile.disableRunCommand: true)",
      holds: (r, all) => {
        const scope = at(r.inputs, "scope");
        const name = text(scope) ? lastSegment(scope) : undefined;
        const clusters = all.filter((c) => c.type === TYPES.managedCluster && (name === undefined || sameText(at(c.inputs, "resourceName"), name)));
        return clusters.every((c) => {
          const v = at(c.inputs, "apiServerAccessProfile.disableRunCommand");
          return isUnknown(v) || isBool(v, true);
        });
      },
    },
  ],
  // Re-check when the attach page's prerequisites change; six months at most.
  reviewBy: "2027-05-31",
};

export const allWaiverRules: readonly WaiverRule[] = [azureMlClusterLocalAccounts, azureMlWorkspaceClusterAdmin];
