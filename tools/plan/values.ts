/**
 * Turns values as the Pulumi runtime puts them on the wire (the register request's property struct)
 * into plan values. Working on the wire form, not on deserialized inputs, keeps the exact position of
 * every secret and unknown: the runtime's own deserializer hoists secrets to the top-level property.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlanValue, SECRET, UNKNOWN } from "../../shared/plan";

const rt = pulumi.runtime;

/** Input keys never shown: a dynamic resource's serialized provider code (large, and it may embed values). */
export const HIDDEN_INPUTS = new Set(["__provider"]);

/** Converts one wire value; `undefined` means "absent" (the key is dropped). */
export function fromWire(value: unknown): PlanValue | undefined {
  if (value === undefined) return undefined;
  if (value === rt.unknownValue) return UNKNOWN;
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => fromWire(v) ?? null);
  const obj = value as Record<string, unknown>;
  const sig = obj[rt.specialSigKey];
  if (sig !== undefined) return fromSpecial(sig, obj);
  return fromWireObject(obj);
}

export function fromWireObject(obj: Record<string, unknown>, hidden?: Set<string>): Record<string, PlanValue> {
  const out: Record<string, PlanValue> = {};
  for (const key of Object.keys(obj)) {
    if (hidden?.has(key)) continue;
    const v = fromWire(obj[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function fromSpecial(sig: unknown, obj: Record<string, unknown>): PlanValue {
  switch (sig) {
    case rt.specialSecretSig:
      return SECRET;
    case rt.specialResourceSig:
      // A resource reference: its URN identifies it in the plan (the id may not be known yet).
      return String(obj.urn);
    case rt.specialOutputValueSig:
      if (obj.secret === true) return SECRET;
      return "value" in obj ? (fromWire(obj.value) ?? null) : UNKNOWN;
    case rt.specialAssetSig:
      return { asset: describeAsset(obj) };
    case rt.specialArchiveSig:
      return { archive: describeAsset(obj) };
    default:
      return fromWireObject(obj);
  }
}

function describeAsset(obj: Record<string, unknown>): PlanValue {
  if (typeof obj.path === "string") return { path: obj.path };
  if (typeof obj.uri === "string") return { uri: obj.uri };
  if (typeof obj.text === "string") return { textLength: obj.text.length };
  if (obj.assets && typeof obj.assets === "object") {
    return { assets: Object.keys(obj.assets as object).sort() };
  }
  return {};
}

/**
 * Resolves a program export (plain value, Output, Resource, or a structure of them) into a plan
 * value, keeping unknowns and secrets visible as markers.
 */
export async function resolveExport(value: unknown, seen = new Set<unknown>()): Promise<PlanValue | undefined> {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return value;
  }
  if (typeof value === "bigint") return value.toString();
  if (pulumi.Output.isInstance(value)) {
    const out = value as unknown as OutputInternals;
    if (await out.isSecret) return SECRET;
    if (!(await out.isKnown)) return UNKNOWN;
    return resolveExport(await out.promise(true), seen);
  }
  if (pulumi.Resource.isInstance(value)) {
    return resolveExport((value as pulumi.Resource).urn, seen);
  }
  if (pulumi.isUnknown(value)) return UNKNOWN;
  if (value instanceof Promise) return resolveExport(await value, seen);
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map((v) => resolveExport(v, seen)));
    return items.map((v) => v ?? null);
  }
  const out: Record<string, PlanValue> = {};
  for (const key of Object.keys(value as object)) {
    const v = await resolveExport((value as Record<string, unknown>)[key], seen);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The parts of `Output` the SDK keeps internal but that a plan needs to tell unknown from undefined. */
interface OutputInternals {
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
  promise(withUnknowns?: boolean): Promise<unknown>;
}
