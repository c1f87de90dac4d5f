/**
 * Built-in role definition ids are the same GUID in every subscription; a typo grants nothing (or the
 * wrong thing) and only fails at `pulumi up`. Each value below was checked against Microsoft's
 * built-in roles reference.
 */
import { builtInRoles, roleDefinitionId } from "../../../components/authorization/roles";

const published: Record<keyof typeof builtInRoles, string> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  StorageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  StorageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  StorageFileDataPrivilegedContributor: "69566ab7-960f-475b-8e7c-b3118f30c6bd",
  KeyVaultAdministrator: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  KeyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  KeyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  KeyVaultCryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  AcrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  AzureMLDataScientist: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
  AzureMLComputeOperator: "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
  AzureMLRegistryUser: "1823dd4f-9b8c-4ab6-ab4e-7397a3684615", // "AzureML Registry User"
  AksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
  AksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
  AksClusterAdmin: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
  KubernetesExtensionContributor: "85cb6faf-e071-4c9b-8136-154b5a04f717",
  NetworkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  ManagedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
  UserAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  RoleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
};

test("every built-in role id is the published GUID", () => {
  expect(builtInRoles).toEqual(published);
  for (const id of Object.values(builtInRoles)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test("role definition ids are subscription-scoped paths", async () => {
  const id = await new Promise<string>((resolve) => roleDefinitionId("sub-1", "AcrPull").apply(resolve));
  expect(id).toBe("/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d");
});
