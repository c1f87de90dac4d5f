import { parseModelUri, blobEndpointFor } from "../../../components/modelPromotion/modelUri";

const AZURE = "https://{account}.blob.{suffix}";

describe("parseModelUri", () => {
  it("reads the workspace-relative datastore form, folder or file", () => {
    expect(parseModelUri("azureml://datastores/workspaceblobstore/paths/LocalUpload/abc/model/", AZURE)).toEqual({
      kind: "datastore",
      datastoreName: "workspaceblobstore",
      path: "LocalUpload/abc/model",
      folder: true,
    });
    expect(parseModelUri("azureml://datastores/ds/paths/m/model.pkl", AZURE)).toMatchObject({ path: "m/model.pkl", folder: false });
  });

  it("reads the long form naming another workspace", () => {
    const ref = parseModelUri("azureml://subscriptions/s1/resourcegroups/rg1/workspaces/ws1/datastores/ds/paths/p/q", AZURE);
    expect(ref).toEqual({ kind: "datastore", workspace: { subscriptionId: "s1", resourceGroupName: "rg1", workspaceName: "ws1" }, datastoreName: "ds", path: "p/q", folder: false });
  });

  it("reads a job's artifact path", () => {
    expect(parseModelUri("azureml://jobs/brave_job_1/outputs/artifacts/paths/model/", AZURE)).toEqual({ kind: "job", jobName: "brave_job_1", path: "model", folder: true });
  });

  it("reads blob URLs in Azure and sovereign clouds, wasbs URIs, and path-style emulator URLs", () => {
    expect(parseModelUri("https://stdev.blob.core.windows.net/azureml/models/m%20v1/", AZURE)).toEqual({
      kind: "blob",
      accountName: "stdev",
      suffix: "core.windows.net",
      blobEndpoint: "https://stdev.blob.core.windows.net",
      containerName: "azureml",
      path: "models/m v1",
      folder: true,
    });
    expect(parseModelUri("https://stcn.blob.core.chinacloudapi.cn/c/p", AZURE)).toMatchObject({ blobEndpoint: "https://stcn.blob.core.chinacloudapi.cn", containerName: "c", path: "p" });
    expect(parseModelUri("wasbs://c@stdev.blob.core.windows.net/p/q", AZURE)).toMatchObject({ accountName: "stdev", containerName: "c", path: "p/q", blobEndpoint: "https://stdev.blob.core.windows.net" });
    expect(parseModelUri("http://127.0.0.1:10000/devstore/c/p/f.bin", "http://127.0.0.1:10000/{account}")).toMatchObject({
      accountName: "devstore",
      blobEndpoint: "http://127.0.0.1:10000/devstore",
      containerName: "c",
      path: "p/f.bin",
    });
  });

  it("refuses forms it does not know, naming the URI", () => {
    expect(() => parseModelUri("runs:/abc/model", AZURE)).toThrow(/unsupported modelUri 'runs:\/abc\/model'/);
    expect(() => parseModelUri("azureml://registries/r/models/m/versions/1", AZURE)).toThrow(/unsupported modelUri/);
  });

  it("expands endpoint templates", () => {
    expect(blobEndpointFor(AZURE, "st", "core.usgovcloudapi.net")).toBe("https://st.blob.core.usgovcloudapi.net");
  });
});
