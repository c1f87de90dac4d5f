/**
 * Known-location export: an origin version copied server-side into a plain container and prefix,
 * verified like a promotion (length, Content-MD5, ETag), with no workspace write at all.
 */
import { startHarness, Harness, DEV, PROD_ACCOUNT, md5 } from "./harness";
import { ExportedModelProvider } from "../../../components/modelPromotion/exportProvider";
import type { ExportedModelInputs, ExportedModelOutputs } from "../../../components/modelPromotion/exportModel";
import type { ContainerClient } from "@azure/storage-blob";

let h: Harness;
let exportBox: ContainerClient;
let provider: ExportedModelProvider;
beforeAll(async () => {
  h = await startHarness();
  exportBox = h.azurite.serviceClient(PROD_ACCOUNT).getContainerClient("model-exports");
  await exportBox.create();
  provider = new ExportedModelProvider(h.factory);
});
afterAll(() => h.close());

const inputs = (version: string, extra: Partial<ExportedModelInputs> = {}): ExportedModelInputs => ({
  modelName: "churn",
  version,
  source: { ...DEV },
  target: { storageAccountName: PROD_ACCOUNT, containerName: "model-exports", pathPrefix: "scoring/models" },
  armEndpoint: h.aml.url,
  blobEndpointTemplate: `${h.azurite.url}/{account}`,
  copyConcurrency: 2,
  deleteFilesOnDelete: false,
  ...extra,
});

const files = { "model.pkl": "p".repeat(400), "MLmodel": "flavors: {}\n" };

it("copies every file server-side to <prefix>/<model>/<version>/, verified, registering nothing anywhere", async () => {
  await h.seedModel("churn", "4", files);
  h.resetCounters();
  const { id, outs } = await provider.create(inputs("4"));
  const o = outs as ExportedModelOutputs;
  expect(id).toBe(`${h.azurite.url}/${PROD_ACCOUNT}/model-exports/scoring/models/churn/4/`);
  expect(o).toMatchObject({ files: 2, bytes: 412, filesIntact: true });
  expect(h.copies().sort()).toEqual(["MLmodel", "model.pkl"].map((f) => `/${PROD_ACCOUNT}/model-exports/scoring/models/churn/4/${f}`));
  expect(h.modelBodyRequests()).toEqual([]);
  expect(h.aml.writes()).toEqual([]);
  const props = await exportBox.getBlobClient("scoring/models/churn/4/model.pkl").getProperties();
  expect(Buffer.from(props.contentMD5!).equals(md5(files["model.pkl"]))).toBe(true);
  // A rerun finds everything in place and copies nothing.
  h.resetCounters();
  await provider.update!(id, o, inputs("4"));
  expect(h.copies()).toEqual([]);
});

it("read finds a rewritten or missing file; update repairs it; delete keeps the files by default", async () => {
  const { id, outs } = await provider.create(inputs("4"));
  await exportBox.getBlockBlobClient("scoring/models/churn/4/model.pkl").uploadData(Buffer.from("q".repeat(400)));
  await exportBox.getBlobClient("scoring/models/churn/4/MLmodel").delete();
  const seen = await provider.read!(id, outs);
  expect(seen.props!.filesIntact).toBe(false);
  expect(seen.props!.fileProblems.sort()).toEqual(["MLmodel: missing", expect.stringMatching(/^model\.pkl: rewritten after promotion/)]);
  expect((await provider.diff(id, seen.props, seen.inputs)).changes).toBe(true);
  const repaired = await provider.update!(id, seen.props, seen.inputs);
  expect((await exportBox.getBlobClient("scoring/models/churn/4/model.pkl").downloadToBuffer()).toString()).toBe(files["model.pkl"]);
  expect((await provider.read!(id, repaired.outs)).props!.filesIntact).toBe(true);
  await provider.delete(id, repaired.outs);
  expect(await exportBox.getBlobClient("scoring/models/churn/4/MLmodel").exists()).toBe(true);
  await provider.delete(id, { ...repaired.outs, deleteFilesOnDelete: true });
  expect(await provider.read!(id, repaired.outs)).toEqual({});
});

it("refuses origin bytes that differ from the approved copy's hash, exporting nothing", async () => {
  await h.seedModel("churn", "5", files);
  h.resetCounters();
  await expect(provider.create(inputs("5", { expectedContentHash: `sha256:${"0".repeat(64)}` }))).rejects.toThrow(/approved copy hashed to sha256:0+; nothing exported/);
  expect(h.copies()).toEqual([]);
});

it("check names every bad input", async () => {
  const { failures } = await provider.check({}, { ...inputs("4"), target: { storageAccountName: "Bad_Account", containerName: "x", pathPrefix: "/lead" } });
  expect((failures ?? []).map((f) => f.property).sort()).toEqual(["target.containerName", "target.pathPrefix", "target.storageAccountName"]);
});
