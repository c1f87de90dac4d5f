/**
 * Imported first by the CLI. tsx turns on Node's source-map support, after which Node decodes the inline
 * source map of every SDK module it loads and maps every stack trace Pulumi captures per resource: a
 * large share of a plan's time. The plan prints no stack traces unless MLOPS_DEBUG is set.
 */
if (!process.env.MLOPS_DEBUG && typeof process.setSourceMapsEnabled === "function") process.setSourceMapsEnabled(false);

export {};
