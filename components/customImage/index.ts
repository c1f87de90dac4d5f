export * from "./customImageServing";
export * from "./imageBuild";
