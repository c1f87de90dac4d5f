export * from "./types";
export { configSchema, configKeys } from "./schema";
export { readStackConfigFiles, SECRET_PLACEHOLDER } from "./files";
export type { StackConfigFiles } from "./files";
export { buildEnvironmentSpec } from "./spec";
export type { SpecInput } from "./spec";
export { isGpuVmSize } from "./rules";
