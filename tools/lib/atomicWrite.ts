/**
 * Output files of the commands (drift report, plan files, pull-request comment, bench results): readers
 * see the old content or the new, never half of it, and bad input is caught before anything is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

/** Same directory as the target, so the rename never crosses file systems. */
function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Writes every file into `dir`: all are staged as temp files first, then renamed into place, so a
 * failure while writing (disk full, permissions) leaves no target half-written and no temp behind.
 * `createDir` makes `dir` (and its parents) when missing.
 */
export function writeFilesAtomic(dir: string, files: Record<string, string>, opts: { createDir?: boolean } = {}): void {
  if (opts.createDir) fs.mkdirSync(dir, { recursive: true });
  const staged: [temp: string, target: string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const target = path.join(dir, name);
      const temp = tempBeside(target);
      // Recorded before writing: a write that fails half-way must still be cleaned up.
      staged.push([temp, target]);
      fs.writeFileSync(temp, content, { flag: "wx" });
    }
    for (const [temp, target] of staged) fs.renameSync(temp, target);
  } catch (err) {
    for (const [temp] of staged) fs.rmSync(temp, { force: true });
    throw err;
  }
}

export function writeFileAtomic(file: string, content: string, opts: { createDir?: boolean } = {}): void {
  const target = path.resolve(file);
  writeFilesAtomic(path.dirname(target), { [path.basename(target)]: content }, opts);
}

/**
 * Why `dir` cannot become an output folder (it, or the closest part of its path that exists, is not a
 * directory), or undefined when it can: checked with the arguments, before any work is done.
 */
export function outputDirProblem(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const stat = statIfPresent(current);
    if (stat) return stat.isDirectory() ? undefined : current === path.resolve(dir) ? `${dir} exists and is not a directory` : `${current} is not a directory`;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The path's stat, or undefined when nothing is there (including below a file: ENOTDIR). */
function statIfPresent(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

/** Why `file` cannot be written as an output file, or undefined when it can. */
export function outputFileProblem(file: string, opts: { createDir?: boolean } = {}): string | undefined {
  const target = path.resolve(file);
  if (statIfPresent(target)?.isDirectory()) return `${file} is a directory`;
  const dir = path.dirname(target);
  if (!opts.createDir && !statIfPresent(dir)) return `cannot write ${file}: its directory does not exist`;
  return outputDirProblem(dir);
}
