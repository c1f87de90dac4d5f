/**
 * Child process of the `model-copy-scale` bench: the baseline copies, issued straight at the emulator
 * from a fresh process, as the provider's are (bench/lib/promoteChild.ts), so neither side gets a
 * JIT-warmed storage client the other lacks. Lists the source (not timed), then times one Copy Blob
 * From URL (`syncCopyFromURL`) per file at the given concurrency, each with a read SAS and the
 * source's Content-MD5, and prints one JSON line: seconds, files, copy requests sent and model bytes
 * through its storage clients, which are the provider's (`countedBlobService`).
 */
import type { StorageSharedKeyCredential } from "@azure/storage-blob";
import { copyCounters, countedBlobService } from "./copyCounter";

export interface DirectCopySettings {
  azuriteUrl: string;
  accounts: { name: string; key: string }[];
  source: { account: string; container: string; prefix: string };
  target: { account: string; container: string; folder: string };
  concurrency: number;
}

async function main(): Promise<void> {
  const s = JSON.parse(process.argv[2]) as DirectCopySettings;
  const { BlobSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const counters = copyCounters();
  const key = (name: string): StorageSharedKeyCredential => {
    const a = s.accounts.find((x) => x.name === name);
    if (!a) throw new Error(`unknown account ${name}`);
    return new StorageSharedKeyCredential(a.name, a.key);
  };
  const service = (account: string, credential: StorageSharedKeyCredential) => countedBlobService(`${s.azuriteUrl}/${account}`, credential, counters);
  const sourceKey = key(s.source.account);
  const src = service(s.source.account, sourceKey).getContainerClient(s.source.container);
  const dst = service(s.target.account, key(s.target.account)).getContainerClient(s.target.container);
  const files: { name: string; md5?: Uint8Array }[] = [];
  for await (const b of src.listBlobsFlat({ prefix: s.source.prefix })) files.push({ name: b.name, md5: b.properties.contentMD5 });
  const queue = [...files];
  const expiresOn = new Date(Date.now() + 3600_000);
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const sas = generateBlobSASQueryParameters(
        { containerName: s.source.container, blobName: f.name, permissions: BlobSASPermissions.parse("r"), expiresOn },
        sourceKey,
      ).toString();
      const res = await dst
        .getBlockBlobClient(`${s.target.folder}/${f.name.slice(s.source.prefix.length)}`)
        .syncCopyFromURL(`${src.getBlobClient(f.name).url}?${sas}`, f.md5 ? { sourceContentMD5: f.md5 } : {});
      if (res.copyStatus !== "success") throw new Error(`direct copy of ${f.name}: ${res.copyStatus}`);
    }
  };
  await Promise.all(Array.from({ length: s.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, files: files.length, copies: counters.copies.copies, clientBytes: counters.bytes.bytes }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`directCopyChild: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
