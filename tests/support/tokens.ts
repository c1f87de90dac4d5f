/**
 * Bearer tokens for the local test servers, minted the way Microsoft Entra ID issues them for a
 * client credential: a JWT whose `aud` is the resource of the requested `<resource>/.default` scope.
 * Signed ES256 with a key that lives only in this process, so a server can tell a minted token from
 * any other string (ARM answers 401 `InvalidAuthenticationToken` to a token it cannot validate, and
 * `InvalidAuthenticationTokenAudience` to one issued for another resource).
 */
import { createSign, createVerify, generateKeyPairSync, KeyObject, randomUUID } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

export const TEST_TENANT_ID = "00000000-0000-4000-8000-00000000aaaa";

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
const keyPair = () => (keys ??= generateKeyPairSync("ec", { namedCurve: "P-256" }));

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface MintOptions {
  /** `aud` claim, e.g. `https://management.azure.com`. */
  audience: string;
  tenantId?: string;
  objectId?: string;
  /** Seconds until expiry (negative for an expired token). Default 3600. */
  expiresInSeconds?: number;
}

export function mintToken(options: MintOptions): { token: string; expiresOnTimestamp: number } {
  const now = Math.floor(Date.now() / 1000);
  const tenantId = options.tenantId ?? TEST_TENANT_ID;
  const exp = now + (options.expiresInSeconds ?? 3600);
  const claims = {
    aud: options.audience,
    iss: `https://sts.windows.net/${tenantId}/`,
    tid: tenantId,
    oid: options.objectId ?? "00000000-0000-0000-0000-0000000000c1",
    appid: "00000000-0000-0000-0000-0000000000a1",
    nbf: now - 60,
    iat: now - 60,
    exp,
    uti: randomUUID(),
  };
  const unsigned = `${b64url({ alg: "ES256", typ: "JWT", kid: "local-test" })}.${b64url(claims)}`;
  const signature = createSign("SHA256").update(unsigned).sign({ key: keyPair().privateKey, dsaEncoding: "ieee-p1363" });
  return { token: `${unsigned}.${signature.toString("base64url")}`, expiresOnTimestamp: exp * 1000 };
}

/** The resource a single `.default` scope asks for (what Entra ID puts in `aud`). */
export function audienceOfScopes(scopes: string | string[]): string {
  const list = Array.isArray(scopes) ? scopes : [scopes];
  if (list.length !== 1 || !list[0].endsWith("/.default")) throw new Error(`test credential: expected one '<resource>/.default' scope, got ${JSON.stringify(list)}`);
  return list[0].slice(0, -"/.default".length);
}

/** A `TokenCredential` that mints a token for whatever resource each request's scope names. */
export function testCredential(options: Omit<MintOptions, "audience"> = {}): TokenCredential & { issued: string[] } {
  const issued: string[] = [];
  return {
    issued,
    async getToken(scopes: string | string[], _opts?: GetTokenOptions): Promise<AccessToken> {
      const audience = audienceOfScopes(scopes);
      issued.push(audience);
      return mintToken({ ...options, audience });
    },
  };
}

export type TokenProblem = { code: "AuthenticationFailed" | "InvalidAuthenticationToken" | "ExpiredAuthenticationToken" | "InvalidAuthenticationTokenAudience"; message: string };

/** Why an `Authorization` header is not a valid token for one of `audiences`, or null when it is. */
export function checkBearer(authorization: string | undefined, audiences: string[]): TokenProblem | null {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!m) return { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." };
  const parts = m[1].split(".");
  if (parts.length !== 3) return { code: "InvalidAuthenticationToken", message: "The access token is invalid: not a JWT." };
  let header: any;
  let claims: any;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { code: "InvalidAuthenticationToken", message: "The access token is invalid: undecodable JWT." };
  }
  const signed = header?.alg === "ES256" && createVerify("SHA256").update(`${parts[0]}.${parts[1]}`).verify({ key: keyPair().publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(parts[2], "base64url"));
  if (!signed) return { code: "InvalidAuthenticationToken", message: "The access token has an invalid signature." };
  const now = Date.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= now) return { code: "ExpiredAuthenticationToken", message: "The access token expiry UTC time is earlier than current UTC time." };
  if (typeof claims.nbf === "number" && claims.nbf > now + 300) return { code: "InvalidAuthenticationToken", message: "The access token is not yet valid." };
  const norm = (a: string) => a.replace(/\/+$/, "").toLowerCase();
  if (!audiences.map(norm).includes(norm(String(claims.aud ?? "")))) {
    return { code: "InvalidAuthenticationTokenAudience", message: `The access token has been obtained for wrong audience or resource '${claims.aud}'.` };
  }
  return null;
}
