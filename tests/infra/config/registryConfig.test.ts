/**
 * Config of the registry strategy: `mlops:modelRegistry` (the origin, dev) and
 * `mlops:promotion.strategy|registry` (qa, prod), validated with every problem at once.
 */
import * as path from "node:path";
import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { InputError } from "../../../shared/errors";

const repo = path.resolve(__dirname, "../../..");

function specFor(stack: string, edit: (config: Record<string, any>) => void) {
  const files = readStackConfigFiles({ projectDir: repo, stack });
  // Only the keys under test are parsed (secrets stay opaque).
  const keys = ["mlops:promotion", "mlops:modelRegistry"];
  const parsed: Record<string, any> = Object.fromEntries(keys.filter((k) => files.config[k] !== undefined).map((k) => [k, JSON.parse(String(files.config[k]))]));
  edit(parsed);
  const config = { ...files.config, ...Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, JSON.stringify(v)])) };
  return buildEnvironmentSpec({ project: files.project, stack, config, sources: files.sources });
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error("expected an InputError");
}

test("the shipped stacks use the copy strategy and declare no registry", () => {
  for (const stack of ["qa", "prod"]) expect(specFor(stack, () => {}).promotion).toMatchObject({ strategy: "copy" });
  expect(specFor("dev", () => {}).modelRegistry).toBeNull();
});

test("registry strategy: the import cluster's physical name and the default environment reach the spec; dev's registry is closed by default", () => {
  const qa = specFor("qa", (c) => Object.assign(c["mlops:promotion"], { strategy: "registry", registry: { importCluster: "cpu" } }));
  expect(qa.promotion).toMatchObject({
    strategy: "registry",
    registry: { importCompute: qa.clusters.find((c) => c.key === "cpu")!.name, importEnvironment: "azureml://registries/azureml/environments/sklearn-1.5/labels/latest" },
  });
  expect(specFor("dev", (c) => (c["mlops:modelRegistry"] = { name: "mlreg-mlops" })).modelRegistry).toEqual({ name: "mlreg-mlops", publicNetworkAccess: "Disabled" });
});

test("bad registry config: every problem at once, each naming its key", () => {
  const problems = problemsOf(() =>
    specFor("qa", (c) => {
      Object.assign(c["mlops:promotion"], { strategy: "registry", registry: { importCluster: "nope" } });
      c["mlops:modelRegistry"] = { name: "mlreg-mlops" };
    }),
  );
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^mlops:promotion\.registry\.importCluster: unknown compute cluster 'nope'/),
      expect.stringMatching(/^mlops:modelRegistry: is declared by the origin stack \(dev\)/),
    ]),
  );
});

test("registry strategy with serving and no import cluster is refused: Kubernetes endpoints cannot deploy registry models", () => {
  const problems = problemsOf(() => specFor("prod", (c) => Object.assign(c["mlops:promotion"], { strategy: "registry" })));
  expect(problems).toEqual([expect.stringMatching(/^mlops:promotion\.registry\.importCluster: is required with serving/)]);
});

test("an unknown strategy and a bad registry name are schema errors", () => {
  const problems = problemsOf(() => specFor("qa", (c) => Object.assign(c["mlops:promotion"], { strategy: "mirror" })));
  expect(problems.join("\n")).toMatch(/promotion\.strategy/);
  const named = problemsOf(() => specFor("dev", (c) => (c["mlops:modelRegistry"] = { name: "x" })));
  expect(named.join("\n")).toMatch(/modelRegistry\.name/);
});

test("registry settings without the registry strategy are refused", () => {
  const problems = problemsOf(() => specFor("qa", (c) => Object.assign(c["mlops:promotion"], { registry: { importCluster: "cpu" } })));
  expect(problems).toEqual([expect.stringMatching(/^mlops:promotion\.registry: is only read with promotion\.strategy: registry/)]);
});
