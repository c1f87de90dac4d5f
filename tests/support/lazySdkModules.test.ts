/**
 * The commands the suites spawn (launch.ts) load the SDK's compiler and arborist on first use
 * (lazySdkModules.js): not when the SDK is imported, and still when a function is serialized or the
 * SDK's code-path module first uses arborist, which then work as with the SDK's own imports.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { launchArgs, npmRunArgs } from "./launch";

const REPO = path.resolve(__dirname, "../..");
const FIXTURE = path.join(__dirname, "fixtures", "sdkLoads.ts");

// Compiled ahead, as `npm ci` compiles every file: a fixture edited since would otherwise be compiled by
// the launcher in the child, loading the compiler before the SDK is imported.
beforeAll(() => (require("../../tools/launch/compile") as { compiled(file: string): string }).compiled(FIXTURE));

test("a spawned command imports the SDK without its compiler and arborist, and loads each on first use", () => {
  const out = execFileSync(process.execPath, launchArgs(FIXTURE), { cwd: REPO, encoding: "utf8" });
  expect(JSON.parse(out)).toEqual({
    atImport: { typescript: false, arborist: false },
    afterSerialize: { typescript: true, arborist: false },
    result: 42,
    beforeUse: { typescript: true, arborist: false },
    arboristClass: "function",
    afterUse: { typescript: true, arborist: true },
  });
}, 60_000);

test("npmRunArgs starts a command as every package.json script does; launchArgs adds only the preload", () => {
  const scripts = (require("../../package.json") as { scripts: Record<string, string> }).scripts;
  const launched = Object.entries(scripts).filter(([, command]) => command.includes("tools/launch/register.js"));
  expect(launched.map(([name]) => name)).toEqual(expect.arrayContaining(["plan", "names", "drift", "bench"]));
  for (const [name, command] of launched) {
    // `node -r ./tools/launch/register.js <entry>`, paths relative to the repository.
    const [node, ...args] = command.split(" ");
    const entry = args.pop()!;
    const asArgs = args.map((a) => (a.startsWith("./") ? path.resolve(REPO, a) : a));
    expect({ name, node, args: npmRunArgs(path.resolve(REPO, entry), ["x"]) }).toEqual({ name, node: "node", args: [...asArgs, path.resolve(REPO, entry), "x"] });
    expect(launchArgs(entry, ["x"])).toEqual(["-r", path.join(__dirname, "lazySdkModules.js"), ...npmRunArgs(entry, ["x"])]);
  }
});

