export * from "./rules";
export * from "./derive";
export * from "./tenant";
