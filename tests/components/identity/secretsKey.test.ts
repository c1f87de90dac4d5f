/** SecretsKey under the Pulumi mocks: a protected RSA key that only encrypts and decrypts, and the stack's secrets provider URL. */
import type * as pulumi from "@pulumi/pulumi";
import { SecretsKey } from "../../../components/identity";
import type { PlanResource } from "../../../shared/plan";
import { named, recordDeclarations } from "../../support/declarations";

let all: PlanResource[];
let provider: pulumi.Output<string>;
beforeAll(async () => {
  all = await recordDeclarations(() => {
    provider = new SecretsKey("qa-secrets", { resourceGroupName: "rg-qa", vaultName: "kv-qa-1", tags: { environment: "qa" } }).secretsProvider;
  });
});

test("the key is RSA 3072, encrypt/decrypt only, and protected (losing it loses every secret in state)", () => {
  const key = named(all, "azure-native:keyvault:Key", "-key");
  expect(key.protect).toBe(true);
  expect(key.inputs).toMatchObject({ vaultName: "kv-qa-1", keyName: "pulumi-state", properties: { kty: "RSA", keySize: 3072, keyOps: ["encrypt", "decrypt"] } });
});

test("the secrets provider names the vault's key in Azure public cloud", async () => {
  const url = await new Promise<string>((resolve) => provider.apply(resolve));
  expect(url).toBe("azurekeyvault://kv-qa-1.vault.azure.net/keys/pulumi-state");
});
