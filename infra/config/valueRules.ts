import type { NodeKind } from "../../shared/kinds";
import type { RawConfig } from "./types";
import type { SchemaProblem } from "../../shared/schemaErrors";
import { AZURE_REGIONS, SCHEDULE_TIME_ZONES, VM_FAMILIES, VNET_RESERVED_RANGES } from "./azureValues";

/**
 * Values checked against what Azure accepts, offline (sources in azureValues.ts): regions, CIDR
 * alignment and reserved ranges, cron expressions, schedule time zones, object ids and VM sizes.
 * Paths are relative to the project namespace, like the other rules.
 */

interface Cidr {
  base: number;
  bits: number;
}

export function parseCidr(text: string): Cidr | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0"))) || bits > 32) return null;
  return { base: octets.reduce((acc, o) => acc * 256 + o, 0), bits };
}

const blockSize = (c: Cidr) => 2 ** (32 - c.bits);
const overlaps = (a: Cidr, b: Cidr) => a.base < b.base + blockSize(b) && b.base < a.base + blockSize(a);
const ipOf = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** Why a CIDR is not usable as written (host bits set), or null. */
export function hostBitsProblem(text: string): string | null {
  const c = parseCidr(text);
  if (!c) return null;
  const network = c.base - (c.base % blockSize(c));
  return network === c.base ? null : `has host bits set: the network of ${text} is ${ipOf(network)}/${c.bits}`;
}

/** Azure's smallest subnet is /29 and its largest address space /8 here (the platform's own bound). */
const SMALLEST_SUBNET_BITS = 29;
const LARGEST_SPACE_BITS = 8;

function addressProblems(path: string, text: string, role: "space" | "subnet", add: (p: string, m: string) => void): void {
  const c = parseCidr(text);
  if (!c) return; // malformed CIDRs are reported by the other rules
  const hostBits = hostBitsProblem(text);
  if (hostBits) add(path, hostBits);
  if (role === "space" && c.bits < LARGEST_SPACE_BITS) {
    add(path, `${text} is too wide for a virtual network${c.bits === 0 ? " (0.0.0.0/0 is every address)" : ""}: use a private range of /${LARGEST_SPACE_BITS} or narrower, e.g. 10.20.0.0/16`);
  }
  if (role === "subnet" && c.bits > SMALLEST_SUBNET_BITS) add(path, `${text} is smaller than Azure's smallest subnet (/${SMALLEST_SUBNET_BITS})`);
  for (const reserved of VNET_RESERVED_RANGES) {
    if (overlaps(c, parseCidr(reserved.cidr)!)) add(path, `${text} overlaps ${reserved.cidr} (${reserved.why}), which Azure reserves`);
  }
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a cron field selects, or a problem. */
function cronField(text: string, field: (typeof CRON_FIELDS)[number]): { values?: Set<number>; problem?: string } {
  const values = new Set<number>();
  const value = (t: string): number | undefined => {
    const named = "names" in field ? (field.names as readonly string[]).indexOf(t.toUpperCase()) : -1;
    if (named >= 0) return named + field.min;
    if (!/^\d{1,2}$/.test(t)) return undefined;
    return Number(t);
  };
  for (const part of text.split(",")) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return { problem: `${field.name} '${part}' is not a value, range, list or step` };
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return { problem: `${field.name} step must be at least 1` };
    let lo: number | undefined = field.min;
    let hi: number | undefined = field.max;
    if (m[1] !== "*") {
      const [a, b] = m[1].split("-");
      lo = value(a);
      hi = b === undefined ? (m[2] === undefined ? lo : field.max) : value(b);
    }
    if (lo === undefined || hi === undefined || lo < field.min || hi > field.max) {
      return { problem: `${field.name} '${part}' is outside ${field.min}–${field.max}` };
    }
    if (lo > hi) return { problem: `${field.name} range '${part}' runs backwards` };
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values };
}

