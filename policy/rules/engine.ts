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

/** Why a matching waiver does not apply (an unmet condition, or past its review date), or null. */
export function waiverRefusal(waiver: WaiverRule, resource: ResourceView, all: ResourceView[], ctx: StackContext, today: string): string | null {
  if (today > waiver.reviewBy) return `its review date ${waiver.reviewBy} has passed`;
  const unmet = waiver.conditions.filter((c) => !c.holds(resource, all, ctx)).map((c) => c.description);
  return unmet.length > 0 ? `its condition${unmet.length > 1 ? "s" : ""} ${unmet.map((u) => `'${u}'`).join(" and ")} ${unmet.length > 1 ? "are" : "is"} not met` : null;
}

/** Today as an ISO date (UTC), the default clock for waiver review dates. */
export function isoToday(): string {
  return new Date().toISOString().slice(0, 10);
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
  today: string = isoToday(),
): Evaluation {
  const findings: Finding[] = [];
  const waivers: AppliedWaiver[] = [];
  for (const rule of rules) {
    const level = rule.levels[ctx.environment];
    if (level === "disabled") continue;
    for (const raw of rawFindings(rule, resources, ctx, stackUrn)) {
      const candidate = raw.resource
        ? waiverRules.find((w) => w.policy === rule.name && w.matches(raw.resource!, resources, ctx))
        : undefined;
      const refusal = candidate ? waiverRefusal(candidate, raw.resource!, resources, ctx, today) : null;
      const waiver = candidate && !refusal ? candidate : undefined;
      if (candidate && refusal) {
        // The exception exists but does not stand: say why, so the fix is the missing control.
        findings.push({ policy: rule.name, level, urn: raw.urn, message: `${describe(rule, raw.resource, raw.message)} (waiver not applied: ${refusal})` });
        continue;
      }
      if (waiver) {
        if (!waivers.some((w) => w.policy === rule.name && w.urn === raw.urn)) {
          const held = waiver.conditions.map((c) => c.description).join("; ");
          waivers.push({ policy: rule.name, urn: raw.urn, reason: `${waiver.reason} (${held ? `held: ${held}; ` : ""}review by ${waiver.reviewBy})` });
        }
        continue;
      }
      findings.push({ policy: rule.name, level, urn: raw.urn, message: describe(rule, raw.resource, raw.message) });
    }
  }
  return { findings, waivers };
}
