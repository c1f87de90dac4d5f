import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import type * as inputs from "@pulumi/azure-native/types/input";
import { grantRole } from "../authorization/roles";
import type { WorkspaceHandle } from "../workspace";

export const AZUREML_EXTENSION_TYPE = "Microsoft.AzureML.Kubernetes";

export interface InstanceTypeArgs {
  name: string;
  /** Kubernetes quantities, e.g. "2" or "500m". */
  cpu: string;
  /** e.g. "4Gi". */
  memory: string;
  gpu: number;
  /** User pool the instance type is pinned to (AKS labels every node with `agentpool=<pool>`). */
  nodePool?: string;
}

export interface AmlKubernetesComputeArgs {
  location: string;
  tags: Record<string, string>;
  subscriptionId: pulumi.Input<string>;
  /** The environment's own AKS cluster. */
  cluster: {
    resourceGroupName: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    clusterId: pulumi.Input<string>;
    /** Kubelet identity: pulls model images from the environment's registry. */
    kubeletObjectId: pulumi.Input<string | undefined>;
    /** The extension installs only once the nodes exist. */
    ready: pulumi.Resource[];
    location: string;
  };
  /** The environment's own workspace, and nothing of another environment. */
  /**
   * Its `identityPrincipalId` is the workspace's user-assigned identity: attaching with it needs
   * Reader, Kubernetes Extension Contributor and Azure Kubernetes Service Cluster Admin Role on the cluster.
   */
  workspace: Pick<WorkspaceHandle, "resourceGroupName" | "workspaceName" | "identityPrincipalId" | "registryId">;
  /** Physical compute name in the workspace (≤ 16). */
  computeName: string;
  /**
   * Kubernetes namespace the endpoints run in, created here as an AKS managed namespace (through ARM,
   * so a private API server needs no network path): "the namespace must be created in the Kubernetes
   * cluster before the cluster can be attached" (Kubernetes compute YAML reference).
   */
  namespace: string;
  /**
   * Instance types are custom resources in the cluster ("Create and manage instance types"); the
   * compute's ARM property does not create them. The default is `defaultinstancetype`, which the
   * service creates on attach. Custom ones are only named here once they exist in the cluster.
   */
  defaultInstanceType: string;
  inference: {
    /** Private mode: the inference router gets an internal load balancer, no public IP. */
    internalLoadBalancer: boolean;
    /** Three router replicas on different nodes; needs at least three nodes. */
    highAvailability: boolean;
    /** A GPU pool exists: install the NVIDIA device plugin. */
    gpu: boolean;
    /**
     * HTTPS for the inference router (insecure connections are refused): the PEM certificate and key
     * go to the extension as the protected settings `scoringFe.sslCert` / `scoringFe.sslKey`, as
     * `az k8s-extension create --config-protected-settings sslCertPemFile=… sslKeyPemFile=…` does, so
     * nothing has to exist in the cluster first; `cname` must resolve to the router.
     */
    tls: { cname: pulumi.Input<string>; certificatePem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
  };
}

/**
 * Makes an environment's AKS cluster an Azure ML compute target: the Azure ML extension with
 * inference enabled and insecure connections refused, the access the attach and image pulls need,
 * and the cluster attached to that environment's workspace as a `Kubernetes` compute with instance
 * types.
 */
export class AmlKubernetesCompute extends pulumi.ComponentResource {
  readonly extensionId: pulumi.Output<string>;
  readonly computeId: pulumi.Output<string>;
  readonly computeName: pulumi.Output<string>;

