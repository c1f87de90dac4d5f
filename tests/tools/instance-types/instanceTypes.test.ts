/**
 * The instance-type manifests Flux applies (deploy/instance-types/<stack>) are what each stack's
 * config says: the committed files equal the generated ones, each names exactly the configured
 * instance types as `InstanceType` custom resources, and `npm run instance-types -- --check` fails on
 * a stale file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { expectedManifests, main } from "../../../tools/instance-types/instanceTypes";

const ROOT = path.resolve(__dirname, "../../..");

test("the committed manifests are the ones generated from the stacks' config", async () => {
  const expected = expectedManifests(ROOT);
  expect([...expected.keys()]).toEqual(expect.arrayContaining(["deploy/instance-types/prod/instance-types.yaml", "deploy/instance-types/qa/instance-types.yaml"]));
  for (const [file, text] of expected) expect(fs.readFileSync(path.join(ROOT, file), "utf8")).toBe(text);
  const printed: string[] = [];
  expect(await main(["--check"], ROOT, (t) => void printed.push(t))).toBe(0);
  expect(printed).toEqual([]);
});

test.each(["qa", "prod"])("%s: the manifest declares exactly the configured instance types, pinned to their pool, and the endpoint uses one of them", (stack) => {
  const files = readStackConfigFiles({ projectDir: ROOT, stack });
  const spec = buildEnvironmentSpec({ project: files.project, stack, config: files.config, sources: files.sources, defaultFile: files.file });
  const docs = parseAllDocuments(fs.readFileSync(path.join(ROOT, `deploy/instance-types/${stack}/instance-types.yaml`), "utf8")).map((d) => d.toJS());
  expect(docs.map((d) => ({ apiVersion: d.apiVersion, kind: d.kind, name: d.metadata.name }))).toEqual(
    spec.serving!.instanceTypes.map((t) => ({ apiVersion: "amlarc.azureml.com/v1alpha1", kind: "InstanceType", name: t.name })),
  );
  for (const [i, t] of spec.serving!.instanceTypes.entries()) {
    expect(docs[i].spec).toEqual({ nodeSelector: { agentpool: t.nodePool }, resources: { requests: { cpu: t.cpu, memory: t.memory }, limits: { cpu: t.cpu, memory: t.memory } } });
  }
  expect(docs.map((d) => d.metadata.name)).toContain(spec.serving!.onlineEndpoint.instanceType);
});

test("--check fails on a manifest that no longer matches its config, and the generator rewrites it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "instance-types-"));
  try {
    for (const f of ["Pulumi.yaml", "Pulumi.qa.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const qa = fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), qa.replace(/memory: 4Gi/, "memory: 6Gi"));
    fs.mkdirSync(path.join(dir, "deploy/instance-types/qa"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "deploy/instance-types/qa/instance-types.yaml"), path.join(dir, "deploy/instance-types/qa/instance-types.yaml"));
    fs.mkdirSync(path.join(dir, "deploy/instance-types/old"), { recursive: true });
    fs.writeFileSync(path.join(dir, "deploy/instance-types/old/instance-types.yaml"), "# stale\n");
    const printed: string[] = [];
    expect(await main(["--check"], dir, (t) => void printed.push(t))).toBe(1);
    expect(printed.join("")).toMatch(/out of date: deploy\/instance-types\/qa\/instance-types.yaml[\s\S]*no stack applies it: deploy\/instance-types\/old/);
    expect(await main([], dir, () => undefined)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "deploy/instance-types/qa/instance-types.yaml"), "utf8")).toContain("memory: 6Gi");
    expect(fs.existsSync(path.join(dir, "deploy/instance-types/old"))).toBe(false);
    expect(await main(["--check"], dir, () => undefined)).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
