import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { grantRole } from "../authorization/roles";
import { attachDiagnosticSettings } from "../monitoring";
import { taskYaml } from "./imageBuild";

export interface CustomImageServingArgs {
  /** This environment's resource group (the registry's, the storage's and the VNet's). */
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  subscriptionId: pulumi.Input<string>;
  /** The environment's own registry: the build runs and pushes there, the app pulls from there. */
  registry: { name: string; id: pulumi.Input<string>; loginServer: string };
  /** Where promotion copied the model's files in this environment's storage. */
  modelFiles: { storageAccountName: pulumi.Input<string>; storageAccountId: pulumi.Input<string>; container: pulumi.Input<string>; prefix: string };
  /** The model version the image holds: the promoted (or pinned) version, so rollback moves it too. */
  model: { name: string; version: pulumi.Input<string> };
  repository: string;
  /** Hash of the server code and Dockerfile: part of the tag, so a code change builds a new image. */
  codeHash: string;
  /** Build-context files (relative path → content), Dockerfile included. */
  contextFiles: Record<string, string>;
  names: { managedEnvironment: string; containerApp: string; identity: string };
  network: {
    /** Dedicated subnet delegated to Microsoft.App/environments (/27 or larger). */
    containerAppsSubnetId: pulumi.Input<string>;
    /** Inbound only from the VNet: an internal environment, whose ingress has no public address. */
    internal: boolean;
    /** The environment's VNet, linked to the private DNS zone that names the internal apps. */
    virtualNetworkId: pulumi.Input<string>;
  };
  /** Private registries: builds run on a dedicated agent pool in this subnet (Premium registry). */
  agentPool?: { name: string; tier: string; subnetId: pulumi.Input<string> };
  container: { cpu: number; memory: string; minReplicas: number; maxReplicas: number };
  logAnalyticsWorkspaceId?: pulumi.Input<string>;
}

const PORT = 8080;
const WORKLOAD_PROFILE = "Consumption";

/** `<version>-<first 12 hex of the code hash>`: valid in a Docker tag (≤ 128 of [A-Za-z0-9_.-]). */
export function imageTag(version: string, codeHash: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(version)) throw new Error(`model version '${version}' cannot be part of an image tag`);
  return `${version}-${codeHash.slice(0, 12)}`;
}

/**
 * The promoted model served outside Azure ML: ACR Tasks builds an image holding the model version and
 * a small scoring server in the environment's own registry (no Docker daemon on the runner), and Azure
 * Container Apps runs it in the environment's own network, pulling with a user-assigned identity that
 * has AcrPull. The image tag is `<model version>-<code hash>`: promotion and rollback change the
 * version, which reruns the build (TaskRun `forceUpdateTag`) and rolls the app to the new tag.
 */
export class CustomImageServing extends pulumi.ComponentResource {
  readonly image: pulumi.Output<string>;
  readonly imageTag: pulumi.Output<string>;
  readonly containerAppName: pulumi.Output<string>;
  readonly fqdn: pulumi.Output<string>;

