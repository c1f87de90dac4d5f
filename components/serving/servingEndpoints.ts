import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import { createHash } from "node:crypto";
import { BuiltInRole, grantRole } from "../authorization/roles";
import { ModelRollout } from "./modelRollout";
import type { ModelRolloutProviderOptions, TrafficEvent } from "./modelRolloutProvider";
import { ScoringAssets } from "./scoringAssets";
import { withoutInjectedDefaults } from "./withoutInjectedDefaults";
import { BatchInterface, pinnedComponentName, pinnedComponentSpec, pinnedComponentVersion } from "./pinnedBatchComponent";
import type { ScoringAssetsProviderOptions } from "./scoringAssetsProvider";
import type { WorkspaceHandle } from "../workspace";

export interface ServedModel {
  name: pulumi.Input<string>;
  version: pulumi.Input<string>;
  /**
   * Where batch scoring reads the version when it is not the workspace's own: the registry version
   * (`azureml://registries/<r>/models/<n>/versions/<v>`, promotion strategy `registry`). Online
   * (Kubernetes) deployments always use the workspace version: they cannot deploy registry models.
   */
  uri?: pulumi.Input<string>;
}

export interface ServingEndpointsArgs {
  location: string;
  tags: Record<string, string>;
  subscriptionId: pulumi.Input<string>;
  /** The environment's own workspace: endpoints, their compute and the served model all live in it. */
  workspace: Pick<WorkspaceHandle, "resourceGroupName" | "workspaceName" | "workspaceId" | "storageAccountId" | "registryId" | "blobEndpoint" | "defaultBlobContainer">;
  /** Resource group of the endpoints' identity (the environment's serving group). */
  identityResourceGroupName: pulumi.Input<string>;
  online: {
    /** Physical endpoint name (region-unique, ≤ 32). */
    name: string;
    /** The Kubernetes compute the endpoint runs on. */
    computeId: pulumi.Input<string>;
    // No `publicNetworkAccess`: the schema applies it to managed online endpoints only; a Kubernetes
    // endpoint is reached through the cluster's inference router (internal load balancer in private mode).
    authMode: "AMLToken" | "Key";
    instanceType: string;
    instanceCount: number;
    /** The model version to serve, registered in this workspace; no deployment without one. */
    model?: ServedModel;
    /** Scoring code (init/run) and its environment, published content-addressed into the workspace. */
    scoring: { assetName: string; folder: string; scoringScript: string; conda: string; image: string };
    /** Safe rollout: traffic steps for a new version, hold per step, and the smoke request body. */
    rollout: { steps: number[]; holdSeconds: number; smokeRequest: unknown };
  };
  batch?: {
    /** Physical endpoint name (region-unique, ≤ 32). */
    name: string;
    deploymentName: string;
    /** ARM id of the batch scoring pipeline component; no deployment without one. */
    pipelineComponentId?: pulumi.Input<string>;
    /** The scoring pipeline's inputs and outputs (from its definition) and its model input. */
    interface: BatchInterface;
    /** Prefix of the pinned component's name (`<prefix>_batch_scoring`). */
    componentPrefix: string;
    /** Compute cluster the scoring pipeline's steps run on by default. */
    defaultCompute?: pulumi.Input<string>;
    /**
     * The model version batch scoring uses (the promoted one, as online): bound as the scoring
     * pipeline's model input in a pipeline component of its own (`pinnedBatchComponent.ts`), which
     * the deployment runs; no deployment without one.
     */
    model?: ServedModel;
  };
  /** Resource Manager endpoint for the traffic update (sovereign clouds, tests). */
  armEndpoint?: pulumi.Input<string>;
  /** Tests point the dynamic providers at local servers. */
  rolloutProviderOptions?: ModelRolloutProviderOptions;
  scoringAssetsProviderOptions?: ScoringAssetsProviderOptions;
}

/**
 * The environment's scoring surface: an online endpoint on its Kubernetes compute with a deployment
 * slot for the served model and all traffic routed to it, and a batch endpoint for the scoring
 * pipeline. Endpoints authenticate with Entra or Azure ML tokens and run as a user-assigned identity
 * that may only read the workspace's storage and pull from its registry.
 */
