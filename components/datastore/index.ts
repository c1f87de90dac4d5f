export { MlDatastore } from "./mlDatastore";
export type { MlDatastoreArgs } from "./mlDatastore";
