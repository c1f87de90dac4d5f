import { EVERYWHERE, PRIVATE_NETWORK, PROD_DENY } from "./levels";
import { TYPES } from "./typeTokens";
import type { Environment, ResourceRule, ResourceView } from "./types";
import { at, isBool, isUnknown, sameText, show } from "./values";

const COMPUTE = [TYPES.compute];

function computeType(r: ResourceView): string {
  const t = at(r.inputs, "properties.computeType");
  return typeof t === "string" ? t : "";
}

const isAmlCompute = (r: ResourceView) => sameText(computeType(r), "AmlCompute");
const isComputeInstance = (r: ResourceView) => sameText(computeType(r), "ComputeInstance");

/** `PT1H30M` → 5400; null when the text is not an ISO 8601 time duration. */
export function durationSeconds(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === "P" || /T$/i.test(text.trim())) return null;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

/** Per-environment ceilings for AmlCompute clusters (cost guard rails, policy/README.md, rule `compute-cost-caps`). */
export const CLUSTER_CAPS: Record<Environment, { maxNodes: number; idleSeconds: number; lowPriority: boolean }> = {
  dev: { maxNodes: 16, idleSeconds: 30 * 60, lowPriority: true },
  qa: { maxNodes: 8, idleSeconds: 30 * 60, lowPriority: true },
  prod: { maxNodes: 20, idleSeconds: 2 * 3600, lowPriority: false },
};

export const computeLocalAuthDisabled: ResourceRule = {
  scope: "resource",
  name: "compute-local-auth-disabled",
  description: "Compute (clusters, instances, Kubernetes) has `properties.disableLocalAuth`=true.",
  anchors: ["e96a9a5f", "CKV_AZURE_142", "Azure.ML.DisableLocalAuth"],
  levels: EVERYWHERE,
  remediation: "set properties.disableLocalAuth: true; jobs then authenticate with Microsoft Entra ID identities",
  types: COMPUTE,
  check(r) {
    const v = at(r.inputs, "properties.disableLocalAuth");
    return isUnknown(v) || isBool(v, true) ? [] : [`properties.disableLocalAuth is ${show(v)}`];
  },
};

export const computeNoPublicNodeIp: ResourceRule = {
  scope: "resource",
  name: "compute-no-public-node-ip",
  description: "AmlCompute and compute instances have `properties.properties.enableNodePublicIp`=false.",
  anchors: ["custom"],
  levels: PRIVATE_NETWORK,
  remediation:
    "set properties.properties.enableNodePublicIp: false (needs the workspace managed network or a compute subnet)",
  types: COMPUTE,
  check(r) {
    if (!isAmlCompute(r) && !isComputeInstance(r)) return [];
    const v = at(r.inputs, "properties.properties.enableNodePublicIp");
    // Azure's default is true: an absent value means public IPs on every node.
    return isUnknown(v) || isBool(v, false) ? [] : [`enableNodePublicIp is ${show(v)}: nodes get public IP addresses`];
  },
};

export const computeSshClosed: ResourceRule = {
  scope: "resource",
  name: "compute-ssh-port-closed",
  description:
    "AmlCompute `remoteLoginPortPublicAccess`='Disabled'; compute instances keep `sshSettings.sshPublicAccess` off.",
  anchors: ["custom"],
  levels: EVERYWHERE,
  remediation:
    "set properties.properties.remoteLoginPortPublicAccess: 'Disabled' on clusters and leave sshSettings.sshPublicAccess 'Disabled' on instances",
  types: COMPUTE,
  check(r) {
    if (isAmlCompute(r)) {
      const v = at(r.inputs, "properties.properties.remoteLoginPortPublicAccess");
      // 'NotSpecified' (the default) opens port 22 whenever an admin SSH key is configured.
      return isUnknown(v) || sameText(v, "Disabled") ? [] : [`remoteLoginPortPublicAccess is ${show(v)}`];
    }
    if (isComputeInstance(r)) {
      const v = at(r.inputs, "properties.properties.sshSettings.sshPublicAccess");
      return sameText(v, "Enabled") ? ["sshSettings.sshPublicAccess is 'Enabled'"] : [];
    }
    return [];
  },
};

