/**
 * A dynamic resource stores its provider's code in the reserved input `__provider`: the SDK serializes
 * the provider object, every function it reaches and every local module they capture
 * (@pulumi/pulumi dynamic/index.js `serializeProvider` → runtime/closure/serializeClosure.js). The
 * engine needs that text to run the provider during `pulumi preview` and `pulumi up`. The offline plan
 * never runs a provider and never shows `__provider` (values.ts `HIDDEN_INPUTS`), yet serializing
 * took a third of a qa plan's time (the `plan` bench).
 *
 * So a plan records a placeholder instead. Whether each provider serializes, as the engine will need,
 * is tested directly: tests/system/stacks/providerSerialization.test.ts serializes every dynamic
 * provider the program declares, in a process started the way the commands start, and loads the result.
 *
 * The SDK modules are loaded as always; only the dynamic-resource path's call is swapped: the module
 * is looked up at each call (`sc.serializeFunction(...)` in dynamic/index.js), while
 * `pulumi.runtime.serializeFunction` keeps the real function.
 */

export const PLACEHOLDER_PROVIDER = "exports.handler = undefined; // not serialized by the offline plan: pulumi preview and up serialize it";

interface ClosureModule {
  serializeFunction(func: unknown, args?: unknown): Promise<{ text: string; exportName: string; containsSecrets: boolean }>;
}

let installed = false;

/**
 * Dynamic resources registered after this call carry the placeholder as `__provider`. When the SDK
 * no longer has the module, providers are serialized as before: slower, never wrong.
 */
export function recordProvidersAsPlaceholders(): void {
  if (installed) return;
  let closure: ClosureModule;
  try {
    closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as ClosureModule;
  } catch {
    return;
  }
  if (typeof closure.serializeFunction !== "function") return;
  closure.serializeFunction = async () => ({ text: PLACEHOLDER_PROVIDER, exportName: "handler", containsSecrets: false });
  installed = true;
}
