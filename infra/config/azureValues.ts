/**
 * Values Azure accepts, kept offline so a plan can refuse what a deployment would refuse late.
 * Neither the Azure SDK nor azure-native ships a region list (checked: node_modules holds only
 * partial lists for telemetry), so the lists below are data with their sources.
 */

/**
 * ARM names of Azure's physical regions: `az account list-locations --query
 * "[?metadata.regionType=='Physical'].name"` (ARM "Subscriptions - List Locations",
 * GET /subscriptions/{id}/locations) for the public cloud, plus Azure Government and Azure China
 * (same API on their ARM endpoints). A region Azure adds later: add it here.
 */
export const AZURE_REGIONS: readonly string[] = [
  // Public cloud
  "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
  "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia",
  "centralus", "centraluseuap", "chilecentral", "eastasia", "eastus", "eastus2", "eastus2euap",
  "francecentral", "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral",
  "israelcentral", "italynorth", "japaneast", "japanwest", "jioindiacentral", "jioindiawest",
  "koreacentral", "koreasouth", "malaysiasouth", "malaysiawest", "mexicocentral", "newzealandnorth",
  "northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral", "qatarcentral",
  "southafricanorth", "southafricawest", "southcentralus", "southeastasia", "southindia",
  "spaincentral", "swedencentral", "swedensouth", "switzerlandnorth", "switzerlandwest",
  "taiwannorth", "taiwannorthwest", "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus",
  "westeurope", "westindia", "westus", "westus2", "westus3",
  // Azure Government
  "usdodcentral", "usdodeast", "usgovarizona", "usgovtexas", "usgovvirginia",
  // Azure operated by 21Vianet (China)
  "chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3",
];

/**
 * Time zones an Azure ML schedule accepts. The REST spec (machinelearningservices `TriggerBase.timeZone`)
 * says "TimeZone should follow Windows time zone format" (Windows "Default Time Zones"); these are the
 * values of azure-ai-ml's `TimeZone` enum (Azure/azure-sdk-for-python, sdk/ml/azure-ai-ml,
 * azure/ai/ml/constants/_common.py), "time zones that a job or compute instance schedule accepts".
 * IANA names such as `Europe/Amsterdam` are not accepted by the service.
 */
export const SCHEDULE_TIME_ZONES: readonly string[] = [
  "Dateline Standard Time", "UTC-11", "Aleutian Standard Time", "Hawaiian Standard Time",
  "Marquesas Standard Time", "Alaskan Standard Time", "UTC-09", "Pacific Standard Time (Mexico)",
  "UTC-08", "Pacific Standard Time", "US Mountain Standard Time", "Mountain Standard Time (Mexico)",
  "Mountain Standard Time", "Central America Standard Time", "Central Standard Time",
  "Easter Island Standard Time", "Central Standard Time (Mexico)", "Canada Central Standard Time",
  "SA Pacific Standard Time", "Eastern Standard Time (Mexico)", "Eastern Standard Time",
  "Haiti Standard Time", "Cuba Standard Time", "US Eastern Standard Time", "Paraguay Standard Time",
  "Atlantic Standard Time", "Venezuela Standard Time", "Central Brazilian Standard Time",
  "SA Western Standard Time", "Pacific SA Standard Time", "Turks And Caicos Standard Time",
  "Newfoundland Standard Time", "Tocantins Standard Time", "E. South America Standard Time",
  "SA Eastern Standard Time", "Argentina Standard Time", "Greenland Standard Time",
  "Montevideo Standard Time", "Saint Pierre Standard Time", "Bahia Standard Time", "UTC-02",
  "Mid-Atlantic Standard Time", "Azores Standard Time", "Cape Verde Standard Time", "UTC",
  "Morocco Standard Time", "GMT Standard Time", "Greenwich Standard Time", "W. Europe Standard Time",
  "Central Europe Standard Time", "Romance Standard Time", "Central European Standard Time",
  "W. Central Africa Standard Time", "Namibia Standard Time", "Jordan Standard Time",
  "GTB Standard Time", "Middle East Standard Time", "Egypt Standard Time", "E. Europe Standard Time",
  "Syria Standard Time", "West Bank Standard Time", "South Africa Standard Time", "FLE Standard Time",
  "Turkey Standard Time", "Israel Standard Time", "Kaliningrad Standard Time", "Libya Standard Time",
  "Arabic Standard Time", "Arab Standard Time", "Belarus Standard Time", "Russian Standard Time",
  "E. Africa Standard Time", "Iran Standard Time", "Arabian Standard Time", "Astrakhan Standard Time",
  "Azerbaijan Standard Time", "Russia Time Zone 3", "Mauritius Standard Time",
  "Georgian Standard Time", "Caucasus Standard Time", "Afghanistan Standard Time",
  "West Asia Standard Time", "Ekaterinburg Standard Time", "Pakistan Standard Time",
  "India Standard Time", "Sri Lanka Standard Time", "Nepal Standard Time",
  "Central Asia Standard Time", "Bangladesh Standard Time", "N. Central Asia Standard Time",
  "Myanmar Standard Time", "SE Asia Standard Time", "Altai Standard Time",
  "W. Mongolia Standard Time", "North Asia Standard Time", "Tomsk Standard Time",
  "China Standard Time", "North Asia East Standard Time", "Singapore Standard Time",
  "W. Australia Standard Time", "Taipei Standard Time", "Ulaanbaatar Standard Time",
  "North Korea Standard Time", "Aus Central W. Standard Time", "Transbaikal Standard Time",
  "Tokyo Standard Time", "Korea Standard Time", "Yakutsk Standard Time",
  "Cen. Australia Standard Time", "AUS Central Standard Time", "E. Australia Standard Time",
  "AUS Eastern Standard Time", "West Pacific Standard Time", "Tasmania Standard Time",
  "Vladivostok Standard Time", "Lord Howe Standard Time", "Bougainville Standard Time",
  "Russia Time Zone 10", "Magadan Standard Time", "Norfolk Standard Time", "Sakhalin Standard Time",
  "Central Pacific Standard Time", "Russia Time Zone 11", "New Zealand Standard Time", "UTC+12",
  "Fiji Standard Time", "Kamchatka Standard Time", "Chatham Islands Standard Time",
  "Tonga Standard Time", "Samoa Standard Time", "Line Islands Standard Time",
];

/**
 * Address ranges a virtual network cannot use (Azure Virtual Network FAQ, "What address ranges can I
 * use in my virtual networks?"): multicast, broadcast, loopback, link-local and the platform's
 * internal DNS/health address.
 */
export const VNET_RESERVED_RANGES: readonly { cidr: string; why: string }[] = [
  { cidr: "224.0.0.0/4", why: "multicast" },
  { cidr: "255.255.255.255/32", why: "broadcast" },
  { cidr: "127.0.0.0/8", why: "loopback" },
  { cidr: "169.254.0.0/16", why: "link-local" },
  { cidr: "168.63.129.16/32", why: "Azure's internal DNS and health probes" },
];

/**
 * VM size families by kind (Azure "Virtual machine sizes naming conventions": `Standard_` + family +
 * optional sub-family + vCPUs + optional constrained vCPUs + additive features + optional
 * accelerator + optional `_v<version>`). GPU families: NC, ND, NG, NV; the rest are CPU families.
 */
export const VM_FAMILIES = {
  cpu: ["A", "B", "D", "DC", "E", "EC", "F", "FX", "G", "H", "HB", "HC", "HX", "L", "M"],
  gpu: ["NC", "ND", "NG", "NV"],
} as const;
