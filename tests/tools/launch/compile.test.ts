/**
 * The launcher's compile cache (`tools/launch/compile.js`): an output is keyed by everything it depends
 * on, the version of the compiler that actually transpiles included.
 */
const compile = require("../../../tools/launch/compile") as {
  cacheKey(filename: string, source: string): string;
  compilerVersion(): string;
  compiledSource(filename: string, source: string): string;
};

test("the key names the compiler `require(\"typescript\")` loads, not only the package that re-exports it", () => {
  // With TypeScript 7 beside 6, `typescript` is @typescript/typescript6, whose own version is not the compiler's.
  const loaded: string = require("typescript").version;
  expect(compile.compilerVersion().split("+")).toContain(loaded);
});

test("an edited source gets a new key, the same source the same key", () => {
  const file = "/project/shared/x.ts";
  expect(compile.cacheKey(file, "export const a = 1;\n")).toBe(compile.cacheKey(file, "export const a = 1;\n"));
  expect(compile.cacheKey(file, "export const a = 2;\n")).not.toBe(compile.cacheKey(file, "export const a = 1;\n"));
  expect(compile.cacheKey("/project/shared/y.ts", "export const a = 1;\n")).not.toBe(compile.cacheKey(file, "export const a = 1;\n"));
});

test("the output is CommonJS that Node runs", () => {
  const js = compile.compiledSource("/project/shared/probe.ts", "export const twice = (n: number): number => n * 2;\n");
  const mod = { exports: {} as { twice?: (n: number) => number } };
  new Function("exports", "module", "require", js)(mod.exports, mod, require);
  expect(mod.exports.twice!(21)).toBe(42);
});
