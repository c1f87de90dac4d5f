import type * as network from "@pulumi/azure-native/network";

export interface AksEgressRuleInputs {
  /** Azure region of the cluster (lowercase, e.g. westeurope). */
  region: string;
  /** The AKS subnet: the only source the rules admit. */
  sourceCidr: string;
  /** Private API server: nodes reach it inside the VNet, so no tunnel or API-server network rules. */
  privateCluster: boolean;
  /** The environment's registry and storage account (images, models, scoring code, logs). */
  registryName: string;
  storageAccountName: string;
  /** Host of the repository Flux syncs instance types from (`serving.gitops`), when there is one. */
  gitopsRepositoryHost?: string;
}

type RuleCollection = network.FirewallPolicyRuleCollectionGroupArgs["ruleCollections"];

const https = [{ protocolType: "Https", port: 443 }];

/**
 * The allow-list for AKS egress, nothing else: the firewall policy denies what no rule allows.
 *
 * - AKS: the `AzureKubernetesService` FQDN tag, which Azure Firewall keeps equal to the required
 *   global FQDNs (MS Learn, "Outbound network and FQDN rules for Azure Kubernetes Service (AKS)
 *   clusters": MCR, management.azure.com, login.microsoftonline.com, packages.microsoft.com,
 *   acs-mirror.azureedge.net, packages.aks.azure.com, the control plane `*.hcp.<region>.azmk8s.io`);
 *   the add-ons in use (Container insights with Entra auth, Defender, Azure Policy, Key Vault CSI) from
 *   the same article; for a public API server, its network rules (UDP 1194, TCP 9000 and 443 to
 *   `AzureCloud.<region>`).
 * - The Azure ML extension and inference (MS Learn, "Configure inbound and outbound network
 *   traffic", Kubernetes compute section; Azure/AML-Kubernetes docs/network-requirements.md): the
 *   cluster extensions data plane `<region>.dp.kubernetesconfiguration.azure.com`, the workspace API
 *   `*.workspace.<region>.api.azureml.ms`, `<region>.api.azureml.ms`, `<region>.experiments.azureml.net`,
 *   this environment's registry and blob endpoint, and the system-log upload hosts
 *   (`*.kusto.windows.net`, `*.table.core.windows.net`, `*.queue.core.windows.net`).
 * Traffic to the private endpoints stays inside the VNet (its address space is routed before 0.0.0.0/0).
 */
export function aksEgressRuleCollections(i: AksEgressRuleInputs): RuleCollection {
  const app = (name: string, fqdns: string[], description: string) => ({
    ruleType: "ApplicationRule" as const,
    name,
    description,
    sourceAddresses: [i.sourceCidr],
    protocols: https,
    targetFqdns: fqdns,
  });
  const application = {
    ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
    name: "aks-and-azureml",
    priority: 200,
    action: { type: "Allow" },
    rules: [
      { ruleType: "ApplicationRule" as const, name: "aks-required", description: "AKS required global FQDNs", sourceAddresses: [i.sourceCidr], protocols: https, fqdnTags: ["AzureKubernetesService"] },
      app(
        "aks-addons",
        [
          "dc.services.visualstudio.com",
          "*.ods.opinsights.azure.com",
          "*.oms.opinsights.azure.com",
          "*.monitoring.azure.com",
          "global.handler.control.monitor.azure.com",
          `${i.region}.handler.control.monitor.azure.com`,
          "*.ingest.monitor.azure.com",
          "*.cloud.defender.microsoft.com",
          "data.policy.core.windows.net",
          "store.policy.core.windows.net",
          "vault.azure.net",
        ],
        "Container insights, Defender, Azure Policy and Key Vault CSI add-ons",
      ),
      app(
        "azureml-extension",
        [`${i.region}.dp.kubernetesconfiguration.azure.com`, "mcr.microsoft.com", "*.data.mcr.microsoft.com", "management.azure.com", "login.microsoftonline.com", "*.kusto.windows.net", "*.table.core.windows.net", "*.queue.core.windows.net"],
        "Azure ML extension: cluster extensions data plane, images, ARM, Entra, system logs",
      ),
      app(
        "azureml-inference",
        [
          `*.workspace.${i.region}.api.azureml.ms`,
          `${i.region}.api.azureml.ms`,
          `${i.region}.experiments.azureml.net`,
          `${i.registryName}.azurecr.io`,
          `${i.registryName}.${i.region}.data.azurecr.io`,
          `${i.storageAccountName}.blob.core.windows.net`,
        ],
        "Azure ML workspace API, this environment's registry and storage",
      ),
      // Flux (microsoft.flux) pulls from the extensions data plane and MCR (allowed above) and clones
      // the GitOps repository ("GitOps (Flux v2) network requirements").
      ...(i.gitopsRepositoryHost ? [app("gitops-source", [i.gitopsRepositoryHost], "Flux: the repository holding this stack's instance-type manifests")] : []),
    ],
  };
  const tunnel = {
    ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
    name: "aks-public-api-server",
    priority: 100,
    action: { type: "Allow" },
    rules: [
      { ruleType: "NetworkRule" as const, name: "tunnel-udp", sourceAddresses: [i.sourceCidr], destinationAddresses: [`AzureCloud.${i.region}`], destinationPorts: ["1194"], ipProtocols: ["UDP"] },
      { ruleType: "NetworkRule" as const, name: "tunnel-tcp", sourceAddresses: [i.sourceCidr], destinationAddresses: [`AzureCloud.${i.region}`], destinationPorts: ["9000", "443"], ipProtocols: ["TCP"] },
    ],
  };
  return i.privateCluster ? [application] : [tunnel, application];
}
