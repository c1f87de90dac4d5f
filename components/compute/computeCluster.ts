import * as pulumi from "@pulumi/pulumi";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import type { NodeKind } from "../../shared/kinds";
import { BuiltInRole, grantRole } from "../authorization/roles";

export interface ComputeClusterArgs {
  /** Workspace the cluster belongs to. */
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  location: string;
  /** Physical cluster name (≤ 16, checked by shared/naming): pipeline steps refer to it. */
  computeName: string;
  kind: NodeKind;
  vmSize: string;
  priority: "Dedicated" | "LowPriority";
  /** Public IPs on nodes (the spec's default is off: the managed VNet makes them unnecessary). */
  nodePublicIp: boolean;
  minNodes: number;
  maxNodes: number;
  /** ISO 8601 duration, e.g. PT15M. */
  idleTimeBeforeScaleDown: string;
  description?: string;
  /** Only for a customer-VNet network model; leave unset when the workspace uses its managed VNet. */
  subnetId?: pulumi.Input<string>;
  tags: Record<string, string>;
  /** The cluster's identity is granted access to these, each at its own scope. */
  access: {
    subscriptionId: pulumi.Input<string>;
    /** Jobs write outputs to the workspace's default container, whose name Azure generates. */
    storageAccountId: pulumi.Input<string>;
    registryId: pulumi.Input<string>;
    keyVaultId: pulumi.Input<string>;
  };
}

/**
 * An Azure ML compute cluster (AmlCompute) with cost and security defaults: scales to its minimum
 * (0 unless configured) after the idle time, no public IP on nodes, SSH closed, local auth off, and a
 * system-assigned identity that gets only the data-plane roles jobs need.
 */
export class ComputeCluster extends pulumi.ComponentResource {
  readonly computeName: pulumi.Output<string>;
  readonly computeId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: ComputeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:compute:ComputeCluster", name, {}, opts);

    const compute = new ml.Compute(
      `${name}-amlcompute`,
      {
        computeName: args.computeName,
        resourceGroupName: args.resourceGroupName,
        workspaceName: args.workspaceName,
        location: args.location,
        identity: { type: ml.ManagedServiceIdentityType.SystemAssigned },
        properties: {
          computeType: "AmlCompute",
          description: args.description ?? `${args.kind.toUpperCase()} cluster ${args.computeName}`,
          disableLocalAuth: true,
          properties: {
            vmSize: args.vmSize,
            vmPriority: args.priority,
            osType: ml.OsType.Linux,
            scaleSettings: {
              minNodeCount: args.minNodes,
              maxNodeCount: args.maxNodes,
              nodeIdleTimeBeforeScaleDown: args.idleTimeBeforeScaleDown,
            },
            enableNodePublicIp: args.nodePublicIp,
            remoteLoginPortPublicAccess: ml.RemoteLoginPortPublicAccess.Disabled,
            ...(args.subnetId ? { subnet: { id: args.subnetId } } : {}),
          },
        },
        tags: args.tags,
      },
      { parent: this },
    );

    const principalId = compute.identity.apply((i) => i?.principalId ?? "");
    const grants: [string, pulumi.Input<string>, BuiltInRole][] = [
      ["storage", args.access.storageAccountId, "StorageBlobDataContributor"],
      ["registry", args.access.registryId, "AcrPull"],
      ["vault", args.access.keyVaultId, "KeyVaultSecretsUser"],
    ];
    for (const [key, scope, role] of grants) {
      grantRole(`${name}-${key}`, { scope, principalId, role, subscriptionId: args.access.subscriptionId }, { parent: this });
    }

    this.computeName = compute.name;
    this.computeId = compute.id;
    this.principalId = principalId;
    this.registerOutputs({ computeName: this.computeName, computeId: this.computeId, principalId });
  }
}
