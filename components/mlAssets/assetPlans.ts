import { sha256 } from "./snapshot";

/**
 * Azure ML code and environment assets as plain JSON, versioned by content hash, computed while the
 * program runs: the pipeline publisher's plan and the serving component's scoring assets both use
 * them, so a code folder or an environment gets the same name and version either way.
 */

/** Length of a content-hash version (a prefix of the sha256). */
export const VERSION_LENGTH = 16;

export interface AssetRef {
  name: string;
  version: string;
}

export interface CodePlan extends AssetRef {
  /** Code folder relative to the project root. */
  folder: string;
  files: number;
  bytes: number;
  /** Full sha256 of the snapshot; `version` is its prefix. */
  hash: string;
  /** Where the snapshot is uploaded in the workspace's default blob container. */
  blobPrefix: string;
}

export interface EnvironmentPlan extends AssetRef {
  image: string;
  /** Conda file content (Azure ML stores the content, not a path). */
  conda?: string;
}

/** Short hash of a JSON value with keys sorted, so key order never changes a version. */
export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value)).slice(0, VERSION_LENGTH);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
