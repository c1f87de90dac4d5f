/**
 * Reads the contract data (`azureml.json`, each item with its source in Azure's specifications) and
 * answers the questions the local Azure ML server asks of a request: which namespace, type and
 * api-version it addresses, whether its names follow the type's rule, and what is wrong with a body.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface NameRule {
  pattern: string;
  source: string;
}

export interface TypeContract {
  spec: string;
  name?: { ref?: string; pattern?: string; source?: string };
  required?: string[];
  enums?: Record<string, string[]>;
  oneOf?: string[][];
  readOnly?: string[];
  references?: ("componentAssets" | "modelUriDatastore" | "jobInputs" | "pipelineJobComponents" | "traffic")[];
  lro?: string[];
  container?: boolean;
  version?: { deletable: boolean };
  deleteRule?: "noTraffic";
  /** Api-versions this type serves when they differ from its namespace's (registry data plane). */
  apiVersions?: string[];
}

export interface NamespaceContract {
  apiVersions: string[];
  apiVersionsSource: string;
  types: Record<string, TypeContract>;
}

export interface Contract {
  specRoot: string;
  arm: {
    unknownApiVersion: { status: number; code: string };
    unknownNamespace: { status: number; code: string };
    unknownType: { status: number; code: string };
    missingApiVersion: { status: number; code: string };
    audiences: string[];
  };
  /** The run history data plane (step runs of a pipeline job), not ARM. */
  runHistory: {
    apiVersions: string[];
    audiences: string[];
    notFound: { status: number; code: string };
    missingApiVersion: { status: number; code: string };
  };
  namespaces: Record<string, NamespaceContract>;
  names: Record<string, NameRule>;
  assets: { mutableVersionProperties: string[] };
}

export const contract: Contract = JSON.parse(fs.readFileSync(path.join(__dirname, "azureml.json"), "utf8"));

export interface ResolvedType {
  namespace: string;
  /** e.g. `workspaces/onlineEndpoints/deployments`, spelled as in the contract. */
  typeKey: string;
  rule: TypeContract;
  apiVersions: string[];
}

/** The namespace contract, matched case-insensitively as ARM does. */
export function namespaceOf(namespace: string): { name: string; ns: NamespaceContract } | undefined {
  const name = Object.keys(contract.namespaces).find((n) => n.toLowerCase() === namespace.toLowerCase());
  return name ? { name, ns: contract.namespaces[name] } : undefined;
}

/** The contract of a resource type given its type segments (`["workspaces", "jobs"]`). */
export function typeOf(namespace: string, typeSegments: string[]): ResolvedType | undefined {
  const found = namespaceOf(namespace);
  if (!found) return undefined;
  const wanted = typeSegments.join("/").toLowerCase();
  const typeKey = Object.keys(found.ns.types).find((k) => k.toLowerCase() === wanted);
  return typeKey ? { namespace: found.name, typeKey, rule: found.ns.types[typeKey], apiVersions: found.ns.types[typeKey].apiVersions ?? found.ns.apiVersions } : undefined;
}

/** The name rule of a type, resolved through `names` when it is a reference. */
export function nameRuleOf(rule: TypeContract): NameRule | undefined {
  if (!rule.name) return undefined;
  if (rule.name.ref) return contract.names[rule.name.ref];
  return rule.name.pattern ? { pattern: rule.name.pattern, source: rule.name.source ?? rule.spec } : undefined;
}

/** Every `[path, value]` a dotted path with `*` wildcards reaches in `obj` (missing leaves skipped). */
export function valuesAt(obj: unknown, dotted: string): [string, unknown][] {
  let current: [string, unknown][] = [["", obj]];
  for (const seg of dotted.split(".")) {
    const next: [string, unknown][] = [];
    for (const [p, v] of current) {
      if (v === null || typeof v !== "object") continue;
      const entries = seg === "*" ? Object.entries(v as Record<string, unknown>) : [[seg, (v as Record<string, unknown>)[seg]] as [string, unknown]];
      for (const [k, child] of entries) if (child !== undefined) next.push([p ? `${p}.${k}` : k, child]);
    }
    current = next;
  }
  return current;
}

/** Problems with a PUT body under the type's required/enum/oneOf rules, all at once. */
export function bodyProblems(rule: TypeContract, body: unknown): string[] {
  const problems: string[] = [];
  if (body === null || typeof body !== "object" || Array.isArray(body)) return ["the request body must be a JSON object"];
  for (const req of rule.required ?? []) {
    const parent = req.includes(".") ? req.slice(0, req.lastIndexOf(".")) : "";
    // A required child of an absent optional parent is reported once, at the parent.
    if (parent && !(rule.required ?? []).includes(parent) && valuesAt(body, parent).length === 0) continue;
    if (valuesAt(body, req).length === 0) problems.push(`'${req}' is required`);
  }
  for (const [dotted, allowed] of Object.entries(rule.enums ?? {})) {
    for (const [p, v] of valuesAt(body, dotted)) {
      if (typeof v !== "string" || !allowed.some((a) => a.toLowerCase() === v.toLowerCase())) {
        problems.push(`'${p}' must be one of ${allowed.join(", ")} (found ${JSON.stringify(v)})`);
      }
    }
  }
  for (const group of rule.oneOf ?? []) {
    const present = group.filter((g) => valuesAt(body, g).some(([, v]) => v !== null));
    if (present.length !== 1) problems.push(`exactly one of ${group.map((g) => `'${g}'`).join(", ")} is required (found ${present.length})`);
  }
  return problems;
}

/** A copy of `body` without the type's read-only properties (ARM ignores them in a PUT). */
export function withoutReadOnly<T>(rule: TypeContract, body: T): T {
  const copy = JSON.parse(JSON.stringify(body));
  for (const dotted of rule.readOnly ?? []) {
    const segs = dotted.split(".");
    const leaf = segs.pop()!;
    const parents = segs.length ? valuesAt(copy, segs.join(".")) : [["", copy] as [string, unknown]];
    for (const [, parent] of parents) if (parent && typeof parent === "object") delete (parent as Record<string, unknown>)[leaf];
  }
  return copy;
}
