export * from "./rules";
export * from "./derive";
export * from "./environments";
export * from "./tenant";
