/**
 * The few settings a reviewer looks at first (name, SKU, sizes, network and auth flags), picked out of
 * a resource's inputs for the tree and the Markdown. Everything else stays in the JSON.
 */
import type { PlanResource, PlanValue } from "../../shared/plan";
import { nameInput } from "./armIds";

/** Input keys worth showing wherever they appear, with their label; first occurrence wins. */
const KEY_SETTINGS: [key: string, label: string][] = [
  ["displayName", "displayName"],
  ["roleName", "roleName"],
  ["subject", "subject"],
  ["computeType", "compute"],
  ["vmSize", "vmSize"],
  ["vmPriority", "priority"],
  ["minNodeCount", "minNodes"],
  ["maxNodeCount", "maxNodes"],
  ["kubernetesVersion", "k8s"],
  ["instanceType", "instanceType"],
  ["instanceCount", "instances"],
  ["authMode", "auth"],
  ["extensionType", "extension"],
  ["publicNetworkAccess", "publicNetworkAccess"],
  ["defaultAction", "defaultAction"],
  ["allowBlobPublicAccess", "allowBlobPublicAccess"],
  ["enableNodePublicIp", "nodePublicIp"],
  ["remoteLoginPortPublicAccess", "ssh"],
  ["enablePrivateCluster", "privateCluster"],
  ["isolationMode", "isolation"],
  ["disableLocalAuth", "disableLocalAuth"],
  ["disableLocalAccounts", "disableLocalAccounts"],
  ["adminUserEnabled", "adminUser"],
  ["enablePurgeProtection", "purgeProtection"],
  ["enableRbacAuthorization", "rbac"],
  ["minimumTlsVersion", "tls"],
  ["addressPrefix", "addressPrefix"],
  ["addressPrefixes", "addressPrefixes"],
  ["principalType", "principalType"],
];

/** Never searched: noise (tags) or shown another way. */
const SKIP = new Set(["tags", "agentPoolProfiles", "identity", "sku"]);

export interface Setting {
  label: string;
  value: string;
}

export function keySettings(resource: PlanResource, max = 10): Setting[] {
  const inputs = resource.inputs;
  const out: Setting[] = [];
  const add = (label: string, value: PlanValue | undefined) => {
    if (value === undefined || value === null || out.some((s) => s.label === label)) return;
    out.push({ label, value: show(value) });
  };

  const nameKey = nameInput(resource.type);
  if (nameKey) add("name", inputs[nameKey]);
  else if (resource.read) add("stack", inputs.name);
  if (typeof inputs.location === "string") add("location", inputs.location);
  add("sku", skuText(inputs.sku));
  const identity = inputs.identity as Record<string, PlanValue> | undefined;
  if (identity && typeof identity === "object" && !Array.isArray(identity)) add("identity", identity.type);

  const found = new Map<string, PlanValue>();
  const walk = (value: PlanValue, depth: number) => {
    if (depth > 6 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (SKIP.has(k)) continue;
      if (!found.has(k) && (v === null || typeof v !== "object" || k === "addressPrefixes")) found.set(k, v);
      walk(v, depth + 1);
    }
  };
  walk(inputs, 0);
  for (const [key, label] of KEY_SETTINGS) add(label, found.get(key));

  const pools = inputs.agentPoolProfiles;
  if (Array.isArray(pools)) add("pools", pools.map(poolText).join(", "));
  if (resource.type.startsWith("pulumi-nodejs:dynamic/")) {
    for (const [k, v] of Object.entries(inputs)) if (typeof v === "string" && v.length <= 60) add(k, v);
  }
  return out.slice(0, max);
}

function skuText(sku: PlanValue | undefined): PlanValue | undefined {
  if (typeof sku === "string") return sku;
  if (!sku || typeof sku !== "object" || Array.isArray(sku)) return undefined;
  const parts = [sku.name, sku.tier, sku.capacity].filter((p) => p !== undefined && p !== null);
  return parts.length ? parts.map(show).join("/") : undefined;
}

function poolText(pool: PlanValue): string {
  if (!pool || typeof pool !== "object" || Array.isArray(pool)) return show(pool);
  const p = pool as Record<string, PlanValue>;
  const size = p.enableAutoScaling ? `${show(p.minCount ?? null)}–${show(p.maxCount ?? null)}` : show(p.count ?? null);
  return `${show(p.name ?? "?")} ${show(p.vmSize ?? "?")}×${size}`;
}

export function show(value: PlanValue): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
