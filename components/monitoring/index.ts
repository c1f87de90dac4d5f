export * from "./diagnosticSettings";