export const computeScaleToZero: ResourceRule = {
  scope: "resource",
  name: "compute-scale-to-zero",
  description: "AmlCompute scales to zero nodes (`scaleSettings.minNodeCount`=0).",
  anchors: ["CKV_AZURE_150"],
  levels: EVERYWHERE,
  remediation: "set properties.properties.scaleSettings.minNodeCount: 0 so idle clusters cost nothing",
  types: COMPUTE,
  check(r) {
    if (!isAmlCompute(r)) return [];
    const v = at(r.inputs, "properties.properties.scaleSettings.minNodeCount");
    return v === undefined || isUnknown(v) || v === 0 ? [] : [`scaleSettings.minNodeCount is ${show(v)}, nodes stay allocated`];
  },
};

export const computeCostCaps: ResourceRule = {
  scope: "resource",
  name: "compute-cost-caps",
  description:
    "AmlCompute stays under the environment's caps (max nodes, idle time before scale-down); dev and qa use low-priority VMs.",
  anchors: ["custom"],
  levels: PROD_DENY,
  remediation: `keep maxNodeCount ≤ ${CLUSTER_CAPS.dev.maxNodes}/${CLUSTER_CAPS.qa.maxNodes}/${CLUSTER_CAPS.prod.maxNodes} and nodeIdleTimeBeforeScaleDown ≤ PT30M/PT30M/PT2H in dev/qa/prod; use vmPriority 'LowPriority' outside prod`,
  types: COMPUTE,
  check(r, ctx) {
    if (!isAmlCompute(r)) return [];
    const caps = CLUSTER_CAPS[ctx.environment];
    const problems: string[] = [];
    const max = at(r.inputs, "properties.properties.scaleSettings.maxNodeCount");
    if (typeof max === "number" && max > caps.maxNodes) {
      problems.push(`scaleSettings.maxNodeCount is ${max}, above the ${ctx.environment} cap of ${caps.maxNodes}`);
    }
    const idle = at(r.inputs, "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown");
    const idleSeconds = durationSeconds(idle);
    if (idle !== undefined && !isUnknown(idle) && (idleSeconds === null || idleSeconds > caps.idleSeconds)) {
      problems.push(`nodeIdleTimeBeforeScaleDown is ${show(idle)}, above the ${ctx.environment} cap of ${caps.idleSeconds / 60} minutes`);
    }
    const priority = at(r.inputs, "properties.properties.vmPriority");
    if (caps.lowPriority && !isUnknown(priority) && !sameText(priority, "LowPriority")) {
      problems.push(`vmPriority is ${show(priority)}; ${ctx.environment} runs on low-priority VMs`);
    }
    return problems;
  },
};

export const computeInstanceIdleShutdown: ResourceRule = {
  scope: "resource",
  name: "compute-instance-idle-shutdown",
  description: "Compute instances shut down when idle (`idleTimeBeforeShutdown` is set).",
  anchors: ["679ddf89", "Azure.ML.ComputeIdleShutdown"],
  levels: PROD_DENY,
  remediation: "set properties.properties.idleTimeBeforeShutdown, e.g. 'PT60M'",
  types: COMPUTE,
  check(r) {
    if (!isComputeInstance(r)) return [];
    const v = at(r.inputs, "properties.properties.idleTimeBeforeShutdown");
    return v === undefined || v === "" ? ["idleTimeBeforeShutdown is not set: an idle instance runs until stopped"] : [];
  },
};

export const computeRules = [
  computeLocalAuthDisabled,
  computeNoPublicNodeIp,
  computeSshClosed,
  computeScaleToZero,
  computeCostCaps,
  computeInstanceIdleShutdown,
];
