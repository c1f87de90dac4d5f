/**
 * The production sign-in path: Azure AD tokens for storage (Azurite over HTTPS with `--oauth basic`)
 * and for ARM, user-delegation SAS on the source, and the account-key SAS fallback fetched with
 * ARM `listKeys` when Azure AD refuses a delegation key. ARM calls go through `azureClients`, the
 * same factory the provider uses against Azure.
 */
import { BlobServiceClient, BlockBlobClient, RestError } from "@azure/storage-blob";
import { startAzurite, Azurite } from "../../support/azurite";
import { startAmlServer, AmlServer } from "../../support/amlServer";
import { PromotedModelProvider } from "../../../components/modelPromotion/provider";
import { azureClients } from "../../../components/modelPromotion/clients";
import type { PromotedModelInputs } from "../../../components/modelPromotion/types";

const DEV = { subscriptionId: "44444444-4444-4444-4444-444444444444", resourceGroupName: "rg-dev", workspaceName: "mlw-dev" };
const QA = { subscriptionId: "55555555-5555-5555-5555-555555555555", resourceGroupName: "rg-qa", workspaceName: "mlw-qa" };

let azurite: Azurite;
let aml: AmlServer;
let provider: PromotedModelProvider;
const copySources: string[] = [];

beforeAll(async () => {
  [azurite, aml] = await Promise.all([startAzurite({ accounts: ["aaddev", "aadqa"], oauth: true }), startAmlServer()]);
  aml.seedWorkspace({ ...DEV, storageAccountName: "aaddev", blobContainerName: "dev-blobstore" });
  aml.seedWorkspace({ ...QA, storageAccountName: "aadqa", blobContainerName: "qa-blobstore" });
  const credential = azurite.tokenCredential();
  provider = new PromotedModelProvider((settings) => ({
    ...azureClients(settings, { credential, armPolicies: aml.clientOptions.additionalPolicies }),
    // No account key in hand: everything is signed with Azure AD tokens.
    blob: (account) => ({ service: azurite.serviceClient(account, { retryOptions: { maxTries: 2, retryDelayInMs: 10 } }, "token") }),
    pollIntervalMs: 10,
  }));
  const dev = azurite.serviceClient("aaddev", {}, "token").getContainerClient("dev-blobstore");
  await dev.create();
  await azurite.serviceClient("aadqa", {}, "token").getContainerClient("qa-blobstore").create();
  for (const [name, version] of [["churn", "1"], ["churn", "2"], ["churn", "3"]]) {
    await dev.getBlockBlobClient(`models/${name}/${version}/model.pkl`).uploadData(Buffer.from(`weights ${version}`));
    aml.seed(`${aml.workspacePath(DEV.subscriptionId, DEV.resourceGroupName, DEV.workspaceName)}/models/${name}/versions/${version}`, {
      properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/models/${name}/${version}`, tags: { stage: "production" } },
    });
  }
});
afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([azurite.stop(), aml.close()]);
});
beforeEach(() => {
  jest.restoreAllMocks();
  copySources.length = 0;
  aml.clearRequests();
  const original = BlockBlobClient.prototype.syncCopyFromURL;
  jest.spyOn(BlockBlobClient.prototype, "syncCopyFromURL").mockImplementation(function (this: BlockBlobClient, source, options) {
    copySources.push(source);
    return original.call(this, source, options);
  });
});

const inputs = (version: string): PromotedModelInputs => ({
  modelName: "churn",
  version,
  source: DEV,
  target: { ...QA, datastoreName: "workspaceblobstore" },
  approvalTag: { key: "stage", value: "production" },
  targetPathPrefix: "promoted",
  armEndpoint: aml.url,
  blobEndpointTemplate: `${azurite.url}/{account}`,
  archiveOnDelete: true,
  copyConcurrency: 2,
});

const sasOf = (url: string) => new URL(url).searchParams;

it("signs the copy source with a short-lived read-only user delegation SAS", async () => {
  const udk = jest.spyOn(BlobServiceClient.prototype, "getUserDelegationKey");
  const { outs } = await provider.create(inputs("1"));
  expect(outs.files).toBe(1);
  expect(udk).toHaveBeenCalledTimes(1);
  expect(copySources).toHaveLength(1);
  const sas = sasOf(copySources[0]);
  expect(sas.get("skoid")).toBeTruthy();
  expect(sas.get("sp")).toBe("r");
  expect(sas.get("sr")).toBe("b");
  expect(Date.parse(sas.get("se")!) - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
  expect(aml.writes().map((r) => `${r.method} ${r.path.split("/").slice(-4).join("/")}`)).toEqual(["PUT models/churn/versions/1"]);
});

it("falls back to an account-key SAS from ARM listKeys when Azure AD refuses a delegation key", async () => {
  jest.spyOn(BlobServiceClient.prototype, "getUserDelegationKey").mockRejectedValue(new RestError("This request is not authorized to perform this operation.", { statusCode: 403 }));
  const key = azurite.accounts.find((a) => a.name === "aaddev")!.key;
  aml.onAction("listKeys", ({ resourcePath }) =>
    resourcePath.endsWith("/storageAccounts/aaddev")
      ? { status: 200, body: { keys: [{ keyName: "key1", value: key, permissions: "FULL" }] } }
      : { status: 403, body: { error: { code: "AuthorizationFailed", message: "no" } } },
  );
  const { outs } = await provider.create(inputs("2"));
  expect(outs.files).toBe(1);
  const sas = sasOf(copySources[0]);
  expect(sas.get("skoid")).toBeNull();
  expect(sas.get("sig")).toBeTruthy();
  expect(aml.writes().filter((r) => r.method === "POST").map((r) => [r.path, r.query["api-version"]])).toEqual([
    [`/subscriptions/${DEV.subscriptionId}/resourceGroups/${DEV.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/aaddev/listKeys`, "2023-05-01"],
  ]);
});

it("says which roles to grant when neither a delegation key nor the account key is available", async () => {
  jest.spyOn(BlobServiceClient.prototype, "getUserDelegationKey").mockRejectedValue(new RestError("denied", { statusCode: 403 }));
  aml.onAction("listKeys", () => ({ status: 403, body: { error: { code: "AuthorizationFailed", message: "no" } } }));
  await expect(provider.create(inputs("3"))).rejects.toThrow(/cannot sign a read SAS for storage account 'aaddev'.*Storage Blob Data Reader/);
  expect(aml.writes().filter((r) => r.method === "PUT")).toEqual([]);
});

it("does not fall back to an account key on a source account with shared keys disabled (Azure refuses such a SAS)", async () => {
  jest.spyOn(BlobServiceClient.prototype, "getUserDelegationKey").mockRejectedValue(new RestError("denied", { statusCode: 403 }));
  const accountPath = `/subscriptions/${DEV.subscriptionId}/resourceGroups/${DEV.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/aaddev`;
  aml.seed(accountPath, { location: "westeurope", kind: "StorageV2", properties: { allowSharedKeyAccess: false } });
  const key = azurite.accounts.find((a) => a.name === "aaddev")!.key;
  aml.onAction("listKeys", () => ({ status: 200, body: { keys: [{ keyName: "key1", value: key, permissions: "FULL" }] } }));
  try {
    await expect(provider.create(inputs("3"))).rejects.toThrow(/cannot sign a read SAS for storage account 'aaddev'.*shared keys are disabled.*Storage Blob Data Reader/);
    expect(aml.writes().filter((r) => r.method === "POST")).toEqual([]);
    expect(aml.writes().filter((r) => r.method === "PUT")).toEqual([]);
    expect(copySources).toEqual([]);
  } finally {
    aml.remove(accountPath);
  }
});
