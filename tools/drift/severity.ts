/** Applies the severity table (`severityRules.ts`) to a drifted property or resource. */
import { PathSegment, matchesPathGlob } from "./propertyPath";
import { IGNORED_PATHS, SEVERITY_RULES, Severity, SeverityRule } from "./severityRules";
import type { DriftOp } from "./driftReport";

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

export interface Classification {
  severity: Severity;
  /** The winning rule's reason; absent for the `low` default. */
  reason?: string;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

/** `azure-native:network/v20230501:VirtualNetwork` is the same family as `azure-native:network:VirtualNetwork`. */
function unversioned(type: string): string {
  return type.replace(/^([^:]+:[^:/]+)\/[^:]+:/, "$1:");
}

function typeMatches(rule: SeverityRule, type: string): boolean {
  if (!rule.types) return true;
  const t = unversioned(type);
  return rule.types.some((glob) => {
    const re = new RegExp(`^${glob.split("*").map(escapeRegExp).join("[^:]*")}$`, "i");
    return re.test(t);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function strongest(matches: SeverityRule[]): Classification {
  let best: Classification = { severity: "low" };
  for (const r of matches) {
    if (best.reason === undefined || RANK[r.severity] > RANK[best.severity]) best = { severity: r.severity, reason: r.reason };
  }
  return best;
}

export function classifyProperty(type: string, path: PathSegment[], rules: SeverityRule[] = SEVERITY_RULES): Classification {
  return strongest(rules.filter((r) => r.path !== undefined && typeMatches(r, type) && matchesPathGlob(r.path, path)));
}

export function classifyResource(type: string, op: DriftOp, rules: SeverityRule[] = SEVERITY_RULES): Classification {
  return strongest(rules.filter((r) => r.ops !== undefined && r.ops.includes(op) && typeMatches(r, type)));
}

export function isIgnoredPath(path: PathSegment[], ignored: string[] = IGNORED_PATHS): boolean {
  if (typeof path[0] === "string" && path[0].startsWith("__")) return true;
  return ignored.some((glob) => matchesPathGlob(glob, path));
}
