import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnvironmentSpec } from "../config";
import { AmlKubernetesCompute, ONLINE_SCORING, ServedModel, ServingCluster, ServingEndpoints } from "../../components/serving";
import { attachDiagnosticSettings } from "../../components/monitoring";
import { DEFAULT_INSTANCE_TYPE, GITOPS_HTTPS_KEY, TLS_SECRET_KEYS } from "../config/servingRules";
import type { NetworkOutputs } from "./network";
import { logicalBase } from "../../shared/naming";
import type { MlWorkspace } from "../../components/workspace";
import { batchInterfaceOf } from "../../pipelines/spec/batchInterface";
import { InstanceTypesGitOps } from "../../components/serving/instanceTypesGitOps";
import { pipelineDefinitions } from "../../pipelines/definitions";

export interface ServingInputs {
  subscriptionId: pulumi.Input<string>;
  /** Entra tenant for the cluster's Entra ID integration. */
  tenantId: pulumi.Input<string>;
  /**
   * The model version to serve, registered in this environment's workspace (the promoted model).
   * Without it, a config-pinned `serving.onlineEndpoint.model` with a version is served; with neither,
   * the endpoint has no deployment yet.
   */
  model?: ServedModel;
  /** ARM id of the batch scoring pipeline component published into this workspace. */
  scoringPipelineComponentId?: pulumi.Input<string>;
  /**
   * Overrides the inference router's HTTPS; by default the cname comes from `serving.tls.cname` and
   * the PEM certificate and key from the secret config keys `servingTlsCertificate` / `servingTlsKey`.
   */
  tls?: { cname: pulumi.Input<string>; certificatePem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
}

export interface ServingOutputs {
  resourceGroupName: pulumi.Output<string>;
  resourceGroupId: pulumi.Output<string>;
  aksClusterId: pulumi.Output<string>;
  aksClusterName: pulumi.Output<string>;
  aksOidcIssuerUrl: pulumi.Output<string | undefined>;
  kubernetesComputeId: pulumi.Output<string>;
  kubernetesComputeName: pulumi.Output<string>;
  onlineEndpointName: pulumi.Output<string>;
  onlineEndpointId: pulumi.Output<string>;
  /** The deployment holding all traffic after the last rollout, and every traffic step so far. */
  liveDeployment?: pulumi.Output<string>;
  trafficHistory?: pulumi.Output<unknown[]>;
  batchEndpointName?: pulumi.Output<string>;
  batchEndpointId?: pulumi.Output<string>;
}

/**
 * Serving for one environment, isolated from every other: its own AKS cluster in its own resource
 * group and subnet of its own VNet, the Azure ML extension, the cluster attached to this
 * environment's workspace as a Kubernetes compute, an online endpoint serving the model and a batch
 * endpoint for the scoring pipeline. Returns undefined when the environment has no serving.
 *
 * The AKS cluster is stateful: it is protected when the spec says so (prod).
 */
export function declareServing(
  spec: EnvironmentSpec,
  core: MlWorkspace,
  network: NetworkOutputs,
  inputs: ServingInputs,
  opts?: pulumi.ComponentResourceOptions,
): ServingOutputs | undefined {
  const s = spec.serving;
  if (!s) return undefined;
  if (!network.aksSubnetId) {
    // infra/config rejects serving without `network.subnets.aks`; reaching this is a wiring bug.
    throw new Error("internal: serving is enabled but the network declared no AKS subnet");
  }
  const base = logicalBase(spec);

  const cluster = new ServingCluster(
    `${base}-aks`,
    {
      location: spec.location,
      tags: spec.tags,
      resourceGroupName: spec.names.servingResourceGroup,
      clusterName: spec.names.aksCluster,
      kubernetesVersion: s.kubernetesVersion,
      upgradeChannel: s.upgradeChannel,
      subnetId: network.aksSubnetId,
      subscriptionId: inputs.subscriptionId,
      tenantId: inputs.tenantId,
      // Config rules make sure the Azure ML control plane of the region pair is among them.
      apiServer: { private: s.privateCluster, authorizedIpRanges: s.apiServerRanges },
      systemPool: s.systemPool,
      userPools: s.userPools,
      logAnalyticsWorkspaceId: core.logAnalyticsId,
      hardened: spec.hardened,
      // The cluster's Defender sensor reports to the Containers plan when the environment buys it.
      defender: spec.security.defenderPlans.includes("Containers"),
      azureRbac: s.azureRbac,
      ...(network.aksFirewallId ? { outboundType: "userDefinedRouting" as const } : network.aksNatGatewayId ? { outboundType: "userAssignedNATGateway" as const } : {}),
      ...(spec.monitoring.diagnosticSettings ? { diagnosticSettings: [{ workspaceResourceId: core.logAnalyticsId }] } : {}),
    },
    pulumi.mergeOptions(opts, { protect: spec.protect }),
  );
  // The egress firewall belongs to the network, which exists before Log Analytics: its logs are attached here.
  if (spec.monitoring.diagnosticSettings && network.aksFirewallId) {
    attachDiagnosticSettings(`${base}-egress-firewall`, "azureFirewall", network.aksFirewallId, [{ workspaceResourceId: core.logAnalyticsId }], { ...opts });
  }

  const compute = new AmlKubernetesCompute(
    `${base}-aml-k8s`,
    {
      location: spec.location,
      tags: spec.tags,
      subscriptionId: inputs.subscriptionId,
      cluster: {
        resourceGroupName: cluster.resourceGroupName,
        clusterName: cluster.clusterName,
        clusterId: cluster.clusterId,
        kubeletObjectId: cluster.kubeletObjectId,
        ready: cluster.ready,
        location: spec.location,
      },
      workspace: core,
      computeName: spec.names.kubernetesCompute,
      namespace: s.namespace,
      // The service creates it on attach; custom instance types arrive later through Flux, and the
      // deployments name theirs explicitly.
      defaultInstanceType: DEFAULT_INSTANCE_TYPE,
      inference: { ...s.inference, tls: inputs.tls ?? tlsFromConfig(s.tls.cname) },
    },
    opts,
  );

  // Custom instance types reach the cluster through Flux (GitOps), the deployments wait for them.
  const instanceTypes = s.instanceTypeSource
    ? new InstanceTypesGitOps(
        `${base}-instance-types`,
        {
          cluster: { resourceGroupName: cluster.resourceGroupName, clusterName: cluster.clusterName },
          source: s.instanceTypeSource,
          ...(s.instanceTypeSource.httpsUser ? { httpsKey: secretFromConfig(GITOPS_HTTPS_KEY) } : {}),
          after: [compute],
        },
        opts,
      )
    : undefined;

  const pinned = s.onlineEndpoint.model;
  const model = inputs.model ?? (pinned?.version ? { name: pinned.name, version: pinned.version } : undefined);
  const endpoints = new ServingEndpoints(
    `${base}-endpoints`,
    {
      location: spec.location,
      tags: spec.tags,
      subscriptionId: inputs.subscriptionId,
      workspace: core,
      identityResourceGroupName: cluster.resourceGroupName,
      online: {
        name: s.onlineEndpoint.name,
        computeId: compute.computeId,
        authMode: s.onlineEndpoint.authMode,
        instanceType: s.onlineEndpoint.instanceType,
        instanceCount: s.onlineEndpoint.instanceCount,
        ...(model ? { model } : {}),
        scoring: { ...ONLINE_SCORING, assetName: s.onlineEndpoint.scoringAssetName },
        rollout: { steps: s.rollout.steps, holdSeconds: s.rollout.holdSeconds, smokeRequest: readSmokeRequest(s.rollout.smokeRequestFile) },
      },
      ...(s.batchEndpoint.enabled
        ? {
            batch: {
              name: s.batchEndpoint.name,
              deploymentName: s.batchEndpoint.deploymentName,
              interface: batchInterfaceOf(pipelineDefinitions.scoring),
              componentPrefix: spec.prefix,
              ...(inputs.scoringPipelineComponentId ? { pipelineComponentId: inputs.scoringPipelineComponentId } : {}),
              ...(s.batchEndpoint.cluster ? { defaultCompute: s.batchEndpoint.cluster } : {}),
              ...(model ? { model } : {}),
            },
          }
        : {}),
    },
    instanceTypes ? pulumi.mergeOptions(opts, { dependsOn: [instanceTypes] }) : opts,
  );

  return {
    resourceGroupName: cluster.resourceGroupName,
    resourceGroupId: cluster.resourceGroupId,
    aksClusterId: cluster.clusterId,
    aksClusterName: cluster.clusterName,
    aksOidcIssuerUrl: cluster.oidcIssuerUrl,
    kubernetesComputeId: compute.computeId,
    kubernetesComputeName: compute.computeName,
    onlineEndpointName: endpoints.onlineEndpointName,
    onlineEndpointId: endpoints.onlineEndpointId,
    ...(endpoints.liveDeployment ? { liveDeployment: endpoints.liveDeployment, trafficHistory: endpoints.trafficHistory! } : {}),
    ...(endpoints.batchEndpointName ? { batchEndpointName: endpoints.batchEndpointName, batchEndpointId: endpoints.batchEndpointId! } : {}),
  };
}

/**
 * The one config read in the wiring: serving's secret keys (router certificate and key, GitOps
 * token) stay Pulumi secrets from config to state (the plan shows "[secret]"), so they never pass
 * through the spec; the config rules have already checked they are set.
 */
function secretFromConfig(key: string): pulumi.Output<string> {
  return new pulumi.Config().requireSecret(key);
}

function tlsFromConfig(cname: string): { cname: string; certificatePem: pulumi.Output<string>; keyPem: pulumi.Output<string> } {
  return { cname, certificatePem: secretFromConfig(TLS_SECRET_KEYS.certificate), keyPem: secretFromConfig(TLS_SECRET_KEYS.key) };
}

/** The smoke request body, read when the program runs (the rollout's input, so a change shows in the plan). */
function readSmokeRequest(file: string): unknown {
  const root = path.resolve(__dirname, "..", "..");
  return JSON.parse(fs.readFileSync(path.resolve(root, file), "utf8"));
}
