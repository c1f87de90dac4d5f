/** Symbolic links in a code folder (a pipeline step's or the scoring code): bad input naming the link, never a crash or an endless walk. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { snapshotFolder } from "../../../components/mlAssets/snapshot";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "code-"));
  fs.writeFileSync(path.join(dir, "main.py"), "print('hi')\n");
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "lib", "util.py"), "x = 1\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function problems(): { path: string; message: string }[] {
  try {
    snapshotFolder(dir);
  } catch (err) {
    if (err instanceof InputError) return err.problems.map(({ path: p, message }) => ({ path: p, message }));
    throw err;
  }
  throw new Error("accepted");
}

test("dangling, looping and ancestor-pointing links are all reported at once", () => {
  fs.symlinkSync("missing.py", path.join(dir, "gone.py"));
  fs.symlinkSync("self", path.join(dir, "self"));
  fs.symlinkSync("..", path.join(dir, "lib", "up"));
  expect(problems()).toEqual([
    { path: "gone.py", message: "is a symbolic link to 'missing.py', which does not exist" },
    { path: "lib/up", message: "is a symbolic link to a folder that contains it (the upload would never end)" },
    { path: "self", message: "is a symbolic link that loops" },
  ]);
});

test("working links are followed, and ignored broken ones do not matter", () => {
  fs.symlinkSync("lib", path.join(dir, "alias"));
  fs.symlinkSync("missing", path.join(dir, "scratch.tmp"));
  fs.writeFileSync(path.join(dir, ".amlignore"), "*.tmp\n");
  expect(snapshotFolder(dir).files.map((f) => f.path)).toEqual([".amlignore", "alias/util.py", "lib/util.py", "main.py"]);
});
