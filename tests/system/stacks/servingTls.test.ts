/**
 * The inference router's HTTPS: the host name is config (`serving.tls.cname`, documented default);
 * the certificate and key are secret config keys delivered to the extension as protected settings
 * (`scoringFe.sslCert` / `scoringFe.sslKey`, base64 of the PEM as the Azure ML CLI sends them). The
 * old `secretName` (a Kubernetes secret nothing created) is refused with its key path.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildEnvironmentSpec, EnvironmentSpec } from "../../../infra/config";
import { InputError, InputProblem } from "../../../shared/errors";
import { captureRawRegistrations } from "../../support/rawRegistrations";
import { configSchema } from "../../../infra/config/schema";

const FILE = "Pulumi.qa.yaml";

function build(tls?: unknown, extra: Record<string, unknown> = {}): EnvironmentSpec {
  const cfg: Record<string, unknown> = {
    location: "westeurope",
    prefix: "acme",
    network: { mode: "private", addressSpace: "10.20.0.0/16", subnets: { privateEndpoints: "10.20.0.0/24", aks: "10.20.16.0/20" } },
    compute: { clusters: [{ name: "cpu", kind: "cpu", vmSize: "Standard_DS3_v2", maxNodes: 4 }] },
    workspace: { imageBuildCluster: "cpu" },
    serving: { kubernetesVersion: "1.33", privateCluster: true, ...(tls === undefined ? {} : { tls }) },
    servingTlsCertificate: "[secret]",
    servingTlsKey: "[secret]",
    ...extra,
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

test("default host name: inference.<environment>.<prefix>.internal; config overrides it", () => {
  expect(build().serving!.tls).toEqual({ cname: "inference.qa.acme.internal" });
  expect(build({ cname: "score.qa.contoso.com" }).serving!.tls).toEqual({ cname: "score.qa.contoso.com" });
});

test("a bad host name and the retired secretName are both reported, each with its key path", () => {
  const problems = problemsOf({ cname: "https://score.contoso.com", secretName: "router-cert" });
  expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["mlops:serving.tls.cname"]));
  expect(problems.some((p) => /secretName/.test(p.path + p.message))).toBe(true);
  for (const p of problems) expect(p.file).toBe(FILE);
});

test("the schema documents the default host name and the two secret keys", () => {
  const tls = (configSchema.properties.serving.properties as any).tls.properties;
  expect(tls.cname.description).toMatch(/inference\.<environment>\.<prefix>\.internal/);
  expect((configSchema.properties as any).servingTlsCertificate.description).toMatch(/^Secret: PEM certificate/);
  expect((configSchema.properties as any).servingTlsKey.description).toMatch(/^Secret: PEM private key/);
});

test("the extension receives base64 PEM as protected settings (registered as a secret)", async () => {
  const registered = await captureRawRegistrations();
  const { AmlKubernetesCompute } = await import("../../../components/serving/amlKubernetesCompute");
  const compute = new AmlKubernetesCompute("t", {
    location: "westeurope",
    tags: {},
    subscriptionId: "s",
    cluster: { resourceGroupName: "rg", clusterName: "aks", clusterId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", kubeletObjectId: "k", ready: [], location: "westeurope" },
    workspace: { resourceGroupName: "rg", workspaceName: "ws", identityPrincipalId: "p", registryId: "r" },
    computeName: "aks",
    namespace: "azureml-inference",
    defaultInstanceType: "defaultinstancetype",
    inference: { internalLoadBalancer: true, highAvailability: false, gpu: false, tls: { cname: "score.qa", certificatePem: pulumi.secret("CERT-PEM"), keyPem: pulumi.secret("KEY-PEM") } },
  });
  await new Promise<void>((resolve) => compute.computeId.apply(() => resolve()));
  const ext = registered.find((r) => r.type === "azure-native:kubernetesconfiguration:Extension")!;
  // Registered as a secret (Pulumi's secret signature wraps the value), so state and plan never hold it in clear.
  expect(ext.inputs.configurationProtectedSettings).toEqual({
    [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
    value: { "scoringFe.sslCert": Buffer.from("CERT-PEM").toString("base64"), "scoringFe.sslKey": Buffer.from("KEY-PEM").toString("base64") },
  });
  expect(ext.inputs.configurationSettings).toMatchObject({ sslCname: "score.qa", allowInsecureConnections: "False" });
  expect(ext.inputs.configurationSettings.sslSecret).toBeUndefined();
});
