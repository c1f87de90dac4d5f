import * as pulumi from "@pulumi/pulumi";

/**
 * Reads another stack's outputs with `requireOutput`: a missing output fails the update with
 * Pulumi's "Required output '<key>' does not exist on stack '<stack>'" instead of becoming the string
 * "undefined" inside a resource id, and a present but empty or non-string value fails with a message
 * naming the stack, the output and who needs it. Secret outputs stay secret.
 */
export function requiredText(ref: pulumi.StackReference, stackName: string, neededBy: string): (key: string) => pulumi.Output<string> {
  return (key) => ref.requireOutput(key).apply((value) => checkedText(stackName, key, neededBy, value));
}

/** The output's value when it is a non-empty string; otherwise an error naming stack, output and reader. */
export function checkedText(stackName: string, key: string, neededBy: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new Error(`stack '${stackName}' output '${key}' is ${value === "" ? "empty" : JSON.stringify(value)}, not a string (needed by ${neededBy}): run 'pulumi up' on ${stackName} first`);
  }
  return value;
}
