import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Ignore } from "ignore";

/**
 * The files of a code folder (a pipeline step's, or the online scoring code) that Azure ML would
 * upload, and a hash of their content. Read synchronously so the hash is known while the Pulumi
 * program runs (it is a resource input the plan shows, and what makes an unchanged asset a no-op).
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

/**
 * A symbolic link that points nowhere, loops, or leads back into a folder already being walked is
 * bad input (the code folder), reported with its path instead of crashing or recursing
 * forever. Everything is collected and reported at once.
 */
export function snapshotFolder(folder: string): CodeSnapshot {
  const { matcher } = ignoreRulesFor(folder);
  const files: SnapshotFile[] = [];
  const problems: { path: string; message: string }[] = [];
  // Iterative, with the real path of every folder on the way: a symlinked folder cycle ends here.
  const todo: { relDir: string; ancestors: Set<string> }[] = [{ relDir: "", ancestors: new Set([fs.realpathSync(folder)]) }];
  while (todo.length > 0) {
    const { relDir, ancestors } = todo.pop()!;
    const entries = fs.readdirSync(path.join(folder, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const abs = path.join(folder, rel);
      let stat: fs.Stats | null = null;
      if (entry.isSymbolicLink()) {
        try {
          stat = fs.statSync(abs);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (matcher.ignores(rel)) continue;
          problems.push({ path: rel, message: code === "ELOOP" ? "is a symbolic link that loops" : `is a symbolic link to '${fs.readlinkSync(abs)}', which does not exist` });
          continue;
        }
      }
      const isDir = entry.isDirectory() || (stat?.isDirectory() ?? false);
      if (matcher.ignores(isDir ? `${rel}/` : rel)) continue;
      if (isDir) {
        const real = fs.realpathSync(abs);
        if (ancestors.has(real)) {
          problems.push({ path: rel, message: "is a symbolic link to a folder that contains it (the upload would never end)" });
          continue;
        }
        todo.push({ relDir: rel, ancestors: new Set([...ancestors, real]) });
      } else if (entry.isFile() || stat?.isFile()) {
        const content = fs.readFileSync(abs);
        files.push({ path: rel, size: content.length, sha256: sha256(content) });
      }
    }
  }
  if (problems.length > 0) {
    const { InputError } = require("../../shared/errors") as typeof import("../../shared/errors");
    const shown = path.relative(process.cwd(), folder) || ".";
    throw new InputError(problems.sort((a, b) => (a.path < b.path ? -1 : 1)).map((p) => ({ file: shown.startsWith("..") ? folder : shown, path: p.path, message: p.message })));
  }
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
