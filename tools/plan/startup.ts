/**
 * Imported first by the CLI. tsx turns on Node's source-map support, after which Node decodes the inline
 * source map of every SDK module it loads and maps every stack trace Pulumi captures per resource: a
 * large share of a plan's time. The plan prints no stack traces unless MLOPS_DEBUG is set.
 *
 * For the same reason stack traces are captured without frames: the Pulumi SDK records `new Error().stack`
 * for every promise and resource it creates (runtime/debuggable.js, runtime/resource.js), which the
 * plan never shows. MLOPS_DEBUG keeps Node's default depth.
 */
if (!process.env.MLOPS_DEBUG) {
  if (typeof process.setSourceMapsEnabled === "function") process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
}

export {};
