import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

export interface SecretsKeyArgs {
  resourceGroupName: pulumi.Input<string>;
  vaultName: pulumi.Input<string>;
  /** Default `pulumi-state`. */
  keyName?: string;
  tags?: Record<string, string>;
}

/**
 * The RSA key that encrypts the stack's secrets in a self-managed backend: the stack's secrets
 * provider is `azurekeyvault://<vault>.vault.azure.net/keys/<key>` (Pulumi docs, "Secrets
 * providers"), so secrets in state are wrapped by a key no one can export, and reading them takes
 * Key Vault Crypto User on this key. Azure public cloud's vault DNS suffix is `vault.azure.net`.
 */
export class SecretsKey extends pulumi.ComponentResource {
  readonly keyId: pulumi.Output<string>;
  /** The value for `pulumi stack change-secrets-provider` / `--secrets-provider`. */
  readonly secretsProvider: pulumi.Output<string>;

  constructor(name: string, args: SecretsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:identity:SecretsKey", name, {}, opts);
    const keyName = args.keyName ?? "pulumi-state";
    const key = new keyvault.Key(
      `${name}-key`,
      {
        resourceGroupName: args.resourceGroupName,
        vaultName: args.vaultName,
        keyName,
        // Pulumi's azurekeyvault provider encrypts with RSA-OAEP-256: encrypt/decrypt are all it needs.
        properties: { kty: keyvault.JsonWebKeyType.RSA, keySize: 3072, keyOps: [keyvault.JsonWebKeyOperation.Encrypt, keyvault.JsonWebKeyOperation.Decrypt] },
        ...(args.tags ? { tags: args.tags } : {}),
      },
      // Losing the key makes every secret in the stack's state unreadable.
      { parent: this, protect: true },
    );
    this.keyId = key.id;
    this.secretsProvider = pulumi.interpolate`azurekeyvault://${args.vaultName}.vault.azure.net/keys/${keyName}`;
    this.registerOutputs({ keyId: this.keyId, secretsProvider: this.secretsProvider });
  }
}