/** Problems of a 5-field (NCronTab) cron expression, including dates that never occur. */
export function cronProblems(expression: string): string[] {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return [`expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`];
  const problems: string[] = [];
  const fields = parts.map((p, i) => {
    const r = cronField(p, CRON_FIELDS[i]);
    if (r.problem) problems.push(r.problem);
    return r.values;
  });
  const [, , days, months] = fields;
  // With a day-of-week set as well, cron runs on either; only a day-of-month alone can never match.
  if (!problems.length && parts[2] !== "*" && parts[4] === "*" && days && months) {
    const possible = [...months].some((m) => [...days].some((d) => d <= DAYS_IN_MONTH[m - 1]));
    if (!possible) problems.push(`never runs: day ${parts[2]} does not occur in month ${parts[3]}`);
  }
  return problems;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const VM_SIZE = /^Standard_([A-Z]{1,2})(S?)(\d{1,3})(-\d{1,3})?([a-z]*)(_[A-Z]\d{1,4}[A-Za-z]?)?(_v\d{1,2})?$/;

/** The VM family of an Azure size name (`Standard_DS3_v2` → `D`), or a problem. */
export function vmFamily(size: string): { family?: string; kind?: NodeKind; problem?: string } {
  const m = VM_SIZE.exec(size);
  if (!m) return { problem: `'${size}' is not an Azure VM size name (Standard_<family><vCPUs><features>[_<accelerator>][_v<n>], e.g. Standard_D4ds_v5)` };
  // `DS`, `GS`, `FS`: the old premium-storage marker after a one-letter family.
  let family = m[1];
  const all = [...VM_FAMILIES.cpu, ...VM_FAMILIES.gpu] as string[];
  if (!all.includes(family) && family.length === 2 && family.endsWith("S") && all.includes(family[0])) family = family[0];
  if (VM_FAMILIES.gpu.includes(family as never)) return { family, kind: "gpu" };
  if (VM_FAMILIES.cpu.includes(family as never)) return { family, kind: "cpu" };
  return { problem: `'${size}' names no Azure VM family (known: ${all.join(", ")})` };
}

export function valueProblems(cfg: RawConfig): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  if (cfg.location && !AZURE_REGIONS.includes(cfg.location)) {
    add("location", `'${cfg.location}' is not an Azure region name (e.g. westeurope, eastus2; the list is in infra/config/azureValues.ts)`);
  }

  const space = cfg.network?.addressSpace;
  if (typeof space === "string") addressProblems("network.addressSpace", space, "space", add);
  for (const [name, cidr] of Object.entries(cfg.network?.subnets ?? {})) {
    if (typeof cidr === "string") addressProblems(`network.subnets.${name}`, cidr, "subnet", add);
  }
  (cfg.serving?.authorizedIpRanges ?? []).forEach((r, i) => {
    const c = parseCidr(r);
    if (!c) return;
    if (c.bits === 0) add(`serving.authorizedIpRanges[${i}]`, "0.0.0.0/0 authorizes every address: name the ranges that may reach the API server");
    const hostBits = hostBitsProblem(r);
    if (hostBits) add(`serving.authorizedIpRanges[${i}]`, hostBits);
  });

  (cfg.pipelines?.schedules ?? []).forEach((s, i) => {
    for (const p of cronProblems(s.cron ?? "")) add(`pipelines.schedules[${i}].cron`, p);
    if (s.timeZone !== undefined && !SCHEDULE_TIME_ZONES.includes(s.timeZone)) {
      const iana = s.timeZone.includes("/") ? " (an IANA name; Azure ML schedules take Windows time zone names such as 'W. Europe Standard Time')" : "";
      add(`pipelines.schedules[${i}].timeZone`, `'${s.timeZone}' is not a time zone Azure ML schedules accept${iana}`);
    }
  });

  (cfg.identity?.dataScientists?.members ?? []).forEach((m, i) => {
    if (!GUID.test(m)) add(`identity.dataScientists.members[${i}]`, `must be an Entra object id (a GUID), found '${m}'`);
  });

  (cfg.compute?.clusters ?? []).forEach((c, i) => {
    const r = typeof c.vmSize === "string" ? vmFamily(c.vmSize) : {};
    if (r.problem) add(`compute.clusters[${i}].vmSize`, r.problem);
  });
  const systemSize = cfg.serving?.systemPool?.vmSize;
  if (typeof systemSize === "string" && vmFamily(systemSize).problem) add("serving.systemPool.vmSize", vmFamily(systemSize).problem!);
  (cfg.serving?.userPools ?? []).forEach((p, i) => {
    const r = typeof p.vmSize === "string" ? vmFamily(p.vmSize) : {};
    if (r.problem) add(`serving.userPools[${i}].vmSize`, r.problem);
  });
  return problems;
}
