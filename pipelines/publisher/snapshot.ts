import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Ignore } from "ignore";

/**
 * The files of a step's code folder that Azure ML would upload, and a hash of their content. Read
 * synchronously so the hash is known while the Pulumi program runs (it is a resource input the plan
 * shows, and what makes an unchanged step a no-op).
 */
export interface SnapshotFile {
  /** Path inside the code folder, '/'-separated. */
  path: string;
  size: number;
  /** Lowercase hex sha256 of the content. */
  sha256: string;
}

export interface CodeSnapshot {
  files: SnapshotFile[];
  bytes: number;
  /** sha256 over every file's path, size and content hash, in path order. */
  hash: string;
}

/**
 * Azure ML honours `.amlignore` in the code folder, or `.gitignore` when there is no `.amlignore`
 * (same syntax). Only the folder's own file is read, as Azure ML does.
 */
export function ignoreRulesFor(folder: string): { file: string | null; matcher: Ignore } {
  // Loaded here, not at module level: the provider that uses this module is serialized by Pulumi.
  const ignore = require("ignore") as typeof import("ignore");
  const matcher = ignore();
  for (const name of [".amlignore", ".gitignore"]) {
    const file = path.join(folder, name);
    if (fs.existsSync(file)) {
      matcher.add(fs.readFileSync(file, "utf8"));
      return { file: name, matcher };
    }
  }
  return { file: null, matcher };
}

export function snapshotFolder(folder: string): CodeSnapshot {
  const { matcher } = ignoreRulesFor(folder);
  const files: SnapshotFile[] = [];
  const walk = (relDir: string) => {
    const entries = fs.readdirSync(path.join(folder, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const abs = path.join(folder, rel);
      const stat = entry.isSymbolicLink() ? fs.statSync(abs) : null;
      const isDir = entry.isDirectory() || (stat?.isDirectory() ?? false);
      if (matcher.ignores(isDir ? `${rel}/` : rel)) continue;
      if (isDir) {
        walk(rel);
      } else if (entry.isFile() || stat?.isFile()) {
        const content = fs.readFileSync(abs);
        files.push({ path: rel, size: content.length, sha256: sha256(content) });
      }
    }
  };
  walk("");
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const digest = createHash("sha256");
  for (const f of files) digest.update(`${f.path}\u0000${f.size}\u0000${f.sha256}\n`);
  return { files, bytes: files.reduce((n, f) => n + f.size, 0), hash: digest.digest("hex") };
}

/** True when the folder's ignore rules would leave `relPath` out of the upload. */
export function isIgnored(folder: string, relPath: string): boolean {
  return ignoreRulesFor(folder).matcher.ignores(relPath.split(path.sep).join("/"));
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
