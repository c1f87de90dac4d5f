/**
 * `mlops:ScoringAssets` publishes the online scoring code and environment the way pipeline steps are
 * published: content-addressed, uploading only missing files, writing no asset that already matches.
 * Against Azurite and the local Azure ML server, through the real SDK clients.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startHarness, Harness, ws, CONTAINER } from "../../pipelines/publisher/publisherHarness";
import { ONLINE_SCORING, scoringAssetPlans } from "../../../components/serving/scoringAssets";
import { ScoringAssetsInputs, ScoringAssetsProvider, scoringAssetIds } from "../../../components/serving/scoringAssetsProvider";

let h: Harness;
let provider: ScoringAssetsProvider;

function inputs(): ScoringAssetsInputs {
  const { code, environment } = scoringAssetPlans({ assetName: "acme_online_scoring", folder: ONLINE_SCORING.folder, conda: ONLINE_SCORING.conda, image: ONLINE_SCORING.image, root: h.root });
  return {
    code,
    environment,
    scoringScript: ONLINE_SCORING.scoringScript,
    workspace: { ...ws },
    storage: { blobEndpoint: h.azurite.blobEndpoint("devstore"), container: CONTAINER },
    armEndpoint: h.aml.url,
    tags: { environment: "qa", "managed-by": "pulumi" },
    ...scoringAssetIds(ws, code, environment),
  };
}

beforeAll(async () => {
  h = await startHarness();
  provider = new ScoringAssetsProvider({
    root: h.root,
    clients: {
      arm: (_endpoint, subscriptionId) => h.aml.client(subscriptionId),
      container: (endpoint, name) => h.azurite.serviceClient("devstore", { proxyOptions: h.proxy.proxyOptions }).getContainerClient(name),
    },
  });
});

afterAll(() => h.close());

test("create uploads the scoring code snapshot and registers code and environment under their content hashes", async () => {
  const i = inputs();
  const result = await provider.create(i);
  expect(result.id).toBe(i.codeId);
  const code = h.aml.get(i.codeId)!;
  expect(code.properties.codeUri).toBe(`${h.azurite.blobEndpoint("devstore")}/${CONTAINER}/LocalUpload/acme_online_scoring/${i.code.version}`);
  const env = h.aml.get(i.environmentId)!;
  expect(env.properties.image).toBe(ONLINE_SCORING.image);
  expect(env.properties.condaFile).toContain("azureml-inference-server-http");
  const uploaded: string[] = [];
  for await (const b of h.container.listBlobsFlat({ prefix: `${i.code.blobPrefix}/` })) uploaded.push(b.name.slice(i.code.blobPrefix.length + 1));
  expect(uploaded).toEqual(expect.arrayContaining(["serve.py", "pixel_model.py", "conda-serve.yml"]));
});

test("publishing again writes nothing; a changed scoring script is a new code version", async () => {
  h.clearRecords();
  await provider.create(inputs());
  expect(h.aml.writes()).toEqual([]);
  expect(h.blobWrites()).toEqual([]);

  const before = inputs();
  fs.appendFileSync(path.join(h.root, ONLINE_SCORING.folder, "serve.py"), "\n# changed\n");
  const after = inputs();
  expect(after.code.version).not.toBe(before.code.version);
  expect(after.codeId).not.toBe(before.codeId);
  expect((await provider.diff("id", { ...before, drift: [] }, after)).changes).toBe(true);
  await provider.update("id", { ...before, drift: [] }, after);
  expect(h.aml.get(after.codeId)).toBeDefined();
});

test("read reports an asset deleted in Azure as drift, so the next up publishes it again", async () => {
  const i = inputs();
  h.aml.remove(i.environmentId);
  const read = await provider.read(i.codeId, { ...i, drift: [] });
  expect(read.props!.drift).toEqual([`environment ${i.environment.name}:${i.environment.version}: missing`]);
  expect((await provider.diff("id", read.props!, i)).changes).toBe(true);
});
