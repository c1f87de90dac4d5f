/**
 * Flux reads a private instance-type repository over HTTPS: the user goes in the Flux configuration's
 * `gitRepository.httpsUser`, the token base64-encoded in its protected settings under `httpsKey`
 * (what `az k8s-configuration flux create --https-user/--https-key` sends), registered as a secret.
 * A public repository sends neither.
 */
import * as pulumi from "@pulumi/pulumi";

import { captureRawRegistrations, RawRegistration } from "../../support/rawRegistrations";

async function declare(withToken: boolean): Promise<RawRegistration> {
  const registered = await captureRawRegistrations();
  const { InstanceTypesGitOps } = await import("../../../components/serving/instanceTypesGitOps");
  const source = { repositoryUrl: "https://dev.azure.com/contoso/mlops/_git/mlops", branch: "main", path: "deploy/instance-types/qa" };
  const gitops = new InstanceTypesGitOps("t", {
    cluster: { resourceGroupName: "rg", clusterName: "aks" },
    source: withToken ? { ...source, httpsUser: "flux-reader" } : source,
    ...(withToken ? { httpsKey: pulumi.secret("PAT-VALUE") } : {}),
    after: [],
  });
  await new Promise<void>((resolve) => gitops.fluxConfigurationName.apply(() => resolve()));
  return registered.find((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration")!;
}

test("a private repository: the user in gitRepository, the token base64 in protected settings, as a secret", async () => {
  const config = await declare(true);
  expect(config.inputs.gitRepository).toMatchObject({ url: "https://dev.azure.com/contoso/mlops/_git/mlops", httpsUser: "flux-reader" });
  expect(config.inputs.configurationProtectedSettings).toEqual({
    [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
    value: { httpsKey: Buffer.from("PAT-VALUE").toString("base64") },
  });
  expect(JSON.stringify(config.inputs.gitRepository)).not.toContain("PAT");
});

test("a public repository sends no credentials", async () => {
  const config = await declare(false);
  expect(config.inputs.gitRepository.httpsUser).toBeUndefined();
  expect(config.inputs.configurationProtectedSettings).toBeUndefined();
});