  constructor(name: string, args: CustomImageServingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:customImage:CustomImageServing", name, {}, opts);
    const { resourceGroupName, location, tags } = args;
    const child = { parent: this };

    const tag = pulumi.output(args.model.version).apply((v) => imageTag(v, args.codeHash));
    const image = pulumi.interpolate`${args.registry.loginServer}/${args.repository}:${tag}`;

    // Two identities, least privilege: the build reads the model's blobs, the app pulls images.
    const buildIdentity = new managedidentity.UserAssignedIdentity(`${name}-build-identity`, { resourceName: `${args.names.identity}-build`, resourceGroupName, location, tags }, child);
    const pullIdentity = new managedidentity.UserAssignedIdentity(`${name}-pull-identity`, { resourceName: `${args.names.identity}-pull`, resourceGroupName, location, tags }, child);
    const containerScope = pulumi.interpolate`${args.modelFiles.storageAccountId}/blobServices/default/containers/${args.modelFiles.container}`;
    const readModel = grantRole(
      `${name}-build-blob-reader`,
      { scope: containerScope, principalId: buildIdentity.principalId, role: "StorageBlobDataReader", subscriptionId: args.subscriptionId, description: "Custom image build reads the promoted model's files" },
      child,
    );
    const acrPull = grantRole(
      `${name}-pull-acr`,
      { scope: args.registry.id, principalId: pullIdentity.principalId, role: "AcrPull", subscriptionId: args.subscriptionId, description: "Container app pulls the custom scoring image" },
      child,
    );

    // Agent pools: Premium registries, Linux, preview regions, 16 vCPU default quota per registry
    // (MS Learn, "Run an ACR task on a dedicated agent pool"). One agent is enough for one image.
    const pool = args.agentPool
      ? new containerregistry.AgentPool(
          `${name}-build-pool`,
          {
            agentPoolName: args.agentPool.name,
            registryName: args.registry.name,
            resourceGroupName,
            location,
            tags,
            tier: args.agentPool.tier,
            count: 1,
            os: containerregistry.OS.Linux,
            virtualNetworkSubnetResourceId: args.agentPool.subnetId,
          },
          child,
        )
      : undefined;

    const encodedTask = pulumi
      .all([tag, args.model.version, args.modelFiles.storageAccountName, args.modelFiles.container, buildIdentity.clientId])
      .apply(([t, version, accountName, container, clientId]) =>
        Buffer.from(
          taskYaml({
            repository: args.repository,
            tag: t,
            model: { name: args.model.name, version },
            storage: { accountName, container, prefix: args.modelFiles.prefix },
            buildIdentityClientId: clientId,
            files: args.contextFiles,
          }),
          "utf8",
        ).toString("base64"),
      );
    const build = new containerregistry.TaskRun(
      `${name}-build`,
      {
        registryName: args.registry.name,
        resourceGroupName,
        location,
        // A new tag (new version or new server code) reruns the build; the same tag never does.
        forceUpdateTag: tag,
        identity: buildIdentity.id.apply((id) => ({ type: containerregistry.ResourceIdentityType.UserAssigned, userAssignedIdentities: { [id]: {} } })),
        runRequest: {
          type: "EncodedTaskRunRequest",
          encodedTaskContent: encodedTask,
          platform: { os: containerregistry.OS.Linux, architecture: containerregistry.Architecture.Amd64 },
          timeout: 3600,
          isArchiveEnabled: false,
          ...(args.agentPool ? { agentPoolName: args.agentPool.name } : {}),
        },
      },
      { ...child, dependsOn: [readModel, ...(pool ? [pool] : [])] },
    );

    const environment = new app.ManagedEnvironment(
      `${name}-env`,
      {
        environmentName: args.names.managedEnvironment,
        resourceGroupName,
        location,
        tags,
        // Workload profiles: the environment that takes a /27 delegated subnet (MS Learn, Container
        // Apps "Virtual network configuration"); `internal` gives it only a VNet-internal address.
        workloadProfiles: [{ name: WORKLOAD_PROFILE, workloadProfileType: WORKLOAD_PROFILE }],
        vnetConfiguration: { infrastructureSubnetId: args.network.containerAppsSubnetId, internal: args.network.internal },
        ...(args.network.internal ? { publicNetworkAccess: "Disabled" } : {}),
        // Logs go through the diagnostic setting below (Azure Monitor), not a shared key.
        appLogsConfiguration: { destination: "azure-monitor" },
        zoneRedundant: false,
      },
      child,
    );
    if (args.logAnalyticsWorkspaceId) {
      attachDiagnosticSettings(`${name}-env`, "containerAppsEnvironment", environment.id, [{ workspaceResourceId: args.logAnalyticsWorkspaceId }], child);
    }

    if (args.network.internal) {
      // An internal environment's apps answer on its static IP under its default domain, which no
      // DNS resolves by itself: a private zone named like the domain with a wildcard record to that
      // IP, linked to the VNet (MS Learn, Container Apps "Integrate with private DNS" for internal
      // environments).
      const zone = new privatedns.PrivateZone(`${name}-dns`, { privateZoneName: environment.defaultDomain, resourceGroupName, location: "global", tags }, child);
      new privatedns.VirtualNetworkLink(
        `${name}-dns-link`,
        { virtualNetworkLinkName: "link-container-apps", privateZoneName: zone.name, resourceGroupName, location: "global", virtualNetwork: { id: args.network.virtualNetworkId }, registrationEnabled: false, tags },
        child,
      );
      new privatedns.PrivateRecordSet(
        `${name}-dns-apps`,
        { privateZoneName: zone.name, resourceGroupName, recordType: "A", relativeRecordSetName: "*", ttl: 300, aRecords: [{ ipv4Address: environment.staticIp }] },
        child,
      );
    }

    const containerApp = new app.ContainerApp(
      `${name}-app`,
      {
        containerAppName: args.names.containerApp,
        resourceGroupName,
        location,
        tags,
        managedEnvironmentId: environment.id,
        workloadProfileName: WORKLOAD_PROFILE,
        identity: { type: "UserAssigned", userAssignedIdentities: [pullIdentity.id] },
        configuration: {
          activeRevisionsMode: "Single",
          // In an internal environment `external` means reachable from the VNet, never the internet.
          ingress: { external: true, targetPort: PORT, transport: "http", allowInsecure: false },
          // Pull with the user-assigned identity (MS Learn, "Azure Container Apps image pull with managed identity").
          registries: [{ server: args.registry.loginServer, identity: pullIdentity.id }],
        },
        template: {
          containers: [
            {
              name: "score",
              image,
              resources: { cpu: args.container.cpu, memory: args.container.memory },
              probes: [
                { type: "Liveness", httpGet: { path: "/health", port: PORT }, periodSeconds: 30 },
                { type: "Readiness", httpGet: { path: "/health", port: PORT }, periodSeconds: 10 },
              ],
            },
          ],
          scale: { minReplicas: args.container.minReplicas, maxReplicas: args.container.maxReplicas },
        },
      },
      // The image exists only after the build, and the pull only works after the grant.
      { ...child, dependsOn: [build, acrPull] },
    );

    this.image = image;
    this.imageTag = tag;
    this.containerAppName = containerApp.name;
    this.fqdn = containerApp.latestRevisionFqdn;
    this.registerOutputs({ image: this.image, imageTag: this.imageTag, containerAppName: this.containerAppName });
  }
}
