/**
 * The aliases `@pulumi/azure-native` adds to every resource it declares, left out of a plan.
 *
 * Each generated resource class merges one alias per other API version of the same resource into its
 * options: `{ type: "azure-native:network/v20230901:VirtualNetwork" }` and so on, 60 of them for a
 * virtual network in 3.28.0 (`aliasOpts` in `@pulumi/azure-native/network/virtualNetwork.js`). Only the
 * engine reads them, to match a resource in the state across API-version moves ("aliases" resource
 * option, Pulumi docs). The SDK still turns each into a URN Output as the resource is constructed
 * (`collapseAliasToUrn` and `createUrn` in `@pulumi/pulumi/resource.js`, several Outputs and promises
 * each): 2,769 aliases on 129 resources of qa, a third of a plan's time and most of its garbage. A plan records no
 * aliases (`recorder.ts`), so it drops these before the SDK sees them, and its document is the same.
 *
 * Only type-only aliases to `azure-native:` tokens go: an alias the project itself writes (a rename,
 * a new parent) names more than a type, and is kept.
 */
import type * as pulumi from "@pulumi/pulumi";

const PROVIDER_TYPE_PREFIX = "azure-native:";

/** A stack transformation (`pulumi.runtime.registerStackTransformation`) removing those aliases. */
export function withoutApiVersionAliases(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
  const aliases = args.opts.aliases;
  if (!aliases || aliases.length === 0) return undefined;
  const kept = aliases.filter((a) => !isApiVersionAlias(a));
  if (kept.length === aliases.length) return undefined;
  return { props: args.props, opts: { ...args.opts, aliases: kept } };
}

export function isApiVersionAlias(alias: unknown): boolean {
  if (!alias || typeof alias !== "object") return false;
  const keys = Object.keys(alias);
  const type = (alias as { type?: unknown }).type;
  return keys.length === 1 && keys[0] === "type" && typeof type === "string" && type.startsWith(PROVIDER_TYPE_PREFIX);
}
