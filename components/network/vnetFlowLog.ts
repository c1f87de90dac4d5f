import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface VnetFlowLogArgs {
  location: string;
  tags: Record<string, string>;
  /** The virtual network whose traffic is recorded (VNet flow logs target the VNet, not an NSG). */
  virtualNetworkId: pulumi.Input<string>;
  flowLogName: string;
  /** Storage account (same region) the records are written to, as block blobs. */
  storageAccountId: pulumi.Input<string>;
  /** User-assigned identity that writes to the storage account (it needs Storage Blob Data Contributor). */
  identityId: pulumi.Input<string>;
  retentionDays: number;
}

/**
 * A virtual network flow log. New NSG flow logs cannot be created since 30 June 2025 and the
 * existing ones retire on 30 September 2027; VNet flow logs replace them (MS Learn, Network Watcher
 * "Virtual network flow logs" overview and "NSG flow logs retirement"). The flow log lives in the
 * region's Network Watcher, which Azure enables by itself (`NetworkWatcher_<region>` in
 * `NetworkWatcherRG`) when the subscription's first VNet is created there ("Enable or disable Azure
 * Network Watcher"). Writing through a user-assigned identity lets the storage account keep shared
 * keys off ("Managed identity for virtual network flow logs").
 */
export class VnetFlowLog extends pulumi.ComponentResource {
  readonly flowLogId: pulumi.Output<string>;

  constructor(name: string, args: VnetFlowLogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:network:VnetFlowLog", name, {}, opts);
    const flowLog = new network.FlowLog(
      `${name}-flowlog`,
      {
        flowLogName: args.flowLogName,
        networkWatcherName: `NetworkWatcher_${args.location}`,
        resourceGroupName: "NetworkWatcherRG",
        location: args.location,
        targetResourceId: args.virtualNetworkId,
        storageId: args.storageAccountId,
        enabled: true,
        format: { type: network.FlowLogFormatType.JSON, version: 2 },
        retentionPolicy: { enabled: true, days: args.retentionDays },
        identity: { type: network.ResourceIdentityType.UserAssigned, userAssignedIdentities: [args.identityId] },
        tags: args.tags,
      },
      { parent: this },
    );
    this.flowLogId = flowLog.id;
    this.registerOutputs({ flowLogId: this.flowLogId });
  }
}
