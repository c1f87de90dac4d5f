import * as pulumi from "@pulumi/pulumi";

/**
 * Config set with `pulumi config set --secret` reaches the program through `runtime.allConfig()` as
 * plain text, and the spec carries plain values: left alone, such a value would be written to state
 * and shown in previews (and the offline plan) in clear. These helpers keep it a Pulumi secret: every
 * resource input and stack output that carries a secret config value (the value itself, or a string
 * containing it) is wrapped with `pulumi.secret`, so Pulumi encrypts it with the stack's secrets
 * provider and prints `[secret]`.
 */

/** The string leaves of the secret config values (structured keys hold JSON). */
export function secretConfigValues(config: Record<string, string>, isSecret: (key: string) => boolean): string[] {
  const values = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "string") {
      if (v !== "") values.add(v);
    } else if (typeof v === "number" || typeof v === "boolean") values.add(String(v));
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === "object") Object.values(v).forEach(collect);
  };
  for (const [key, raw] of Object.entries(config)) {
    if (!isSecret(key)) continue;
    values.add(raw);
    try {
      collect(JSON.parse(raw));
    } catch {
      // a plain string: already added
    }
  }
  return [...values];
}

/** Whether a string carries a secret: equal to one, or containing one long enough not to be a coincidence. */
export function carriesSecret(value: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => value === s || (s.length >= 4 && value.includes(s)));
}

/** Wraps every plain value that carries a secret (and the containers holding one) in `pulumi.secret`. */
export function markSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): { value: unknown; secret: boolean } => {
    if (typeof v === "string") return { value: v, secret: carriesSecret(v, secrets) };
    if (typeof v === "number" || typeof v === "boolean") return { value: v, secret: secrets.includes(String(v)) };
    if (pulumi.Output.isInstance(v) || pulumi.Resource.isInstance(v) || v === null || v === undefined) return { value: v, secret: false };
    if (Array.isArray(v)) {
      const items = v.map(walk);
      return { value: items.map((i) => (i.secret ? pulumi.secret(i.value) : i.value)), secret: false };
    }
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const w = walk(item);
        out[k] = w.secret ? pulumi.secret(w.value) : w.value;
      }
      return { value: out, secret: false };
    }
    return { value: v, secret: false };
  };
  const top = walk(value);
  return top.secret ? pulumi.secret(top.value) : top.value;
}

/**
 * Registers a stack transformation that marks secret-carrying inputs of every resource registered
 * after it. Returns the secret values (empty when no config key is secret: nothing registered).
 */
export function keepSecretConfigSecret(config: Record<string, string>, isSecret: (key: string) => boolean): string[] {
  const secrets = secretConfigValues(config, isSecret);
  if (secrets.length === 0) return secrets;
  // Stack transformations hang off the root stack resource. The offline plan runs the program bare
  // under mocks (no root stack); there a `secure:` value reads as the "[secret]" placeholder, so no
  // clear value exists to protect.
  if (!pulumi.runtime.getStackResource()) return secrets;
  pulumi.runtime.registerStackTransformation((args) => ({ props: markSecrets(args.props, secrets) as pulumi.Inputs, opts: args.opts }));
  return secrets;
}
