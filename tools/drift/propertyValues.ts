/**
 * Values inside Pulumi's serialized resource states: secret markers, unknowns, path lookup and a
 * structural diff for steps where the engine gives no `detailedDiff`.
 */
import { PathSegment } from "./propertyPath";

/** Pulumi's signature key for special values in serialized state, and its secret signature. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What `pulumi preview --json` prints for a value known only after deployment. */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

/** True for a value Pulumi marks secret: the blinded string or a secret-signature object. */
export function isSecretValue(v: unknown): boolean {
  if (v === SECRET) return true;
  return isPlainObject(v) && v[SIG_KEY] === SECRET_SIG;
}

/**
 * Credentials a provider forgot to mark secret, recognised by their shape: storage and Service Bus
 * connection strings (`AccountKey=`, `SharedAccessKey=`, `Password=`), SAS URLs and tokens (`sig=`),
 * JWTs (`eyJ…` header and payload) and PEM private keys.
 */
const SECRET_SHAPES = [
  /(^|;)\s*(AccountKey|SharedAccessKey|Password|Pwd)\s*=\s*[^;\s]/i,
  /(^|[?&])sig=[^&\s]+/i,
  /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/,
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
];

export function looksLikeCredential(v: unknown): boolean {
  return typeof v === "string" && SECRET_SHAPES.some((re) => re.test(v));
}

/**
 * Property names that hold credentials, in any case or separator style (`clientSecret`,
 * `client_secret`, `AZURE_STORAGE_CONNECTION_STRING`, `sas-token`): compared with separators removed.
 */
const SENSITIVE_NAME = /(password|passwd|secret|connectionstring|accountkey|accesskey|primarykey|secondarykey|sharedaccesskey|sastoken|sasurl|sasuri|token|apikey|privatekey|sslkey|tlskey)$/;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name.replace(/[^A-Za-z0-9]/g, "").toLowerCase());
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A copy fit to print: every secret becomes `[secret]` (its ciphertext included), so does any value
 * shaped like a credential or held under a credential's name; unknowns become `[unknown]`.
 */
export function redactValue(v: unknown): unknown {
  if (isSecretValue(v) || looksLikeCredential(v)) return SECRET;
  if (v === UNKNOWN_SENTINEL) return UNKNOWN;
  if (Array.isArray(v)) return v.map(redactValue);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = isSensitiveName(k) && e !== null && typeof e !== "object" ? SECRET : redactValue(e);
    return out;
  }
  return v;
}

export type Lookup = { kind: "absent" } | { kind: "secret" } | { kind: "value"; value: unknown };

/** Follows a path into a property map; a secret anywhere on the way hides what lies beneath it. */
export function lookupPath(root: unknown, segments: PathSegment[]): Lookup {
  let current: unknown = root;
  for (const s of segments) {
    if (isSecretValue(current)) return { kind: "secret" };
    if (typeof s === "number" && Array.isArray(current)) {
      if (s >= current.length) return { kind: "absent" };
      current = current[s];
    } else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, String(s))) {
      current = current[String(s)];
    } else return { kind: "absent" };
  }
  if (isSecretValue(current)) return { kind: "secret" };
  return { kind: "value", value: current };
}

/** True when a value contains a secret anywhere (Pulumi's marker, or a credential's shape). */
export function containsSecret(v: unknown): boolean {
  if (isSecretValue(v) || looksLikeCredential(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (isPlainObject(v)) return Object.values(v).some(containsSecret);
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((e, i) => deepEqual(e, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Leaf paths where two property maps differ. Objects recurse by key, arrays of equal length by
 * index; anything else (including arrays that changed length) is reported whole at its path.
 */
export function diffPaths(before: unknown, after: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (deepEqual(before, after)) return [];
  if (isSecretValue(before) || isSecretValue(after)) return [prefix];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffPaths(before[k], after[k], [...prefix, k]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((e, i) => diffPaths(e, after[i], [...prefix, i]));
  }
  return [prefix];
}
