/**
 * The runtime each action major runs on (`runs.using` in the action's action.yml at that release),
 * and the runtimes GitHub has removed from its runners. Add a row when a workflow starts using
 * another action or major; the test refuses actions it cannot place.
 *
 * Sources: each action's action.yml at the tagged release (actions/checkout, actions/setup-node,
 * actions/upload-artifact, actions/download-artifact, actions/github-script, Azure/login,
 * pulumi/actions); GitHub changelog "Deprecation of Node 20 on GitHub Actions runners" (Node 20 is
 * removed from the runners in 2026, after Node 12 and Node 16 before it).
 */
export const REMOVED_RUNTIMES = new Set(["node12", "node16", "node20"]);

export const ACTION_RUNTIMES: Record<string, string> = {
  "actions/checkout@v4": "node20",
  "actions/checkout@v5": "node24",
  "actions/checkout@v6": "node24",
  "actions/setup-node@v4": "node20",
  "actions/setup-node@v5": "node24",
  "actions/setup-node@v6": "node24",
  "actions/upload-artifact@v4": "node20",
  "actions/upload-artifact@v6": "node24",
  "actions/upload-artifact@v7": "node24",
  "actions/download-artifact@v4": "node20",
  "actions/download-artifact@v7": "node24",
  "actions/download-artifact@v8": "node24",
  "actions/github-script@v7": "node20",
  "actions/github-script@v8": "node24",
  "azure/login@v2": "node20",
  "azure/login@v3": "node24",
  "pulumi/actions@v6": "node20",
  "pulumi/actions@v7": "node24",
};

export interface PinnedAction {
  action: string;
  sha: string;
  version: string;
  major: string;
}

/** `owner/repo@<40-hex> # vX.Y.Z` → its parts; anything else → null. */
export function parsePinnedUse(line: string): PinnedAction | null {
  const m = /uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40})\s+#\s+(v(\d+)(?:\.\d+){0,2})\s*$/.exec(line);
  return m ? { action: m[1], sha: m[2], version: m[3], major: `v${m[4]}` } : null;
}

/** Why an action use cannot stay: unknown runtime or a runtime GitHub removed. */
export function runtimeProblem(use: PinnedAction): string | null {
  const key = `${use.action.toLowerCase()}@${use.major}`;
  const runtime = ACTION_RUNTIMES[key];
  if (!runtime) return `${use.action}@${use.version}: runtime unknown; add '${key}' to ACTION_RUNTIMES from its action.yml`;
  if (REMOVED_RUNTIMES.has(runtime)) return `${use.action}@${use.version} runs on ${runtime}, which GitHub has removed: move to a current major`;
  return null;
}
