import { PRIVATE_NETWORK, PROD_DENY } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule, ResourceView, StackFinding, StackRule } from "./types";
import { asArray, at, isBool, isUnknown, sameText, show } from "./values";

interface Connection {
  endpoint: ResourceView;
  groupIds: string[];
  target: unknown;
}

function connectionsOf(endpoint: ResourceView): Connection[] {
  return ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"].flatMap((key) =>
    asArray(at(endpoint.inputs, key)).map((c) => ({
      endpoint,
      groupIds: asArray(at(c, "groupIds")).filter((g): g is string => typeof g === "string"),
      target: at(c, "privateLinkServiceId"),
    })),
  );
}

/** The physical name a resource is created under (the ARM id ends with it). */
function physicalName(r: ResourceView): unknown {
  const key = {
    [TYPES.workspace]: "workspaceName",
    [TYPES.storageAccount]: "accountName",
    [TYPES.vault]: "vaultName",
    [TYPES.registry]: "registryName",
  }[r.type];
  return key ? at(r.inputs, key) : undefined;
}

/**
 * Whether a connection points at the resource. When either side is not known before deployment the
 * group ID alone decides, because the plan cannot tell which account an unknown ID will name.
 */
function targets(c: Connection, r: ResourceView): boolean {
  if (c.endpoint.dependsOn?.includes(r.urn)) return true;
  const name = physicalName(r);
  if (typeof c.target !== "string" || isUnknown(c.target) || typeof name !== "string" || isUnknown(name)) return true;
  return c.target.toLowerCase().replace(/\/$/, "").endsWith(`/${name.toLowerCase()}`);
}

/** The private link sub-resources each workspace dependency needs (policy/README.md, rule `private-endpoints-for-workspace`). */
const REQUIRED_GROUPS: { type: string; groups: string[] }[] = [
  { type: TYPES.workspace, groups: ["amlworkspace"] },
  { type: TYPES.storageAccount, groups: ["blob", "file"] },
  { type: TYPES.vault, groups: ["vault"] },
  { type: TYPES.registry, groups: ["registry"] },
];

export const privateEndpointsForWorkspace: StackRule = {
  scope: "stack",
  name: "private-endpoints-for-workspace",
  description:
    "The workspace ('amlworkspace'), its storage ('blob', 'file'), key vault ('vault') and registry ('registry') each have a private endpoint.",
  anchors: ["45e05259", "6edd7eda", "a6abeaec", "e8eef0a8", "CKV2_AZURE_33", "CKV2_AZURE_32"],
  levels: PRIVATE_NETWORK,
  remediation:
    "declare a network.PrivateEndpoint in the private-endpoint subnet for each missing group, with a private DNS zone group so names resolve to it",
  check(resources) {
    if (!resources.some((r) => r.type === TYPES.workspace)) return [];
    const connections = resources.filter((r) => r.type === TYPES.privateEndpoint).flatMap(connectionsOf);
    const findings: StackFinding[] = [];
    for (const { type, groups } of REQUIRED_GROUPS) {
      for (const r of resources.filter((x) => x.type === type)) {
        const missing = groups.filter(
          (g) => !connections.some((c) => c.groupIds.some((id) => sameText(id, g)) && targets(c, r)),
        );
        if (missing.length > 0) {
          findings.push({ urn: r.urn, message: `no private endpoint for group ${missing.map((g) => `'${g}'`).join(", ")}` });
        }
      }
    }
    return findings;
  },
};

const MANAGED_MODES = ["AllowOnlyApprovedOutbound", "AllowInternetOutbound"];

function usesManagedNetwork(workspace: ResourceView): boolean {
  const mode = at(workspace.inputs, "managedNetwork.isolationMode");
  return MANAGED_MODES.some((m) => sameText(mode, m));
}

function subnetOf(compute: ResourceView): unknown {
  return at(compute.inputs, "properties.properties.subnet.id");
}

