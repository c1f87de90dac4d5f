import type { AppliedWaiver, Finding, ResourceView, Rule, StackContext, WaiverRule } from "./types";

export interface Evaluation {
  findings: Finding[];
  waivers: AppliedWaiver[];
}

/** One problem before waivers and levels are applied. */
interface RawFinding {
  rule: Rule;
  urn: string;
  resource: ResourceView | undefined;
  message: string;
}

function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}

/** The text a user reads: which resource, what is wrong, how to fix it. */
export function describe(rule: Rule, resource: ResourceView | undefined, problem: string): string {
  const subject = resource ? `${resource.name} (${shortType(resource.type)}): ` : "";
  return `${subject}${problem}. Fix: ${rule.remediation}`;
}

function rawFindings(rule: Rule, resources: ResourceView[], ctx: StackContext, stackUrn: string): RawFinding[] {
  if (rule.scope === "resource") {
    return resources
      .filter((r) => rule.types.includes(r.type))
      .flatMap((r) => rule.check(r, ctx).map((message) => ({ rule, urn: r.urn, resource: r, message })));
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return rule.check(resources, ctx).map((f) => ({
    rule,
    urn: f.urn ?? stackUrn,
    resource: f.urn ? byUrn.get(f.urn) : undefined,
    message: f.message,
  }));
}

/**
 * Runs every rule enabled in the stack's environment. A finding that a waiver matches is moved to
 * `waivers` (with the waiver's reason) instead of being reported, so the exception stays visible.
 */
export function evaluateResources(
  resources: ResourceView[],
  ctx: StackContext,
  rules: readonly Rule[],
  waiverRules: readonly WaiverRule[],
  stackUrn: string,
): Evaluation {
  const findings: Finding[] = [];
  const waivers: AppliedWaiver[] = [];
  for (const rule of rules) {
    const level = rule.levels[ctx.environment];
    if (level === "disabled") continue;
    for (const raw of rawFindings(rule, resources, ctx, stackUrn)) {
      const waiver = raw.resource
        ? waiverRules.find((w) => w.policy === rule.name && w.matches(raw.resource!, resources, ctx))
        : undefined;
      if (waiver) {
        if (!waivers.some((w) => w.policy === rule.name && w.urn === raw.urn)) {
          waivers.push({ policy: rule.name, urn: raw.urn, reason: waiver.reason });
        }
        continue;
      }
      findings.push({ policy: rule.name, level, urn: raw.urn, message: describe(rule, raw.resource, raw.message) });
    }
  }
  return { findings, waivers };
}
