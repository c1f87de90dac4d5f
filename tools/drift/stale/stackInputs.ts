/**
 * The two Pulumi CLI outputs the stale-asset audit needs: `pulumi stack ls --json` (which stacks
 * still exist) and `pulumi stack output --json` of the stack that owns the workspace (where it is).
 * Each is read from a file, or from the CLI when no file is given; `source` names either in messages.
 */
import { InputProblem } from "../../../shared/errors";
import type { WorkspaceRef } from "../../../shared/workspace";
import { isPlainObject } from "../propertyValues";

/** `org/project/dev` (listings across projects) and `dev` name the same stack. */
export function shortStackName(name: string): string {
  return name.split("/").pop() ?? name;
}

/** The JSON of a saved CLI output file; undefined (and a problem) when it is empty or not JSON. */
export function parseStackInput(source: string, text: string, problems: InputProblem[]): unknown {
  return parseJson(source, text, problems);
}

function parseJson(source: string, text: string, problems: InputProblem[]): unknown {
  if (text.trim() === "") {
    problems.push({ file: source, path: "", message: "empty; expected JSON" });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push({ file: source, path: "", message: `not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/**
 * Names of the existing stacks. `pulumi stack ls --json` prints
 * `[{ "name", "current", "lastUpdate", "updateInProgress", "resourceCount", "url" }]`.
 * The audited stack must be listed: a listing from another project or backend would make every
 * branch stack look deleted.
 */
export function readStackList(source: string, text: string, auditedStack: string, problems: InputProblem[]): Set<string> | undefined {
  const doc = parseJson(source, text, problems);
  return doc === undefined ? undefined : stackListFrom(source, doc, auditedStack, problems);
}

/** `readStackList` of a parsed listing (the Automation API's typed `StackSummary[]`, or a file's JSON). */
export function stackListFrom(source: string, doc: unknown, auditedStack: string, problems: InputProblem[]): Set<string> | undefined {
  if (!Array.isArray(doc)) {
    problems.push({ file: source, path: "", message: "expected the array printed by `pulumi stack ls --json`" });
    return undefined;
  }
  const names = new Set<string>();
  let ok = true;
  doc.forEach((entry, i) => {
    if (!isPlainObject(entry) || typeof entry.name !== "string" || entry.name.trim() === "") {
      problems.push({ file: source, path: `[${i}].name`, message: "expected a stack name" });
      ok = false;
    } else names.add(shortStackName(entry.name));
  });
  if (!ok) return undefined;
  if (!names.has(shortStackName(auditedStack))) {
    problems.push({
      file: source,
      path: "",
      message: `does not list the stack \`${auditedStack}\`: it is not the listing of this project's backend, so it cannot tell which branch stacks are gone`,
    });
    return undefined;
  }
  return names;
}

const COORDINATES = ["subscriptionId", "resourceGroupName", "workspaceName"] as const;

/** Workspace coordinates from `pulumi stack output --json` (secret outputs print as `[secret]`). */
export function readWorkspaceRef(source: string, text: string, problems: InputProblem[]): WorkspaceRef | undefined {
  const doc = parseJson(source, text, problems);
  return doc === undefined ? undefined : workspaceRefFrom(source, doc, problems);
}

/** `readWorkspaceRef` of parsed outputs (secret values as `[secret]`). */
export function workspaceRefFrom(source: string, doc: unknown, problems: InputProblem[]): WorkspaceRef | undefined {
  if (!isPlainObject(doc)) {
    problems.push({ file: source, path: "", message: "expected the object printed by `pulumi stack output --json`" });
    return undefined;
  }
  const before = problems.length;
  for (const key of COORDINATES) {
    const v = doc[key];
    if (v === "[secret]") problems.push({ file: source, path: key, message: "is a secret output; export it in clear or pass --outputs with the value" });
    else if (typeof v !== "string" || v.trim() === "") problems.push({ file: source, path: key, message: `missing: expected the workspace's ${key} as a string` });
  }
  if (problems.length > before) return undefined;
  return { subscriptionId: doc.subscriptionId as string, resourceGroupName: doc.resourceGroupName as string, workspaceName: doc.workspaceName as string };
}
