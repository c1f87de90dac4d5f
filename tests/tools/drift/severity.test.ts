/** The severity table by resource family, and the property-path helpers it relies on. */
import * as fc from "fast-check";
import { classifyProperty, classifyResource, isIgnoredPath } from "../../../tools/drift/severity";
import { formatPropertyPath, matchesPathGlob, parsePropertyPath } from "../../../tools/drift/propertyPath";
import type { SeverityRule } from "../../../tools/drift/severityRules";

const ML = "azure-native:machinelearningservices";

describe("property severity by family", () => {
  test.each([
    // security: high
    [`${ML}:Workspace`, "publicNetworkAccess", "high"],
    [`${ML}:Workspace`, "managedNetwork.isolationMode", "high"],
    [`${ML}:Workspace`, "identity.type", "high"],
    ["azure-native:storage:StorageAccount", "minimumTlsVersion", "high"],
    ["azure-native:storage:StorageAccount", "allowSharedKeyAccess", "high"],
    ["azure-native:storage:StorageAccount", "networkRuleSet.ipRules[0].iPAddressOrRange", "high"],
    ["azure-native:containerregistry:Registry", "networkRuleSet.defaultAction", "high"],
    ["azure-native:containerregistry:Registry", "adminUserEnabled", "high"],
    ["azure-native:keyvault:Vault", "properties.networkAcls.defaultAction", "high"],
    ["azure-native:keyvault:Vault", "properties.enableRbacAuthorization", "high"],
    ["azure-native:containerservice:ManagedCluster", "apiServerAccessProfile.enablePrivateCluster", "high"],
    ["azure-native:containerservice:ManagedCluster", "disableLocalAccounts", "high"],
    [`${ML}:Compute`, "properties.disableLocalAuth", "high"],
    [`${ML}:Compute`, "properties.properties.remoteLoginPortPublicAccess", "high"],
    [`${ML}:OnlineEndpoint`, "onlineEndpointProperties.authMode", "high"],
    ["azure-native:network:NetworkSecurityGroup", "securityRules[2].access", "high"],
    // versioned type tokens belong to the same family
    ["azure-native:storage/v20230101:StorageAccount", "allowBlobPublicAccess", "high"],
    // cost and capacity: medium
    ["azure-native:containerservice:ManagedCluster", "agentPoolProfiles[1].count", "medium"],
    ["azure-native:containerservice:ManagedCluster", "agentPoolProfiles[0].vmSize", "medium"],
    ["azure-native:containerservice:AgentPool", "count", "medium"],
    ["azure-native:containerservice:AgentPool", "scaleSetPriority", "medium"],
    [`${ML}:Compute`, "properties.properties.vmSize", "medium"],
    [`${ML}:Compute`, "properties.properties.vmPriority", "medium"],
    [`${ML}:Compute`, "properties.properties.scaleSettings.minNodeCount", "medium"],
    [`${ML}:OnlineDeployment`, "sku.capacity", "medium"],
    [`${ML}:OnlineDeployment`, "onlineDeploymentProperties.instanceType", "medium"],
    ["azure-native:storage:StorageAccount", "sku.name", "medium"],
    // everything else: low
    [`${ML}:Workspace`, "tags.owner", "low"],
    [`${ML}:Workspace`, "description", "low"],
    // `count` only means nodes on AKS pools
    [`${ML}:Workspace`, "count", "low"],
  ])("%s %s → %s", (type, path, severity) => {
    expect(classifyProperty(type, parsePropertyPath(path)).severity).toBe(severity);
  });
});

describe("whole-resource severity", () => {
  test.each([
    ["azure-native:authorization:RoleAssignment", "delete", "high"],
    ["azure-native:authorization:RoleAssignment", "update", "high"],
    ["azure-native:authorization:RoleAssignment", "create", "high"],
    ["azure-native:network:NetworkSecurityGroup", "delete", "high"],
    ["azure-native:keyvault:Vault", "delete", "high"],
    ["azure-native:containerservice:AgentPool", "delete", "medium"],
    [`${ML}:Compute`, "replace", "medium"],
    ["azure-native:insights:Component", "delete", "low"],
  ] as const)("%s %s → %s", (type, op, severity) => {
    expect(classifyResource(type, op).severity).toBe(severity);
  });
});

test("the table is data: a caller's rules replace the default ones", () => {
  const rules: SeverityRule[] = [{ types: ["custom:*:Thing"], path: "**.knob", severity: "medium", reason: "knob" }];
  expect(classifyProperty("custom:mod:Thing", ["deep", "knob"], rules)).toEqual({ severity: "medium", reason: "knob" });
  expect(classifyProperty(`${ML}:Workspace`, ["publicNetworkAccess"], rules).severity).toBe("low");
});

test("ARM bookkeeping and Pulumi's own keys are not drift", () => {
  expect(isIgnoredPath(parsePropertyPath("etag"))).toBe(true);
  expect(isIgnoredPath(parsePropertyPath("systemData.lastModifiedAt"))).toBe(true);
  expect(isIgnoredPath(parsePropertyPath("properties.provisioningState"))).toBe(true);
  expect(isIgnoredPath(["__provider"])).toBe(true);
  expect(isIgnoredPath(parsePropertyPath("publicNetworkAccess"))).toBe(false);
});

describe("property paths", () => {
  test("parses keys, indexes and quoted keys", () => {
    expect(parsePropertyPath('tags["cost.center"]')).toEqual(["tags", "cost.center"]);
    expect(parsePropertyPath("agentPoolProfiles[0].count")).toEqual(["agentPoolProfiles", 0, "count"]);
    expect(parsePropertyPath('a.b[12]["x y"].c')).toEqual(["a", "b", 12, "x y", "c"]);
  });

  test("formats back the way Pulumi prints", () => {
    expect(formatPropertyPath(["networkRuleSet", "ipRules", 0, "value"])).toBe("networkRuleSet.ipRules[0].value");
    expect(formatPropertyPath(["tags", "cost.center"])).toBe('tags["cost.center"]');
  });

  test("format and parse round-trip", () => {
    const segment = fc.oneof(fc.nat({ max: 50 }), fc.string({ minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segs) => {
        fc.pre(typeof segs[0] === "string");
        expect(parsePropertyPath(formatPropertyPath(segs))).toEqual(segs);
      }),
    );
  });

  test("globs: * is one segment, ** any number, keys ignore case", () => {
    expect(matchesPathGlob("agentPoolProfiles.*.count", ["agentPoolProfiles", 3, "count"])).toBe(true);
    expect(matchesPathGlob("agentPoolProfiles.*.count", ["agentPoolProfiles", "count"])).toBe(false);
    expect(matchesPathGlob("**.enableRBAC", ["enableRbac"])).toBe(true);
    expect(matchesPathGlob("**.networkRuleSet.**", ["properties", "networkRuleSet"])).toBe(true);
    expect(matchesPathGlob("**.networkRuleSet.**", ["networkRuleSetx"])).toBe(false);
  });
});
