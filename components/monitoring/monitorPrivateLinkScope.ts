import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

export interface MonitorPrivateLinkScopeArgs {
  resourceGroupName: pulumi.Input<string>;
  tags: Record<string, string>;
  /** Physical scope name. */
  scopeName: string;
  /** Log Analytics workspaces and Application Insights components reached through the scope. */
  scopedResources: { key: string; id: pulumi.Input<string> }[];
}

/**
 * An Azure Monitor private link scope in private-only mode: networks linked to it (through a
 * private endpoint with group id 'azuremonitor') may ingest into and query only the resources
 * scoped here, and nothing else in Azure Monitor (MS Learn, "Use Azure Private Link to connect
 * networks to Azure Monitor", private-only vs open access modes; policy a499fed8). The scope is a
 * global resource.
 */
export class MonitorPrivateLinkScope extends pulumi.ComponentResource {
  readonly scopeId: pulumi.Output<string>;
  readonly scopeName: pulumi.Output<string>;

  constructor(name: string, args: MonitorPrivateLinkScopeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:monitoring:MonitorPrivateLinkScope", name, {}, opts);
    const child = { parent: this };
    const scope = new monitor.PrivateLinkScope(
      `${name}-scope`,
      {
        scopeName: args.scopeName,
        resourceGroupName: args.resourceGroupName,
        location: "global",
        accessModeSettings: { ingestionAccessMode: monitor.AccessMode.PrivateOnly, queryAccessMode: monitor.AccessMode.PrivateOnly },
        tags: args.tags,
      },
      child,
    );
    for (const r of args.scopedResources) {
      new monitor.PrivateLinkScopedResource(
        `${name}-${r.key}`,
        { name: `${args.scopeName}-${r.key}`, scopeName: scope.name, resourceGroupName: args.resourceGroupName, linkedResourceId: r.id, kind: monitor.ScopedResourceKind.Resource },
        child,
      );
    }
    this.scopeId = scope.id;
    this.scopeName = scope.name;
    this.registerOutputs({ scopeId: this.scopeId });
  }
}
