export * from "./rules";
export * from "./derive";