/** Clusters and instances: the compute kinds a workspace managed network covers (Kubernetes is not one). */
function isVnetCapableCompute(r: ResourceView): boolean {
  const kind = at(r.inputs, "properties.computeType");
  return r.type === TYPES.compute && (sameText(kind, "AmlCompute") || sameText(kind, "ComputeInstance"));
}

export const oneNetworkModel: StackRule = {
  scope: "stack",
  name: "one-network-model",
  description:
    "Compute isolation uses exactly one network model: the workspace managed network, or every cluster/instance in a customer subnet (`subnet.id`).",
  anchors: ["6ddb1705", "7804b5c7", "Azure.ML.ComputeVnet"],
  levels: PRIVATE_NETWORK,
  remediation:
    "either set the workspace managedNetwork.isolationMode 'AllowOnlyApprovedOutbound' and give computes no subnet, or leave the managed network off and put every cluster and instance in the compute subnet",
  check(resources) {
    const workspaces = resources.filter((r) => r.type === TYPES.workspace);
    const computes = resources.filter(isVnetCapableCompute);
    if (workspaces.length === 0 || computes.length === 0) return [];
    const managed = workspaces.some(usesManagedNetwork);
    const inSubnet = computes.filter((c) => {
      const s = subnetOf(c);
      return s !== undefined && s !== "";
    });
    if (managed) {
      return inSubnet.map((c) => ({
        urn: c.urn,
        message: "sits in a customer subnet while the workspace uses a managed network: two network models in one environment",
      }));
    }
    const findings: StackFinding[] = [];
    if (inSubnet.length === 0) {
      findings.push(
        ...workspaces.map((w) => ({
          urn: w.urn,
          message: "no network model: the workspace has no managed network and no cluster or instance is in a subnet",
        })),
      );
    }
    for (const c of computes.filter((x) => !inSubnet.includes(x))) {
      if (isBool(at(c.inputs, "properties.properties.enableNodePublicIp"), false)) {
        // No-public-IP nodes are reached over private link, which needs a subnet or the managed network.
        findings.push({ urn: c.urn, message: "enableNodePublicIp is false but the compute has no subnet and the workspace no managed network: Azure cannot place its nodes" });
      } else if (inSubnet.length > 0) {
        findings.push({ urn: c.urn, message: "is outside the compute subnet that the environment's other computes use" });
      }
    }
    return findings;
  },
};

/**
 * Private environments control where AKS traffic leaves from: a NAT gateway or a user-defined route
 * (to a firewall), never the cluster's public load balancer (MS Learn, "Customize cluster egress
 * with outbound types in AKS").
 */
export const aksEgressControlled: ResourceRule = {
  scope: "resource",
  name: "aks-egress-controlled",
  description:
    "In private network mode AKS egress goes through a NAT gateway or a user-defined route (`networkProfile.outboundType` 'userAssignedNATGateway', 'managedNATGateway' or 'userDefinedRouting'), not a public load balancer.",
  anchors: ["custom"],
  levels: PRIVATE_NETWORK,
  remediation:
    "attach a NAT gateway to the AKS subnet and set networkProfile.outboundType: 'userAssignedNATGateway' (infra/stack/network.ts does so in private mode), or route 0.0.0.0/0 to a firewall with outboundType 'userDefinedRouting'",
  types: [TYPES.managedCluster],
  check(r, ctx) {
    if (ctx.networkMode !== "private") return [];
    const v = at(r.inputs, "networkProfile.outboundType");
    if (isUnknown(v)) return [];
    return ["userAssignedNATGateway", "managedNATGateway", "userDefinedRouting"].some((t) => sameText(v, t))
      ? []
      : [`networkProfile.outboundType is ${show(v ?? "loadBalancer")}: pods leave through the cluster's public load balancer`];
  },
};

