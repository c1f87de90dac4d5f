/**
 * `npm run lint`: typescript-eslint over the TypeScript and pyright over the Python step code. It
 * passes on the repository and fails, naming the rule, on code with a violation.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");
// Inside the project (ESLint lints only files under its base path), in a folder lint ignores.
const TMP = path.join(REPO, "tests", ".tmp", `lint-${process.pid}`);
const bin = (name: string) => path.join(REPO, "node_modules", ".bin", name);

function run(command: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(command, args, { cwd: REPO, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => fs.mkdirSync(TMP, { recursive: true }));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

test("the repository lints clean (npm run lint exits 0)", () => {
  const r = run("npm", ["run", "--silent", "lint"]);
  expect({ code: r.code, out: r.code === 0 ? "" : r.out }).toEqual({ code: 0, out: "" });
  expect(r.out).toContain("0 errors");
}, 240_000);

test("typescript-eslint fails on an unused variable and an empty interface, naming the rules", () => {
  const file = path.join(TMP, "bad.ts");
  fs.writeFileSync(file, "const unused = 1;\nexport interface Empty {}\n");
  const r = run(bin("eslint"), ["--no-ignore", file]);
  expect(r.code).toBe(1);
  expect(r.out).toContain("@typescript-eslint/no-unused-vars");
  expect(r.out).toContain("@typescript-eslint/no-empty-object-type");
}, 120_000);

test("pyright fails on a step script that calls a method of an Optional value", () => {
  const file = path.join(TMP, "bad_step.py");
  fs.writeFileSync(file, 'import os\n\n\ndef main() -> None:\n    home = os.environ.get("HOME")\n    print(home.upper())\n');
  // The repository's settings, applied to this folder (the repository's own config excludes it).
  fs.writeFileSync(path.join(TMP, "pyrightconfig.json"), JSON.stringify({ extends: path.join(REPO, "pyrightconfig.json"), include: ["."], exclude: [] }));
  const r = run(bin("pyright"), ["-p", path.join(TMP, "pyrightconfig.json")]);
  expect(r.code).toBe(1);
  expect(r.out).toContain("reportOptionalMemberAccess");
}, 120_000);
