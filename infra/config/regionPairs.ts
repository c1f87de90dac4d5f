/**
 * Azure region pairs ("Azure region pairs and nonpaired regions", Reliability docs), for the regions
 * this project deploys to. The Azure ML extension on AKS is reached by the Azure ML control plane of
 * the cluster's region and of its pair, so a public API server must admit both.
 */
export const REGION_PAIRS: Record<string, string> = {
  westeurope: "northeurope",
  northeurope: "westeurope",
  germanywestcentral: "germanynorth",
  francecentral: "francesouth",
  swedencentral: "swedensouth",
  switzerlandnorth: "switzerlandwest",
  uksouth: "ukwest",
  ukwest: "uksouth",
  eastus: "westus",
  westus: "eastus",
  eastus2: "centralus",
  centralus: "eastus2",
  westus2: "westcentralus",
  westus3: "eastus",
  australiaeast: "australiasoutheast",
  japaneast: "japanwest",
  canadacentral: "canadaeast",
};
