import type { WorkspaceRef } from "../../shared/workspace";

/** What a model version's `modelUri` points at, before any datastore is looked up. */
export type ModelUriRef =
  /** `azureml://datastores/<ds>/paths/<p>` (workspace-relative) or the long form naming a workspace. */
  | { kind: "datastore"; workspace?: WorkspaceRef; datastoreName: string; path: string; folder: boolean }
  /** `https://<account>.blob.<suffix>/<container>/<p>`, `wasbs://<container>@<account>.blob.<suffix>/<p>`. */
  | { kind: "blob"; accountName: string; suffix?: string; blobEndpoint: string; containerName: string; path: string; folder: boolean }
  /** `azureml://jobs/<job>/outputs/artifacts/paths/<p>`: a run's artifacts in `workspaceartifactstore`. */
  | { kind: "job"; jobName: string; path: string; folder: boolean };

const trimSlashes = (p: string) => p.replace(/^\/+/, "").replace(/\/+$/, "");
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Expands a blob endpoint template such as `https://{account}.blob.{suffix}`. */
export function blobEndpointFor(template: string, accountName: string, suffix: string): string {
  return template.replace("{account}", accountName).replace("{suffix}", suffix).replace(/\/+$/, "");
}

/**
 * Parses every `modelUri` form a workspace records. Throws with the offending URI when the form is
 * unknown, so a promotion never guesses where model bytes live.
 */
export function parseModelUri(uri: string, blobEndpointTemplate: string): ModelUriRef {
  const folder = uri.endsWith("/");
  const long = /^azureml:\/\/subscriptions\/([^/]+)\/resource[gG]roups\/([^/]+)\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\/(.+)$/i.exec(uri);
  if (long) {
    return {
      kind: "datastore",
      workspace: { subscriptionId: long[1], resourceGroupName: long[2], workspaceName: long[3] },
      datastoreName: long[4],
      path: trimSlashes(long[5]),
      folder,
    };
  }
  const short = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.+)$/i.exec(uri);
  if (short) return { kind: "datastore", datastoreName: short[1], path: trimSlashes(short[2]), folder };
  const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/artifacts\/paths\/(.+)$/i.exec(uri);
  if (job) return { kind: "job", jobName: job[1], path: trimSlashes(job[2]), folder };

  const wasb = /^wasbs?:\/\/([^@/]+)@([a-z0-9]{3,24})\.blob\.([^/]+)\/(.+)$/i.exec(uri);
  if (wasb) {
    const scheme = uri.startsWith("wasbs") ? "https" : "http";
    return {
      kind: "blob",
      accountName: wasb[2].toLowerCase(),
      suffix: wasb[3],
      blobEndpoint: `${scheme}://${wasb[2].toLowerCase()}.blob.${wasb[3]}`,
      containerName: wasb[1],
      path: decodePath(trimSlashes(wasb[4])),
      folder,
    };
  }

  // The template first: emulators and private endpoints use path-style or custom hosts.
  const pattern = new RegExp(
    "^" +
      escapeRegExp(blobEndpointTemplate.replace(/\/+$/, ""))
        .replace(escapeRegExp("{account}"), "(?<account>[a-z0-9]{3,24})")
        .replace(escapeRegExp("{suffix}"), "(?<suffix>[^/]+)") +
      "/(?<container>[^/?]+)/(?<path>[^?]+)",
    "i",
  );
  const templated = pattern.exec(uri);
  const hosted = templated ?? /^(?<scheme>https?):\/\/(?<account>[a-z0-9]{3,24})\.blob\.(?<suffix>[^/]+)\/(?<container>[^/?]+)\/(?<path>[^?]+)/i.exec(uri);
  if (hosted?.groups) {
    const g = hosted.groups;
    const accountName = g.account.toLowerCase();
    const blobEndpoint = templated
      ? blobEndpointFor(blobEndpointTemplate, accountName, g.suffix ?? "")
      : `${g.scheme}://${accountName}.blob.${g.suffix}`;
    return { kind: "blob", accountName, suffix: g.suffix, blobEndpoint, containerName: g.container, path: decodePath(trimSlashes(g.path)), folder };
  }
  throw new Error(
    `unsupported modelUri '${uri}': expected azureml://datastores/<datastore>/paths/<path>, ` +
      `azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/datastores/<datastore>/paths/<path>, ` +
      `azureml://jobs/<job>/outputs/artifacts/paths/<path> or https://<account>.blob.<suffix>/<container>/<path>`,
  );
}

function decodePath(p: string): string {
  try {
    return p.split("/").map(decodeURIComponent).join("/");
  } catch {
    return p;
  }
}

/** The workspace-relative URI the target registration records. */
export function datastoreUri(datastoreName: string, path: string): string {
  return `azureml://datastores/${datastoreName}/paths/${path}`;
}

/** Azure ML keeps a run's artifacts under this folder of `workspaceartifactstore`. */
export function jobArtifactPath(jobName: string, path: string): string {
  return `ExperimentRun/dcid.${jobName}/${path}`;
}
