import { aksLocalAccountsDisabled } from "./aks";
import { AZUREML_EXTENSION_TYPE, TYPES } from "./typeTokens";
import type { ResourceView, WaiverRule } from "./types";
import { at, isUnknown, sameText } from "./values";

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
};

export const allWaiverRules: readonly WaiverRule[] = [azureMlClusterLocalAccounts];
