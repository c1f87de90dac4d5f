/**
 * `serving.tls` (the inference router's HTTPS host name and certificate secret) is config: documented
 * defaults, overridable, and validated with the file and key path like every other key.
 */
import { buildEnvironmentSpec, EnvironmentSpec } from "../../infra/config";
import { InputError, InputProblem } from "../../infra/errors";
import { configSchema } from "../../infra/config/schema";

const FILE = "Pulumi.qa.yaml";

function build(tls?: unknown): EnvironmentSpec {
  const cfg: Record<string, unknown> = {
    location: "westeurope",
    prefix: "acme",
    network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: { privateEndpoints: "10.20.0.0/24", aks: "10.20.16.0/20" } },
    compute: { clusters: [{ name: "cpu", kind: "cpu", vmSize: "Standard_DS3_v2", maxNodes: 4 }] },
    workspace: { imageBuildCluster: "cpu" },
    serving: { kubernetesVersion: "1.33", authorizedIpRanges: ["203.0.113.0/24"], ...(tls === undefined ? {} : { tls }) },
  };
  const config = Object.fromEntries(Object.entries(cfg).map(([k, v]) => [`mlops:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
  return buildEnvironmentSpec({ project: "mlops", stack: "qa", config, defaultFile: FILE });
}

function problemsOf(tls: unknown): InputProblem[] {
  try {
    build(tls);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

test("defaults: inference.<environment>.<prefix>.internal and the azureml-fe-tls secret", () => {
  expect(build().serving!.tls).toEqual({ cname: "inference.qa.acme.internal", secretName: "azureml-fe-tls" });
});

test("both keys are taken from config", () => {
  expect(build({ cname: "score.qa.contoso.com", secretName: "router-cert" }).serving!.tls).toEqual({ cname: "score.qa.contoso.com", secretName: "router-cert" });
  expect(build({ secretName: "router-cert" }).serving!.tls).toEqual({ cname: "inference.qa.acme.internal", secretName: "router-cert" });
});

test("a bad host name, a bad secret name and an unknown key are all reported, each with its key path", () => {
  const problems = problemsOf({ cname: "https://score.contoso.com", secretName: "Router_Cert", port: 443 });
  const paths = problems.map((p) => p.path);
  expect(paths).toEqual(expect.arrayContaining(["mlops:serving.tls.cname", "mlops:serving.tls.secretName"]));
  expect(problems.some((p) => p.path.startsWith("mlops:serving.tls") && /port/.test(p.path + p.message))).toBe(true);
  for (const p of problems) expect(p.file).toBe(FILE);
});

test("the schema documents the defaults (the generated config reference reads them)", () => {
  const tls = (configSchema.properties.serving.properties as any).tls.properties;
  expect(tls.secretName.default).toBe("azureml-fe-tls");
  expect(tls.cname.description).toMatch(/inference\.<environment>\.<prefix>\.internal/);
});