export class ServingEndpoints extends pulumi.ComponentResource {
  readonly onlineEndpointId: pulumi.Output<string>;
  readonly onlineEndpointName: pulumi.Output<string>;
  /** The deployment serving all traffic after the last rollout, and the rollout's traffic history. */
  readonly liveDeployment?: pulumi.Output<string>;
  readonly trafficHistory?: pulumi.Output<TrafficEvent[]>;
  readonly batchEndpointId?: pulumi.Output<string>;
  readonly batchEndpointName?: pulumi.Output<string>;
  readonly identityPrincipalId: pulumi.Output<string>;

  constructor(name: string, args: ServingEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:serving:ServingEndpoints", name, {}, opts);
    const child = { parent: this };
    const ws = args.workspace;
    const { location, tags } = args;

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: `id-${args.online.name}`, resourceGroupName: args.identityResourceGroupName, location, tags },
      child,
    );
    const grants: [string, pulumi.Input<string>, BuiltInRole][] = [
      ["registry-pull", ws.registryId, "AcrPull"],
      ["storage-read", ws.storageAccountId, "StorageBlobDataReader"],
    ];
    const access = grants.map(([key, scope, role]) =>
      grantRole(`${name}-${key}`, { scope, principalId: identity.principalId, role, subscriptionId: args.subscriptionId }, child),
    );

    const on = args.online;
    const onlineProperties = {
      authMode: on.authMode,
      compute: on.computeId,
      description: `Online scoring on ${on.name}`,
    };
    const endpoint = new ml.OnlineEndpoint(
      `${name}-online`,
      {
        endpointName: on.name,
        resourceGroupName: ws.resourceGroupName,
        workspaceName: ws.workspaceName,
        location,
        identity: { type: ml.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        properties: onlineProperties,
        tags,
      },
      // Traffic is owned by the ModelRollout resource below (it moves it step by step between deployments).
      { parent: this, dependsOn: access, ignoreChanges: ["properties.traffic"], transformations: [withoutInjectedDefaults(["properties.publicNetworkAccess"])] },
    );

    if (on.model) {
      const assets = new ScoringAssets(
        `${name}-scoring`,
        {
          ...on.scoring,
          workspace: { subscriptionId: args.subscriptionId, resourceGroupName: ws.resourceGroupName, workspaceName: ws.workspaceName },
          storage: { blobEndpoint: ws.blobEndpoint, container: ws.defaultBlobContainer },
          tags,
          ...(args.armEndpoint ? { armEndpoint: args.armEndpoint } : {}),
        },
        child,
        args.scoringAssetsProviderOptions,
      );
      const model = on.model;
      const modelId = pulumi.interpolate`${ws.workspaceId}/models/${model.name}/versions/${model.version}`;
      // A new model version, scoring code, environment or size is a new deployment beside the live
      // one (safe rollout); the name carries the version and a hash of the rest.
      const deploymentName = pulumi
        .all([model.version, assets.codeId, assets.environmentId])
        .apply(([version, codeId, envId]) => `v${version}-${createHash("sha256").update(JSON.stringify([codeId, envId, on.instanceType, on.instanceCount])).digest("hex").slice(0, 8)}`);
      const rollout = new ModelRollout(
        `${name}-online-rollout`,
        {
          endpointId: endpoint.id,
          deployment: {
            name: deploymentName,
            modelId,
            codeId: assets.codeId,
            scoringScript: assets.scoringScript,
            environmentId: assets.environmentId,
            instanceType: on.instanceType,
            instanceCount: on.instanceCount,
            location,
            tags: { ...tags, "model-name": model.name, "model-version": model.version } as Record<string, pulumi.Input<string>> as Record<string, string>,
          },
          steps: on.rollout.steps,
          holdSeconds: on.rollout.holdSeconds,
          smokeRequest: on.rollout.smokeRequest,
          endpointRevision: pulumi.output(onlineProperties).apply((p) => createHash("sha256").update(JSON.stringify(p)).digest("hex").slice(0, 16)),
          ...(args.armEndpoint ? { armEndpoint: args.armEndpoint } : {}),
        },
        { parent: this, dependsOn: [endpoint, assets] },
        args.rolloutProviderOptions,
      );
      this.liveDeployment = rollout.live;
      this.trafficHistory = rollout.history;
    }

    if (args.batch) {
      const b = args.batch;
      // Batch endpoints accept Entra tokens only.
      const batchEndpoint = new ml.BatchEndpoint(
        `${name}-batch`,
        {
          endpointName: b.name,
          resourceGroupName: ws.resourceGroupName,
          workspaceName: ws.workspaceName,
          location,
          properties: { authMode: ml.EndpointAuthMode.AADToken, description: "Batch scoring pipeline" },
          tags,
        },
        child,
      );
      if (b.pipelineComponentId && b.model) {
        const model = b.model;
        // The workspace's own version, or the registry version when promotion goes through a registry.
        const modelUri = model.uri ? pulumi.output(model.uri) : pulumi.interpolate`azureml:${ws.workspaceId}/models/${model.name}/versions/${model.version}`;
        const componentName = pinnedComponentName(b.componentPrefix);
        const componentVersion = pulumi.all([b.pipelineComponentId, modelUri, model.version]).apply(([c, m, v]) => pinnedComponentVersion(c, m, v));
        const description = pulumi.interpolate`Batch scoring with ${model.name} version ${model.version}`;
        const pinned = new ml.ComponentVersion(
          `${name}-batch-component`,
          {
            name: componentName,
            version: componentVersion,
            resourceGroupName: ws.resourceGroupName,
            workspaceName: ws.workspaceName,
            properties: {
              componentSpec: pulumi
                .all([componentVersion, b.pipelineComponentId, modelUri, description])
                .apply(([version, scoringComponentId, uri, d]) => pinnedComponentSpec({ name: componentName, version, scoringComponentId, modelUri: uri, iface: b.interface, description: d })),
              description,
              isAnonymous: false,
              isArchived: false,
              tags: { ...tags, "model-name": model.name, "model-version": model.version, ...(model.uri ? { "model-uri": model.uri } : {}) },
            },
          },
          // Component versions are immutable and Azure refuses to delete them (archive instead): a
          // new model version is a new component version, and the old one stays for the jobs that ran it.
          { parent: this, retainOnDelete: true },
        );
        // The first deployment of a batch endpoint becomes its default.
        new ml.BatchDeployment(
          `${name}-batch-${b.deploymentName}`,
          {
            deploymentName: b.deploymentName,
            endpointName: batchEndpoint.name,
            resourceGroupName: ws.resourceGroupName,
            workspaceName: ws.workspaceName,
            location,
            properties: {
              description,
              deploymentConfiguration: {
                deploymentConfigurationType: "PipelineComponent",
                componentId: { referenceType: "Id", assetId: pinned.id },
                settings: {
                  ...(b.defaultCompute ? { default_compute: b.defaultCompute } : {}),
                  continue_on_step_failure: "False",
                },
              },
            },
            // Per-key inputs: an unknown version (a preview) leaves the other tags known.
            tags: { ...tags, "model-name": model.name, "model-version": model.version, ...(model.uri ? { "model-uri": model.uri } : {}) },
          },
          child,
        );
      }
      this.batchEndpointId = batchEndpoint.id;
      this.batchEndpointName = batchEndpoint.name;
    }

    this.onlineEndpointId = endpoint.id;
    this.onlineEndpointName = endpoint.name;
    this.identityPrincipalId = identity.principalId;
    this.registerOutputs({
      onlineEndpointId: this.onlineEndpointId,
      onlineEndpointName: this.onlineEndpointName,
      liveDeployment: this.liveDeployment,
      trafficHistory: this.trafficHistory,
      batchEndpointId: this.batchEndpointId,
      batchEndpointName: this.batchEndpointName,
    });
  }
}
