import { PRIVATE_NETWORK, PROD_DENY } from "./levels";
import { AZUREML_EXTENSION_TYPE, TYPES } from "./typeTokens";
import type { ResourceRule, ResourceView } from "./types";
import { at, isBool, isUnknown, sameText, show } from "./values";

// Online/BatchEndpoint keep ARM's `properties` envelope in azure-native v3.
const isAzureMlExtension = (r: ResourceView) => sameText(at(r.inputs, "extensionType"), AZUREML_EXTENSION_TYPE);

export const onlineEndpointPrivate: ResourceRule = {
  scope: "resource",
  name: "online-endpoint-public-network-disabled",
  description:
    "Managed online endpoints take no public traffic (`properties.publicNetworkAccess`='Disabled'); Kubernetes endpoints are reached through the cluster's inference router.",
  anchors: ["custom"],
  levels: PROD_DENY,
  remediation: "set properties.publicNetworkAccess: 'Disabled' and call the endpoint through the workspace private endpoint",
  types: [TYPES.onlineEndpoint],
  check(r) {
    const compute = at(r.inputs, "properties.compute");
    // A Kubernetes endpoint names its compute; its exposure is the extension's router service type.
    if (compute !== undefined && compute !== "") return [];
    const pna = at(r.inputs, "properties.publicNetworkAccess");
    return isUnknown(pna) || sameText(pna, "Disabled") ? [] : [`properties.publicNetworkAccess is ${show(pna)} (Azure's default is Enabled)`];
  },
};

export const endpointTokenAuth: ResourceRule = {
  scope: "resource",
  name: "endpoint-token-auth",
  description: "Online and batch endpoints authenticate with Entra or Azure ML tokens, not static keys (`properties.authMode`≠'Key').",
  anchors: ["custom"],
  levels: PROD_DENY,
  remediation: "set properties.authMode: 'AADToken' (or 'AMLToken' for online endpoints) so callers need an identity and tokens expire",
  types: [TYPES.onlineEndpoint, TYPES.batchEndpoint],
  check(r) {
    const mode = at(r.inputs, "properties.authMode");
    return sameText(mode, "Key") ? ["properties.authMode is 'Key': a static key grants scoring access"] : [];
  },
};

export const mlExtensionSecureConnections: ResourceRule = {
  scope: "resource",
  name: "ml-extension-tls-only",
  description: "The Azure ML Kubernetes extension serves inference over TLS (`configurationSettings.allowInsecureConnections`≠'True').",
  anchors: ["custom"],
  levels: PROD_DENY,
  remediation:
    "remove configurationSettings.allowInsecureConnections (or set 'False') and give the inference router a certificate (sslCertPemFile/sslKeyPemFile, sslCname)",
  types: [TYPES.extension],
  check(r) {
    if (!isAzureMlExtension(r)) return [];
    return isBool(at(r.inputs, "configurationSettings.allowInsecureConnections"), true)
      ? ["configurationSettings.allowInsecureConnections is 'True': scoring traffic is plain HTTP"]
      : [];
  },
};

export const mlExtensionInternalRouter: ResourceRule = {
  scope: "resource",
  name: "ml-extension-internal-router",
  description:
    "The Azure ML inference router is not exposed on a public load balancer (`inferenceRouterServiceType` 'loadBalancer' only with `internalLoadBalancerProvider`='azure').",
  anchors: ["custom"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set configurationSettings.internalLoadBalancerProvider: 'azure' with inferenceRouterServiceType 'loadBalancer', or use 'clusterIP'/'nodePort' behind your own ingress",
  types: [TYPES.extension],
  check(r) {
    if (!isAzureMlExtension(r)) return [];
    const service = at(r.inputs, "configurationSettings.inferenceRouterServiceType");
    if (!sameText(service, "loadBalancer")) return [];
    const internal = at(r.inputs, "configurationSettings.internalLoadBalancerProvider");
    return isUnknown(internal) || sameText(internal, "azure")
      ? []
      : ["inferenceRouterServiceType is 'loadBalancer' without internalLoadBalancerProvider 'azure': the router gets a public IP"];
  },
};

export const servingRules = [onlineEndpointPrivate, endpointTokenAuth, mlExtensionSecureConnections, mlExtensionInternalRouter];
