import { aksLocalAccountsDisabled } from "./aks";
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

export const allWaiverRules: readonly WaiverRule[] = [azureMlClusterLocalAccounts];
