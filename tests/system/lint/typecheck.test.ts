import { execFile } from "node:child_process";
import * as path from "node:path";

/**
 * Suites run transpile-only for speed, so the type checker runs once here over the whole project
 * (program, components, tools, tests): a type error fails `npm test`.
 */
test("the whole project type-checks (tsc --noEmit)", async () => {
  const repo = path.resolve(__dirname, "../../..");
  const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
  const result = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [tsc, "--noEmit", "-p", path.join(repo, "tsconfig.json")], { cwd: repo, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
    ),
  );
  expect(result.out).toBe("");
  expect(result.code).toBe(0);
}, 180_000);