/** Subnets without Azure's implicit default outbound access (MS Learn, "Default outbound access in Azure"). */
export const subnetNoDefaultOutbound: ResourceRule = {
  scope: "resource",
  name: "subnet-no-default-outbound",
  description: "In private network mode every subnet turns Azure's implicit default outbound access off (`defaultOutboundAccess`=false).",
  anchors: ["7bca8353"],
  levels: PRIVATE_NETWORK,
  remediation: "set defaultOutboundAccess: false on the subnet and give it an explicit egress (NAT gateway, or none for private endpoints)",
  types: [TYPES.subnet],
  check(r, ctx) {
    if (ctx.networkMode !== "private") return [];
    const v = at(r.inputs, "defaultOutboundAccess");
    return isUnknown(v) || isBool(v, false) ? [] : [`defaultOutboundAccess is ${show(v)}: VMs in the subnet reach the internet from an unowned address`];
  },
};

/** Destinations that admit the whole internet in a firewall allow rule. */
const ANY_DESTINATION = ["*", "internet", "0.0.0.0/0"];

/**
 * AKS egress filtered by Azure Firewall (built-in fc5e4038 "[Preview]: All Internet traffic should be
 * routed via your deployed Azure Firewall": a VNet whose used subnets have no route table needs a
 * firewall in its `AzureFirewallSubnet`). The project also wants the cluster on that route, and the
 * firewall policy to allow named destinations only.
 */
export const aksEgressFiltered: StackRule = {
  scope: "stack",
  name: "aks-egress-filtered",
  description:
    "In private network mode AKS egress is filtered: outboundType 'userDefinedRouting', the AKS subnet on a route table sending 0.0.0.0/0 to a virtual appliance, an Azure Firewall with a policy in that VNet's AzureFirewallSubnet, and no allow rule open to any destination.",
  anchors: ["fc5e4038"],
  levels: PROD_DENY,
  remediation:
    "set network.subnets.firewall (mlops:security.egressFirewall): infra/stack/network.ts declares the firewall, its policy with the AKS and Azure ML FQDNs, and the route table on the AKS subnet",
  check(resources, ctx) {
    if (ctx.networkMode !== "private") return [];
    const findings: StackFinding[] = [];
    const clusters = resources.filter((r) => r.type === TYPES.managedCluster);
    if (clusters.length === 0) return [];
    const subnets = resources.filter((r) => r.type === TYPES.subnet);
    const firewalls = resources.filter((r) => r.type === TYPES.azureFirewall);
    const defaultRoutes = resources.filter(
      (r) =>
        r.type === TYPES.routeTable &&
        asArray(at(r.inputs, "routes")).some((route) => at(route, "addressPrefix") === "0.0.0.0/0" && sameText(at(route, "nextHopType"), "VirtualAppliance")),
    );
    for (const c of clusters) {
      const outbound = at(c.inputs, "networkProfile.outboundType");
      if (!isUnknown(outbound) && !sameText(outbound, "userDefinedRouting")) findings.push({ urn: c.urn, message: `networkProfile.outboundType is ${show(outbound ?? "loadBalancer")}: egress is not routed through a firewall` });
      const subnetIds = [...new Set(asArray(at(c.inputs, "agentPoolProfiles")).map((p) => at(p, "vnetSubnetID")).filter((id): id is string => typeof id === "string"))];
      for (const id of subnetIds) {
        const m = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(id);
        if (!m) continue;
        const [, vnetName, subnetName] = m;
        const subnet = subnets.find((s) => sameText(at(s.inputs, "subnetName"), subnetName) && sameText(at(s.inputs, "virtualNetworkName"), vnetName));
        if (subnet && at(subnet.inputs, "routeTable") === undefined) findings.push({ urn: subnet.urn, message: "has no route table: AKS egress bypasses any firewall" });
        if (subnet && at(subnet.inputs, "routeTable") !== undefined && defaultRoutes.length === 0) findings.push({ urn: subnet.urn, message: "no route table in the stack sends 0.0.0.0/0 to a virtual appliance" });
        const inVnet = firewalls.filter((f) =>
          asArray(at(f.inputs, "ipConfigurations")).some((ip) => {
            const sid = at(ip, "subnet.id");
            return isUnknown(sid) || (typeof sid === "string" && sid.toLowerCase().endsWith(`/virtualnetworks/${vnetName.toLowerCase()}/subnets/azurefirewallsubnet`));
          }),
        );
        if (inVnet.length === 0) findings.push({ urn: c.urn, message: `no Azure Firewall in ${vnetName}/AzureFirewallSubnet filters the cluster's egress` });
        for (const f of inVnet) if (at(f.inputs, "firewallPolicy.id") === undefined) findings.push({ urn: f.urn, message: "has no firewall policy: nothing says what egress is allowed" });
      }
    }
    for (const g of resources.filter((r) => r.type === TYPES.firewallRuleGroup)) {
      for (const rc of asArray(at(g.inputs, "ruleCollections"))) {
        if (!sameText(at(rc, "action.type"), "Allow")) continue;
        for (const rule of asArray(at(rc, "rules"))) {
          const targets = [...asArray(at(rule, "targetFqdns")), ...asArray(at(rule, "destinationAddresses")), ...asArray(at(rule, "destinationFqdns"))];
          const open = targets.find((t) => typeof t === "string" && ANY_DESTINATION.includes(t.toLowerCase()));
          if (open !== undefined) findings.push({ urn: g.urn, message: `rule '${String(at(rule, "name"))}' allows ${show(open)}: the firewall filters nothing` });
        }
      }
    }
    return findings;
  },
};

