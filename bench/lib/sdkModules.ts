/** The Pulumi SDK packages a program imports (the CLI's own tooling and config libraries are not counted). */
const SDK_PACKAGES = ["@pulumi/pulumi", "@pulumi/azure-native", "@pulumi/azuread"];

/** Files of the SDK packages among `files` (e.g. `require.cache` keys), order kept. */
export function sdkModuleFiles(files: string[]): string[] {
  return files.filter((f) => {
    const norm = f.replace(/\\/g, "/");
    return SDK_PACKAGES.some((p) => norm.includes(`/node_modules/${p}/`)) && /\.(c?js|json)$/.test(norm);
  });
}

/** `node -e` program that requires every file listed in the JSON file named by its first argument. */
export const LOAD_MODULES_SCRIPT =
  'for (const f of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) require(f);';
