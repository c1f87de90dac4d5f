import { configSchema } from "../../infra/config/schema";

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  description?: string;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  required?: readonly string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (node.type === "array") return `list of ${node.items ? typeOf(node.items) : "values"}`;
  if (node.type === "object" && node.additionalProperties && typeof node.additionalProperties === "object") return "map";
  return node.type ?? "value";
}

function details(node: SchemaNode): string {
  const parts: string[] = [];
  if (node.description) parts.push(node.description);
  if (node.minimum !== undefined || node.maximum !== undefined) parts.push(`range ${node.minimum ?? "…"}–${node.maximum ?? "…"}`);
  if (node.default !== undefined) parts.push(`default \`${JSON.stringify(node.default)}\``);
  return parts.join("; ").replace(/\|/g, "\\|");
}

function rows(node: SchemaNode, path: string, required: boolean, out: string[]): void {
  out.push(`| \`${path}\` | ${typeOf(node)} | ${required ? "yes" : ""} | ${details(node)} |`);
  const children = node.type === "array" ? node.items : node;
  const suffix = node.type === "array" ? "[]" : "";
  if (children?.properties) {
    for (const [key, child] of Object.entries(children.properties)) {
      rows(child, `${path}${suffix}.${key}`, children.required?.includes(key) ?? false, out);
    }
  }
}

/** The config reference table, generated from the JSON Schema the program validates with. */
export function renderConfigReference(project = "mlops"): string {
  const out = ["| key | type | required | meaning |", "| --- | --- | --- | --- |"];
  for (const [key, node] of Object.entries(configSchema.properties as unknown as Record<string, SchemaNode>)) {
    rows(node, `${project}:${key}`, false, out);
  }
  return out.join("\n");
}
