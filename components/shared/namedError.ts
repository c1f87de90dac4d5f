/**
 * Errors that carry fields, for code that runs inside a dynamic provider: an `Error` with a name and
 * its fields assigned, recognised by that name. Not a subclass: Pulumi's closure serialization turns
 * a class into a function whose `super(...)` is `Error.call(this, ...)`, which ignores `this`, so a
 * subclass thrown by a deployed provider had no message and was not an Error (pulumi/pulumi#10974 and
 * #15485 on class serialization; tests/system/stacks/providerSerialization.test.ts refuses one).
 */
export function namedError<N extends string, F extends object>(name: N, message: string, fields: F): Error & { name: N } & F {
  return Object.assign(new Error(message), { name }, fields);
}

/** Whether `e` is an Error made by `namedError` with this name. */
export function isNamedError<E extends Error>(e: unknown, name: E["name"]): e is E {
  return e instanceof Error && e.name === name;
}
