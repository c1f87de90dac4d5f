import * as pulumi from "@pulumi/pulumi";
import * as ml from "@pulumi/azure-native/machinelearningservices";

export interface WorkspaceOutboundRulesArgs {
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  /** The workspace's storage account: parallel steps and batch jobs use its queues and tables. */
  storageAccountId: pulumi.Input<string>;
  /** Package hosts image builds pull from (conda channels and PyPI). */
  packageHosts?: string[];
}

/**
 * What a workspace whose managed network allows only approved outbound traffic needs for this
 * project's workloads ("Configure a managed network with approved outbound", Azure ML docs):
 * - FQDN rules for the package hosts environment images build from: conda-forge, pytorch and nvidia
 *   channels are served by conda.anaconda.org, pip by pypi.org and files.pythonhosted.org. FQDN rules
 *   run on the managed network's Azure Firewall (billed with the workspace).
 * - Private endpoint rules to the workspace storage's `queue` and `table` endpoints, which parallel
 *   (ParallelRunStep) and batch jobs use besides blob and file.
 * Kubernetes compute is not part of the managed network ("Kubernetes and attached VMs aren't supported
 * in an Azure Machine Learning managed virtual network", limitations): the AKS cluster reaches the
 * workspace, storage, registry and vault through the private endpoints in the environment's own VNet.
 */
export const DEFAULT_PACKAGE_HOSTS = ["conda.anaconda.org", "pypi.org", "files.pythonhosted.org"];

export class WorkspaceOutboundRules extends pulumi.ComponentResource {
  readonly ruleNames: string[];

  constructor(name: string, args: WorkspaceOutboundRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:workspace:OutboundRules", name, {}, opts);
    const target = { resourceGroupName: args.resourceGroupName, workspaceName: args.workspaceName, managedNetworkName: "default" };
    const hosts = args.packageHosts ?? DEFAULT_PACKAGE_HOSTS;
    const rules: [string, ml.OutboundRuleArgs["properties"]][] = [
      ...hosts.map((host): [string, ml.OutboundRuleArgs["properties"]] => [
        `fqdn-${host.replace(/[^a-z0-9]+/gi, "-")}`,
        { type: "FQDN", category: ml.RuleCategory.UserDefined, destination: host },
      ]),
      ...(["queue", "table"] as const).map((sub): [string, ml.OutboundRuleArgs["properties"]] => [
        `pe-storage-${sub}`,
        { type: "PrivateEndpoint", category: ml.RuleCategory.UserDefined, destination: { serviceResourceId: args.storageAccountId, subresourceTarget: sub, sparkEnabled: false } },
      ]),
    ];
    for (const [ruleName, properties] of rules) {
      new ml.OutboundRule(`${name}-${ruleName}`, { ...target, ruleName, properties }, { parent: this });
    }
    this.ruleNames = rules.map(([r]) => r);
    this.registerOutputs({ ruleNames: this.ruleNames });
  }
}
