/** Shared pieces of the text and Markdown views: the component tree, counts, and short labels. */
import { resourceKey } from "../diff";
import { keySettings } from "../settings";
import type { PlanDocument, PlanResource, PlanValue, PropertyChange } from "../../../shared/plan";

export const PLACEHOLDER_NOTE =
  "Values known only after deployment show as [unknown]; secrets as [secret]; " +
  "stack references resolve to the placeholder <stack>:<output> (e.g. organization/mlops/dev:workspaceName).";

/** The tree as lines: `├─ name  type  [protected]  key=value …`. */
export function treeLines(plan: PlanDocument): string[] {
  const children = new Map<string | null, PlanResource[]>();
  const urns = new Set(plan.resources.map((r) => r.urn));
  for (const r of plan.resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : null;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  const lines: string[] = [];
  const visit = (parent: string | null, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? "└─ " : "├─ "}${resourceLabel(r)}`);
      visit(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  visit(null, "");
  return lines;
}

export function resourceLabel(r: PlanResource): string {
  const flags = [r.protect ? "[protected]" : "", r.read ? "[read]" : ""].filter(Boolean).join(" ");
  const settings = keySettings(r)
    .map((s) => `${s.label}=${s.value}`)
    .join("  ");
  return [r.name, r.type, flags, settings].filter(Boolean).join("  ");
}

/** Resources per type, most frequent first. */
export function countByType(plan: PlanDocument): [type: string, count: number][] {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** `<type chain>::<name>` shortened to `name (type)` for lists. */
export function shortUrn(urn: string, type: string): string {
  const key = resourceKey(urn);
  const name = key.slice(key.lastIndexOf("::") + 2);
  return `${name} (${type})`;
}

export function summaryLine(plan: PlanDocument): string {
  const managed = plan.resources.filter((r) => r.custom && !r.read).length;
  const components = plan.resources.filter((r) => !r.custom).length;
  const reads = plan.resources.filter((r) => r.read).length;
  return `${plural(plan.resources.length, "resource")}: ${managed} managed, ${plural(components, "component")}, ${reads} read`;
}

export function valueText(v: PlanValue | undefined, max = 120): string {
  if (v === undefined) return "(absent)";
  const text = JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function changeText(c: PropertyChange): string {
  return `${c.path}: ${valueText(c.before)} → ${valueText(c.after)}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
