/**
 * Imports between top-level folders go one way (docs/architecture.md, "Folder dependencies"): a
 * folder imports only the folders listed for it, so the lower ones never need the higher ones.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");

/** docs/architecture.md's table: each product folder and what it may import. */
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  components: ["shared"],
  pipelines: ["shared", "components"],
  infra: ["shared", "components", "pipelines"],
  policy: ["shared"],
  tools: ["shared", "components", "pipelines", "infra", "policy"],
};


const SPECIFIER = /(?:\bfrom\s+|\bimport\s+|\brequire\(\s*|\bimport\(\s*)["'](\.{1,2}\/[^"']*)["']/g;

/** Relative module specifiers a source file imports or requires. */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1]);
}

function topFolder(file: string): string {
  return path.relative(REPO, file).split(path.sep)[0];
}

/** `<file> -> <folder>` for each import of a folder the file's own folder may not import. */
export function forbiddenEdges(file: string, text: string): string[] {
  const from = topFolder(file);
  const allowed = ALLOWED[from];
  if (!allowed) return [];
  const edges = new Set<string>();
  for (const spec of relativeImports(text)) {
    const to = topFolder(path.resolve(path.dirname(file), spec));
    if (to !== from && !allowed.includes(to)) edges.add(`${path.relative(REPO, file).split(path.sep).join("/")} -> ${to}`);
  }
  return [...edges];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "bin" ? [] : sourceFiles(p);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

describe("folder dependencies", () => {
  const files = Object.keys(ALLOWED).flatMap((folder) => sourceFiles(path.join(REPO, folder)));

  test("every product folder has source files to check", () => {
    for (const folder of Object.keys(ALLOWED)) expect(files.some((f) => topFolder(f) === folder)).toBe(true);
  });

  test("no folder imports one the table does not allow", () => {
    const edges = files.flatMap((f) => forbiddenEdges(f, fs.readFileSync(f, "utf8")));
    expect(edges).toEqual([]);
  });

  test("the checker sees static imports, bare imports, require and dynamic import", () => {
    const file = path.join(REPO, "shared", "example.ts");
    const text = [
      'import { a } from "../infra/config";',
      'import "../tools/plan/startup";',
      'const b = require("../components/shared/retryAfterCap") as typeof import("../pipelines/publisher/arm");',
      'import { c } from "./kinds";',
    ].join("\n");
    expect(forbiddenEdges(file, text).sort()).toEqual(["shared/example.ts -> components", "shared/example.ts -> infra", "shared/example.ts -> pipelines", "shared/example.ts -> tools"]);
  });
});
