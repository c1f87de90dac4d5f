export * from "./diagnosticSettings";
export * from "./monitorPrivateLinkScope";
