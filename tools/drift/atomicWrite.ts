/** Writes a file so readers see the old content or the new, never half of it. */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(path.resolve(file));
  // Same directory as the target, so the rename never crosses file systems.
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.writeFileSync(temp, content, { flag: "wx" });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
