export { MlWorkspace } from "./mlWorkspace";
export type { MlWorkspaceArgs } from "./mlWorkspace";
