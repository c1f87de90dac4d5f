export { EnvironmentNetwork } from "./environmentNetwork";
export type { EnvironmentNetworkArgs } from "./environmentNetwork";
export { PrivateLinks, privateDnsZonesByGroup } from "./privateLinks";
export type { PrivateLinksArgs, PrivateLinkTarget, PrivateLinkGroup } from "./privateLinks";
export { VnetFlowLog } from "./vnetFlowLog";
export type { VnetFlowLogArgs } from "./vnetFlowLog";
export { aksEgressRuleCollections } from "./aksEgressRules";
export type { AksEgressRuleInputs } from "./aksEgressRules";