/** Minimum days a flow log keeps its records: the environment's log retention (spec LOG_RETENTION_DAYS). */
const FLOW_LOG_MIN_DAYS = { dev: 30, qa: 60, prod: 90 } as const;

/**
 * VNet flow logs (built-ins 4c3c6c5f "Flow logs should be configured for every virtual network" and
 * 27960feb "Flow logs should be enabled for every network security group", which audits any
 * Microsoft.Network/networkWatchers/flowLogs resource with `enabled` false). NSG flow logs can no
 * longer be created (MS Learn, Network Watcher, "NSG flow logs retirement"), so the VNet is the target.
 */
export const vnetFlowLogs: StackRule = {
  scope: "stack",
  name: "vnet-flow-logs",
  description: "Every virtual network has an enabled VNet flow log (Network Watcher) keeping its records at least the environment's log retention (30/60/90 days dev/qa/prod).",
  anchors: ["4c3c6c5f", "27960feb"],
  levels: PROD_DENY,
  remediation: "set mlops:security.flowLogs (a network.FlowLog with targetResourceId = the VNet, enabled: true, retentionPolicy { enabled: true, days })",
  check(resources, ctx) {
    const findings: StackFinding[] = [];
    const logs = resources.filter((r) => r.type === TYPES.flowLog);
    const minDays = FLOW_LOG_MIN_DAYS[ctx.environment];
    for (const f of logs) {
      const enabled = at(f.inputs, "enabled");
      if (!isUnknown(enabled) && enabled !== true) findings.push({ urn: f.urn, message: `enabled is ${show(enabled)}: the flow log records nothing` });
      const kept = at(f.inputs, "retentionPolicy.enabled");
      const days = at(f.inputs, "retentionPolicy.days");
      if (!isUnknown(kept) && !isUnknown(days) && (kept !== true || typeof days !== "number" || (days !== 0 && days < minDays))) {
        findings.push({ urn: f.urn, message: `retentionPolicy keeps ${kept === true ? show(days) + " days" : "nothing (retention off)"}, below the ${ctx.environment} minimum of ${minDays} days` });
      }
    }
    for (const vnet of resources.filter((r) => r.type === TYPES.virtualNetwork)) {
      const name = at(vnet.inputs, "virtualNetworkName");
      const covered = logs.some((f) => {
        const target = at(f.inputs, "targetResourceId");
        return isUnknown(target) || (typeof target === "string" && typeof name === "string" && target.toLowerCase().endsWith(`/virtualnetworks/${name.toLowerCase()}`));
      });
      if (!covered) findings.push({ urn: vnet.urn, message: "has no flow log: its traffic is recorded nowhere" });
    }
    return findings;
  },
};

export const networkRules = [privateEndpointsForWorkspace, oneNetworkModel, aksEgressControlled, aksEgressFiltered, subnetNoDefaultOutbound, vnetFlowLogs];
