/**
 * `npm run instance-types -- [--check]`: writes each environment stack's instance-type manifest
 * (`deploy/instance-types/<stack>/instance-types.yaml`) from its `serving.instanceTypes`, for the
 * stacks whose Flux configuration reads it (`serving.gitops`); removes the folders of stacks that no
 * longer have one. `--check` writes nothing and exits 1 when a committed manifest differs from config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../infra/config";
import { EXIT, parseCommandLine } from "../lib/cli";
import { environmentStacks } from "../stacks/environmentStacks";
import { INSTANCE_TYPE_MANIFEST_FILE, instanceTypeManifest } from "../../components/serving/instanceTypeManifest";

export const MANIFEST_ROOT = "deploy/instance-types";

/** Relative path → expected content, for every stack whose instance types Flux applies. */
export function expectedManifests(projectDir: string): Map<string, string> {
  const expected = new Map<string, string>();
  for (const { stack } of environmentStacks(projectDir)) {
    const files = readStackConfigFiles({ projectDir, stack });
    const spec = buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
    const source = spec.serving?.instanceTypeSource;
    if (source) expected.set(path.posix.join(source.path, INSTANCE_TYPE_MANIFEST_FILE), instanceTypeManifest(stack, spec.serving!.instanceTypes));
  }
  return expected;
}

function committedManifests(projectDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const root = path.join(projectDir, MANIFEST_ROOT);
  if (!fs.existsSync(root)) return found;
  for (const stack of fs.readdirSync(root)) {
    const file = path.join(root, stack, INSTANCE_TYPE_MANIFEST_FILE);
    if (fs.existsSync(file)) found.set(path.posix.join(MANIFEST_ROOT, stack, INSTANCE_TYPE_MANIFEST_FILE), fs.readFileSync(file, "utf8"));
  }
  return found;
}

export async function main(argv: string[], projectDir = path.resolve(__dirname, "../.."), stdout = (t: string) => void process.stdout.write(t)): Promise<number> {
  const { values } = parseCommandLine("instance-types", argv, { check: { type: "boolean" }, help: { type: "boolean", short: "h" } }, false);
  if (values.help) {
    stdout("usage: npm run instance-types -- [--check]\n");
    return EXIT.ok;
  }
  const expected = expectedManifests(projectDir);
  const committed = committedManifests(projectDir);
  const stale = [...committed.keys()].filter((f) => !expected.has(f));
  const changed = [...expected].filter(([f, text]) => committed.get(f) !== text).map(([f]) => f);
  if (values.check) {
    for (const f of changed) stdout(`out of date: ${f} (run npm run instance-types)\n`);
    for (const f of stale) stdout(`no stack applies it: ${f} (run npm run instance-types)\n`);
    return changed.length + stale.length > 0 ? EXIT.failure : EXIT.ok;
  }
  for (const f of changed) {
    fs.mkdirSync(path.dirname(path.join(projectDir, f)), { recursive: true });
    fs.writeFileSync(path.join(projectDir, f), expected.get(f)!);
    stdout(`wrote ${f}\n`);
  }
  for (const f of stale) {
    fs.rmSync(path.dirname(path.join(projectDir, f)), { recursive: true, force: true });
    stdout(`removed ${path.dirname(f)}\n`);
  }
  return EXIT.ok;
}
