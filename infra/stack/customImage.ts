import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnvironmentSpec } from "../config";
import { CustomImageServing } from "../../components/customImage";
import type { NetworkOutputs } from "./network";
import { logicalBase } from "../../shared/naming";

/** What the custom image needs from the environment core (`MlWorkspace`): this environment's own. */
export interface CustomImageCore {
  resourceGroupName: pulumi.Input<string>;
  registryId: pulumi.Input<string>;
  storageAccountId: pulumi.Input<string>;
  storageAccountName: pulumi.Input<string>;
  /** The workspace's default blob container: promotion copies model files there. */
  defaultBlobContainer: pulumi.Input<string>;
  logAnalyticsId: pulumi.Input<string>;
}

/**
 * The image's build context, from the repository: the HTTP server and Dockerfile (serving/customImage)
 * and the online endpoint's own scoring code, so both paths score alike.
 */
export const CUSTOM_IMAGE_SOURCES: Record<string, string> = {
  Dockerfile: "serving/customImage/Dockerfile",
  "server/score_server.py": "serving/customImage/score_server.py",
  "server/serve.py": "pipelines/steps/bad_pixels/serve.py",
  "server/pixel_model.py": "pipelines/steps/bad_pixels/pixel_model.py",
};

/** Promotion's default target folder (`PromotedModel` `targetPathPrefix`): `promoted/<model>/<version>/`. */
const PROMOTED_PREFIX = "promoted/";

export function customImageContext(root = path.resolve(__dirname, "..", "..")): { files: Record<string, string>; codeHash: string } {
  const files = Object.fromEntries(Object.entries(CUSTOM_IMAGE_SOURCES).map(([to, from]) => [to, fs.readFileSync(path.join(root, from), "utf8")]));
  const hash = createHash("sha256");
  for (const p of Object.keys(files).sort()) hash.update(`${p}\0${files[p]}\0`);
  return { files, codeHash: hash.digest("hex") };
}

/**
 * The promoted model on Azure Container Apps (opt-in `mlops:customImage`), in this environment's
 * registry, storage and network only. `version` is the promoted version (or the config pin when the
 * version is not known yet).
 */
export function declareCustomImage(
  spec: EnvironmentSpec,
  core: CustomImageCore,
  network: NetworkOutputs,
  inputs: { subscriptionId: pulumi.Input<string>; version?: pulumi.Input<string> },
): CustomImageServing | undefined {
  const ci = spec.customImage;
  if (!ci) return undefined;
  const version = inputs.version ?? ci.pinnedVersion;
  if (version === undefined || !network.virtualNetworkId || !network.containerAppsSubnetId || (ci.agentPool && !network.imageBuildSubnetId)) {
    // infra/config guarantees a promoted model and the subnets; reaching this is a wiring bug.
    throw new Error("internal: customImage is enabled but its model version or subnets are missing");
  }
  const context = customImageContext();
  return new CustomImageServing(`${logicalBase(spec)}-custom-image`, {
    resourceGroupName: core.resourceGroupName,
    location: spec.location,
    tags: spec.tags,
    subscriptionId: inputs.subscriptionId,
    // The login server of a registry in Azure's public cloud is `<name>.azurecr.io`, lowercase
    // (MS Learn, "About registries, repositories, and artifacts"); known before deployment, so the
    // plan shows the exact image.
    registry: { name: spec.names.containerRegistry, id: core.registryId, loginServer: `${spec.names.containerRegistry.toLowerCase()}.azurecr.io` },
    modelFiles: { storageAccountName: core.storageAccountName, storageAccountId: core.storageAccountId, container: core.defaultBlobContainer, prefix: PROMOTED_PREFIX },
    model: { name: ci.model, version },
    repository: ci.repository,
    codeHash: context.codeHash,
    contextFiles: context.files,
    names: ci.names,
    network: { containerAppsSubnetId: network.containerAppsSubnetId, internal: ci.internal, virtualNetworkId: network.virtualNetworkId },
    ...(ci.agentPool ? { agentPool: { ...ci.agentPool, subnetId: network.imageBuildSubnetId! } } : {}),
    container: { cpu: ci.cpu, memory: ci.memory, minReplicas: ci.minReplicas, maxReplicas: ci.maxReplicas },
    ...(spec.monitoring.diagnosticSettings ? { logAnalyticsWorkspaceId: core.logAnalyticsId } : {}),
  });
}
