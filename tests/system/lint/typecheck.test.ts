import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Suites run transpile-only for speed, so the type checker runs once here over the whole project
 * (program, components, tools, tests): a type error fails `npm test`.
 *
 * The checker is TypeScript 7, the native compiler (`@typescript/native`, an npm alias of
 * `typescript@7`), laid out beside TypeScript 6 as the TypeScript team recommends ("Announcing
 * TypeScript 7.0", section "Running side by side with TypeScript 6.0"): 7 ships no JavaScript API yet,
 * so `require("typescript")` (typescript-eslint, the launcher's transpile, Pulumi) stays on 6 while
 * `tsc` is 7. The whole project checks in about 3 s instead of 15 s.
 */
const repo = path.resolve(__dirname, "../../..");
const nativeTsc = path.join(repo, "node_modules", "@typescript", "native", "bin", "tsc");

function tsc(args: string[], cwd = repo): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [nativeTsc, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

test("the whole project type-checks (tsc --noEmit)", async () => {
  // One checker thread: what it reports does not depend on how many check in parallel, and beside the
  // suite's other workers on two cores the default number costs half as much CPU again for no gain in time
  // (measured: 3.7 s of CPU instead of 5.6, 2.7 s instead of 3.0 wall).
  const result = await tsc(["--noEmit", "-p", path.join(repo, "tsconfig.json"), "--checkers", "1"]);
  expect(result.out).toBe("");
  expect(result.code).toBe(0);
}, 180_000);

test("`npm run typecheck` runs that checker: the tsc on npm's path is TypeScript 7", async () => {
  const onPath = fs.realpathSync(path.join(repo, "node_modules", ".bin", "tsc"));
  expect(onPath).toBe(fs.realpathSync(nativeTsc));
  const version = await tsc(["--version"]);
  expect(version.out).toMatch(/^Version 7\./);
});

test("the checker fails on a type error with the project's options, naming the file and the code", async () => {
  // Inside the project, in a folder the project's own include leaves out (tests/.tmp is ignored by lint too).
  const dir = path.join(repo, "tests", ".tmp", `typecheck-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(path.join(dir, "bad.ts"), 'export function f(x: string | undefined): number {\n  return x.length;\n}\n');
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: path.join(repo, "tsconfig.json"), include: ["bad.ts"] }));
    const result = await tsc(["--noEmit", "-p", path.join(dir, "tsconfig.json")], dir);
    expect(result.code).toBe(1);
    expect(result.out).toContain("bad.ts(2,10)");
    expect(result.out).toContain("TS18048");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
