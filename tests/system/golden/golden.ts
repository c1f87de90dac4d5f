/**
 * Golden request bodies: the JSON committed in `tests/system/golden/bodies/`, compared with what the product
 * put on the wire (recorded by the local Azure ML server). Volatile parts are masked (loopback ports,
 * content hashes, UUIDs, times); keys and value types are kept, so a dropped, renamed or re-typed
 * property fails. After an intended change: `UPDATE_GOLDEN=1 npx jest <the test>`, then review the diff.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedRequest } from "../../support/amlServer";

const GOLDEN = path.join(__dirname, "bodies");
const update = process.env.UPDATE_GOLDEN === "1";

/** Masks what changes from run to run or with step code, keeping every key and the value types. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, k === "condaFile" && typeof v === "string" ? "<conda file>" : normalize(v)]),
    );
  }
  if (typeof value !== "string") return value;
  return value
    .replace(/https?:\/\/127\.0\.0\.1:\d+/g, "<local>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>")
    .replace(/\b[0-9a-f]{64}\b/g, "<sha256>")
    .replace(/\b[0-9a-f]{16}\b/g, "<hash16>")
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, "<time>")
    .replace(/\(\d+ files\)/g, "(<n> files)");
}

export function expectGolden(name: string, request: RecordedRequest | undefined): void {
  expect(request).toBeDefined();
  const actual = { method: request!.method, apiVersion: request!.query["api-version"], body: normalize(request!.body) };
  const file = path.join(GOLDEN, `${name}.json`);
  if (update || !fs.existsSync(file)) {
    if (!update && process.env.CI) throw new Error(`golden body ${name}.json is missing; run with UPDATE_GOLDEN=1 and commit it`);
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(actual, null, 2) + "\n");
  }
  expect(actual).toEqual(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** The last successful PUT whose path matches. */
export function lastPut(reqs: RecordedRequest[], pattern: RegExp): RecordedRequest | undefined {
  return [...reqs].reverse().find((r) => r.method === "PUT" && pattern.test(r.path) && r.status < 300);
}
