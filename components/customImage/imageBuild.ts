/**
 * The ACR Tasks definition that builds the custom scoring image: a multi-step task (ACR Tasks
 * reference: YAML, `version: v1.1.0`) run once per image tag through a TaskRun with an encoded task.
 *
 * 1. `fetch` (a `cmd` step on the Azure CLI image): signs in with the build identity
 *    (`az login --identity`, MS Learn "Use an Azure-managed identity in ACR Tasks"), downloads the
 *    promoted version's blobs from the environment's storage with `--auth-mode login` (Entra ID, no
 *    keys), and writes the server files and Dockerfile carried in the task itself. Steps share the
 *    run's working directory (default /workspace on Linux, same reference), which is the build context.
 * 2. `build`: `docker build` of that context, tagged `$Registry/<repository>:<tag>`.
 * 3. `push` to the run's own registry (`$Registry`), which a task may push to without credentials.
 */

/** Azure CLI image of the fetch step, pinned: a new CLI release never changes a build silently. */
export const FETCH_IMAGE = "mcr.microsoft.com/azure-cli:2.67.0";

export interface ImageBuildInputs {
  /** `<repository>:<tag>` in the run's registry. */
  repository: string;
  tag: string;
  model: { name: string; version: string };
  /** Where the promotion put the version's files: `<prefix><model>/<version>/` in this container. */
  storage: { accountName: string; container: string; prefix: string };
  /** Client id of the user-assigned identity the run carries (Storage Blob Data Reader on the container). */
  buildIdentityClientId: string;
  /** Build-context files: relative path → content (the Dockerfile at `Dockerfile`). */
  files: Record<string, string>;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Files must stay inside the context; names are written through the shell. */
function safePath(p: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(p) || p.split("/").includes("..")) throw new Error(`internal: build-context path '${p}' is not a plain relative path`);
  return p;
}

/** The shell script of the fetch step (its own file in the run, so no YAML quoting). */
export function fetchScript(i: ImageBuildInputs): string {
  const source = `${i.storage.prefix}${i.model.name}/${i.model.version}/`;
  const lines = [
    "set -euo pipefail",
    `az login --identity --username '${i.buildIdentityClientId}' --allow-no-subscriptions --output none`,
    "rm -rf model download && mkdir -p model download",
    `az storage blob download-batch --auth-mode login --account-name '${i.storage.accountName}' --source '${i.storage.container}' --pattern '${source}*' --destination download --output none`,
    `if [ ! -d 'download/${source}' ] || [ -z "$(ls -A 'download/${source}')" ]; then echo 'no files under ${i.storage.container}/${source}: promote the version first' >&2; exit 1; fi`,
    `cp -R 'download/${source}.' model/`,
    "rm -rf download",
    ...Object.keys(i.files)
      .sort()
      .flatMap((p) => [`mkdir -p "$(dirname '${safePath(p)}')"`, `echo '${b64(i.files[p])}' | base64 -d > '${safePath(p)}'`]),
    "ls -R model >&2",
  ];
  return lines.join("\n") + "\n";
}

/** The task YAML; its base64 is the TaskRun's `encodedTaskContent`. */
export function taskYaml(i: ImageBuildInputs): string {
  const image = `$Registry/${i.repository}:${i.tag}`;
  return [
    "version: v1.1.0",
    "stepTimeout: 1800",
    "steps:",
    "  - id: fetch",
    `    cmd: ${FETCH_IMAGE} bash -c "echo ${b64(fetchScript(i))} | base64 -d | bash"`,
    "  - id: build",
    `    build: -t ${image} --build-arg MODEL_NAME=${i.model.name} --build-arg MODEL_VERSION=${i.model.version} -f Dockerfile .`,
    "  - id: push",
    "    push:",
    `      - ${image}`,
    "",
  ].join("\n");
}
