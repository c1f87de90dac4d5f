import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePinnedUse, runtimeProblem } from "./actionRuntimes";
import { workflowDir, yamlFiles } from "./workflowFiles";

const uses = yamlFiles(workflowDir).flatMap((file) =>
  readFileSync(join(workflowDir, file), "utf8")
    .split("\n")
    .filter((l) => /^\s*(- )?uses:\s/.test(l) && !/uses:\s*\.\//.test(l))
    .map((line) => ({ file, line: line.trim() })),
);

describe("actions run on a runtime GitHub still has", () => {
  it("finds the workflows' actions", () => {
    expect(uses.length).toBeGreaterThan(10);
  });

  it.each(uses.map((u) => [`${u.file}: ${u.line}`, u.line] as const))("%s is pinned by SHA to a current major", (_label, line) => {
    const pinned = parsePinnedUse(line);
    expect(pinned).not.toBeNull();
    expect(runtimeProblem(pinned!)).toBeNull();
  });

  it("refuses a Node 20 major and an action it cannot place (control)", () => {
    const old = parsePinnedUse("- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2")!;
    expect(runtimeProblem(old)).toMatch(/node20, which GitHub has removed/);
    const unknown = parsePinnedUse("uses: someone/thing@0123456789012345678901234567890123456789 # v1.0.0")!;
    expect(runtimeProblem(unknown)).toMatch(/runtime unknown/);
    expect(parsePinnedUse("uses: actions/checkout@v6")).toBeNull();
  });
});
