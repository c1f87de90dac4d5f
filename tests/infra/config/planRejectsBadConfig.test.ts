import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTool } from "../../support/plans";
import { badConfigs } from "./badConfigs";

/**
 * The edge users meet: `npm run plan -- <stack> --config <file>` on each bad config exits 2, names
 * the file and the key path, prints no stack trace and writes no output files.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-badcfg-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test(`all ${badConfigs.length} bad configs exit 2 naming file and key path, writing nothing`, async () => {
  const outDir = path.join(dir, "out");
  const results: { title: string; code: number; stderr: string; file: string; path: string }[] = [];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < badConfigs.length; i += 2) {
    const batch = badConfigs.slice(i, i + 2);
    results.push(
      ...(await Promise.all(
        batch.map(async (c) => {
          const file = path.join(dir, `${c.title.replace(/\W+/g, "-")}.yaml`);
          fs.writeFileSync(file, `config:\n${c.yaml}`);
          const r = await runTool("plan", [c.stack, "--config", file, "--out", outDir]);
          return { title: c.title, code: r.code, stderr: r.stderr, file, path: c.path };
        }),
      )),
    );
  }
  for (const r of results) {
    expect({ title: r.title, code: r.code }).toEqual({ title: r.title, code: 2 });
    expect(r.stderr).toContain(r.file);
    expect(r.stderr).toContain(r.path);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }
  expect(fs.existsSync(outDir)).toBe(false);
}, 180_000);
