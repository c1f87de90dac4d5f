export { MlWorkspace } from "./mlWorkspace";
export type { MlWorkspaceArgs, WorkspaceHandle } from "./mlWorkspace";
export { WorkspaceOutboundRules, DEFAULT_PACKAGE_HOSTS } from "./outboundRules";
export type { WorkspaceOutboundRulesArgs } from "./outboundRules";
