import * as pulumi from "@pulumi/pulumi";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";

export const FLUX_EXTENSION_TYPE = "microsoft.flux";

export interface InstanceTypesGitOpsArgs {
  cluster: { resourceGroupName: pulumi.Input<string>; clusterName: pulumi.Input<string> };
  /** Repository, branch and folder holding the stack's `InstanceType` manifest (`instanceTypeManifest.ts`). */
  source: { repositoryUrl: string; branch: string; path: string; httpsUser?: string };
  /** Token for a private repository (with `source.httpsUser`); kept secret, sent as a protected setting. */
  httpsKey?: pulumi.Input<string>;
  /** The Azure ML extension: it installs the `InstanceType` custom resource definition. */
  after: pulumi.Resource[];
}

/**
 * Instance types in the cluster, declared from Azure's side. They are custom resources of the Azure
 * ML extension ("Create and manage instance types"), and prod's API server is private with command
 * invoke off, so nothing here can `kubectl apply` them; instead the cluster pulls them: the Flux
 * cluster extension (`microsoft.flux`) and a Flux configuration (`Microsoft.KubernetesConfiguration/
 * fluxConfigurations`) that syncs the stack's manifest folder of this repository ("Tutorial: Deploy
 * applications using GitOps with Flux v2"; types from `@pulumi/azure-native` kubernetesconfiguration,
 * api 2023-05-01). `prune` removes an instance type dropped from the config; the ARM write waits for
 * the first reconciliation, so endpoints created after it find their instance type.
 */
export class InstanceTypesGitOps extends pulumi.ComponentResource {
  readonly fluxConfigurationName: pulumi.Output<string>;

  constructor(name: string, args: InstanceTypesGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:serving:InstanceTypesGitOps", name, {}, opts);
    const cluster = { clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters", clusterName: args.cluster.clusterName, resourceGroupName: args.cluster.resourceGroupName };

    const flux = new kubernetesconfiguration.Extension(
      `${name}-flux`,
      {
        ...cluster,
        extensionName: "flux",
        extensionType: FLUX_EXTENSION_TYPE,
        autoUpgradeMinorVersion: true,
        releaseTrain: "Stable",
        scope: { cluster: { releaseNamespace: "flux-system" } },
      },
      { parent: this, dependsOn: args.after },
    );

    const config = new kubernetesconfiguration.FluxConfiguration(
      `${name}-config`,
      {
        ...cluster,
        fluxConfigurationName: "instance-types",
        namespace: "flux-system",
        scope: kubernetesconfiguration.ScopeType.Cluster,
        sourceKind: kubernetesconfiguration.SourceKindType.GitRepository,
        gitRepository: {
          url: args.source.repositoryUrl,
          repositoryRef: { branch: args.source.branch },
          ...(args.source.httpsUser ? { httpsUser: args.source.httpsUser } : {}),
          syncIntervalInSeconds: 300,
          timeoutInSeconds: 180,
        },
        kustomizations: {
          "instance-types": { path: `./${args.source.path}`, prune: true, syncIntervalInSeconds: 300, timeoutInSeconds: 300, retryIntervalInSeconds: 120 },
        },
        // The key goes base64-encoded in the protected settings, as the az CLI sends it
        // (k8s-configuration FluxConfigurationProvider.py, `httpsKey`); ARM never returns it.
        ...(args.httpsKey
          ? { configurationProtectedSettings: pulumi.secret(pulumi.output(args.httpsKey).apply((k) => ({ httpsKey: Buffer.from(k, "utf8").toString("base64") }))) }
          : {}),
        waitForReconciliation: true,
        reconciliationWaitDuration: "PT15M",
      },
      { parent: this, dependsOn: [flux, ...args.after] },
    );

    this.fluxConfigurationName = config.name;
    this.registerOutputs({ fluxConfigurationName: this.fluxConfigurationName });
  }
}