  constructor(name: string, args: AmlKubernetesComputeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:serving:AmlKubernetesCompute", name, {}, opts);
    const child = { parent: this };
    const inf = args.inference;

    // `az k8s-extension create` fills in settings the chart needs and translates a few user-facing
    // keys into the chart's own (sslSecret → scoringFe.sslSecret, internalLoadBalancerProvider →
    // scoringFe.serviceType.internalLoadBalancer); an ARM install gets none of that, so it is done here.
    const region = args.location.toLowerCase();
    const clusterIdentity = {
      cluster_name: args.cluster.clusterId,
      clusterId: args.cluster.clusterId,
      "prometheus.prometheusSpec.externalLabels.cluster_name": args.cluster.clusterId,
      cluster_name_friendly: args.cluster.clusterName,
      location: region,
      jobSchedulerLocation: region,
      domain: `${region}.cloudapp.azure.com`,
      // AKS reaches Azure ML directly: no Azure Relay or Service Bus (those are for Arc clusters).
      "relayserver.enabled": "false",
      "servicebus.enabled": "false",
      "nginxIngress.enabled": "true",
    };
    const extension = new kubernetesconfiguration.Extension(
      `${name}-extension`,
      {
        extensionName: "azureml",
        // The extension's components authenticate to Azure ML with its own identity (the CLI always creates one).
        identity: { type: kubernetesconfiguration.ResourceIdentityType.SystemAssigned },
        extensionType: AZUREML_EXTENSION_TYPE,
        clusterRp: "Microsoft.ContainerService",
        clusterResourceName: "managedClusters",
        clusterName: args.cluster.clusterName,
        resourceGroupName: args.cluster.resourceGroupName,
        autoUpgradeMinorVersion: true,
        releaseTrain: "stable",
        scope: { cluster: { releaseNamespace: "azureml" } },
        configurationSettings: {
          ...clusterIdentity,
          enableInference: "True",
          // Batch scoring runs as a pipeline on the workspace's compute clusters, not on AKS.
          enableTraining: "False",
          inferenceRouterServiceType: "LoadBalancer",
          ...(inf.internalLoadBalancer ? { internalLoadBalancerProvider: "azure", "scoringFe.serviceType.internalLoadBalancer": "true" } : {}),
          allowInsecureConnections: "False",
          inferenceRouterHA: inf.highAvailability ? "True" : "False",
          sslCname: inf.tls.cname,
          ...(inf.gpu ? { installNvidiaDevicePlugin: "True" } : {}),
        },
        // Base64 of the PEM files, as the CLI sends them (Azure/azure-cli-extensions,
        // k8s-extension AzureMLKubernetes.py). Secret in state and plan; Azure never returns them.
        configurationProtectedSettings: pulumi.secret({
          "scoringFe.sslCert": pulumi.output(inf.tls.certificatePem).apply((pem) => Buffer.from(pem, "utf8").toString("base64")),
          "scoringFe.sslKey": pulumi.output(inf.tls.keyPem).apply((pem) => Buffer.from(pem, "utf8").toString("base64")),
        }),
      },
      { parent: this, dependsOn: args.cluster.ready },
    );

    // Attaching a cluster to a workspace that runs as a user-assigned identity: that identity needs
    // these three roles on the cluster ("Attach a Kubernetes cluster to Azure Machine Learning workspace").
    const attachRoles = [
      ["workspace-reader", "Reader"],
      ["workspace-extension-contributor", "KubernetesExtensionContributor"],
      ["workspace-cluster-admin", "AksClusterAdmin"],
    ] as const;
    const attachAccess = attachRoles.map(([key, role]) =>
      grantRole(`${name}-${key}`, { scope: args.cluster.clusterId, principalId: args.workspace.identityPrincipalId, role, subscriptionId: args.subscriptionId }, child),
    );

    // Inference pods get their own namespace; the router (namespace `azureml`) must reach them.
    const namespace = new containerservice.ManagedNamespace(
      `${name}-namespace`,
      {
        managedNamespaceName: args.namespace,
        resourceName: args.cluster.clusterName,
        resourceGroupName: args.cluster.resourceGroupName,
        location: args.cluster.location,
        properties: {
          labels: { "app.kubernetes.io/part-of": "azureml-inference" },
          defaultNetworkPolicy: { ingress: containerservice.PolicyRule.AllowAll, egress: containerservice.PolicyRule.AllowAll },
          adoptionPolicy: containerservice.AdoptionPolicy.IfIdentical,
          deletePolicy: containerservice.DeletePolicy.Keep,
        },
        tags: args.tags,
      },
      { parent: this, dependsOn: args.cluster.ready },
    );

    // The registry's admin user is off, so nodes pull model images with the kubelet identity.
    const kubelet = pulumi.output(args.cluster.kubeletObjectId).apply((id) => id ?? "");
    grantRole(`${name}-kubelet-acrpull`, { scope: args.workspace.registryId, principalId: kubelet, role: "AcrPull", subscriptionId: args.subscriptionId }, child);

    const compute = new ml.Compute(
      `${name}-compute`,
      {
        computeName: args.computeName,
        resourceGroupName: args.workspace.resourceGroupName,
        workspaceName: args.workspace.workspaceName,
        location: args.location,
        properties: {
          computeType: "Kubernetes",
          description: `AKS ${args.computeName}: online inference`,
          resourceId: args.cluster.clusterId,
          disableLocalAuth: true,
          properties: {
            namespace: args.namespace,
            defaultInstanceType: args.defaultInstanceType,
          },
        },
        tags: args.tags,
      },
      { parent: this, dependsOn: [extension, namespace, ...attachAccess] },
    );

    this.extensionId = extension.id;
    this.computeId = compute.id;
    this.computeName = compute.name;
    this.registerOutputs({ extensionId: this.extensionId, computeId: this.computeId, computeName: this.computeName });
  }
}

/** Instance types as the compute API takes them: node selector plus requests = limits (guaranteed QoS). */
export function instanceTypeSchemas(types: InstanceTypeArgs[]): Record<string, inputs.machinelearningservices.InstanceTypeSchemaArgs> {
  return Object.fromEntries(
    types.map((t) => {
      const quantities: Record<string, string> = { cpu: t.cpu, memory: t.memory, ...(t.gpu > 0 ? { "nvidia.com/gpu": String(t.gpu) } : {}) };
      return [t.name, { ...(t.nodePool ? { nodeSelector: { agentpool: t.nodePool } } : {}), resources: { requests: quantities, limits: quantities } }];
    }),
  );
}
