export { ComputeCluster } from "./computeCluster";
export type { ComputeClusterArgs } from "./computeCluster";
