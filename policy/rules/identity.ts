import { EVERYWHERE } from "./levels";
import { TYPES } from "./typeTokens";
import type { ResourceRule } from "./types";
import { asArray, at, isUnknown, show } from "./values";

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Built-in roles that can grant access to others or do everything (their IDs are the same in every tenant). */
export const PRIVILEGED_ROLES: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

/** The role GUID at the end of a role definition ID (or the GUID itself). */
export function roleGuid(roleDefinitionId: unknown): string | null {
  if (typeof roleDefinitionId !== "string") return null;
  const last = roleDefinitionId.split("/").pop() ?? "";
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(last) ? last.toLowerCase() : null;
}

/**
 * Problems with a federated subject: wildcards, a GitHub subject that does not pin the repository and
 * one of branch/tag/environment/pull_request, an Azure DevOps subject that is not a service connection.
 * Pull-request subjects only reach dev: anyone who can open a pull request could otherwise deploy.
 */
export function subjectProblems(issuer: unknown, subject: unknown, environment: string): string[] {
  if (isUnknown(subject)) return [];
  if (typeof subject !== "string" || subject.trim() === "") return ["subject is empty"];
  if (/[*?]/.test(subject)) return [`subject ${show(subject)} contains a wildcard`];
  if (typeof issuer === "string" && issuer.replace(/\/$/, "") === GITHUB_ISSUER) {
    const m = /^repo:([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+):(.+)$/.exec(subject);
    if (!m) return [`subject ${show(subject)} does not pin a repository (repo:<owner>/<repo>:<qualifier>)`];
    const qualifier = m[3];
    if (qualifier === "pull_request") {
      return environment === "dev" ? [] : [`subject ${show(subject)} lets any pull request deploy to ${environment}`];
    }
    if (/^(ref:refs\/(heads|tags)\/[^:]+|environment:[^:]+)$/.test(qualifier)) return [];
    return [`subject ${show(subject)} uses the claim '${qualifier}', not a branch, tag, environment or pull_request`];
  }
  if (typeof issuer === "string" && /^https:\/\/vstoken\.dev\.azure\.com\//i.test(issuer)) {
    return /^sc:\/\/[^/]+\/[^/]+\/[^/]+$/.test(subject)
      ? []
      : [`subject ${show(subject)} is not an Azure DevOps service connection (sc://<org>/<project>/<connection>)`];
  }
  return [];
}

export const federatedSubjectPinned: ResourceRule = {
  scope: "resource",
  name: "ci-federated-subject-pinned",
  description:
    "CI federated credentials pin issuer, audience and an exact subject (repository plus branch, tag or environment; no wildcard or abusable claim).",
  anchors: ["CKV_AZURE_249"],
  levels: EVERYWHERE,
  remediation:
    "use subject 'repo:<owner>/<repo>:environment:<env>' or ':ref:refs/heads/<branch>' (GitHub) or 'sc://<org>/<project>/<connection>' (Azure DevOps), audience api://AzureADTokenExchange; keep pull_request subjects to dev",
  types: [TYPES.applicationFederatedCredential, TYPES.managedIdentityFederatedCredential],
  check(r, ctx) {
    const issuer = at(r.inputs, "issuer");
    const problems = subjectProblems(issuer, at(r.inputs, "subject"), ctx.environment);
    if (typeof issuer === "string" && !issuer.startsWith("https://")) problems.push(`issuer ${show(issuer)} is not an https URL`);
    const audiences = at(r.inputs, "audiences");
    if (!isUnknown(audiences) && audiences !== undefined) {
      const list = asArray(audiences);
      if (list.length !== 1 || list[0] !== TOKEN_EXCHANGE_AUDIENCE) {
        problems.push(`audiences is ${show(audiences)}, expected ['${TOKEN_EXCHANGE_AUDIENCE}']`);
      }
    }
    return problems;
  },
};

export const noClientSecrets: ResourceRule = {
  scope: "resource",
  name: "ci-no-client-secrets",
  description: "No application or service-principal passwords: CI signs in with federated credentials only.",
  anchors: ["custom"],
  levels: EVERYWHERE,
  remediation: "delete the password and add an ApplicationFederatedIdentityCredential for the pipeline instead",
  types: [TYPES.applicationPassword, TYPES.servicePrincipalPassword],
  check: () => ["a client secret is declared: it can leak and does not expire with the job"],
};

const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/**
 * Constrained delegation: an ABAC condition on `roleAssignments/write` that keeps the privileged roles
 * out of reach (deny-list naming all of them, or an allow-list naming none). This is how a deploying
 * identity may create the program's own role assignments without being able to escalate.
 */
export function constrainsDelegation(condition: unknown): boolean {
  if (typeof condition !== "string" || !/roleAssignments\/write/i.test(condition)) return false;
  const named = new Set((condition.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []).map((g) => g.toLowerCase()));
  const privileged = Object.keys(PRIVILEGED_ROLES);
  if (/GuidNotEquals/i.test(condition)) return privileged.every((g) => named.has(g));
  if (/GuidEquals/i.test(condition)) return privileged.every((g) => !named.has(g));
  return false;
}

export const noPrivilegedRoleAssignment: ResourceRule = {
  scope: "resource",
  name: "no-privileged-role-assignment",
  description:
    "No Owner assignments; User Access Administrator and RBAC Administrator only with a condition that keeps privileged roles out of reach.",
  anchors: ["custom"],
  levels: EVERYWHERE,
  remediation:
    "assign a narrower built-in role, or constrain the delegation with a condition on roleAssignments/write (GuidNotEquals Owner, User Access Administrator, RBAC Administrator)",
  types: [TYPES.roleAssignment],
  check(r) {
    const guid = roleGuid(at(r.inputs, "roleDefinitionId"));
    const role = guid ? PRIVILEGED_ROLES[guid] : undefined;
    if (!role) return [];
    if (guid === OWNER) return ["assigns Owner, which can grant any access to anyone"];
    return constrainsDelegation(at(r.inputs, "condition"))
      ? []
      : [`assigns ${role} without a condition that keeps Owner, User Access Administrator and RBAC Administrator out of reach`];
  },
};

export const noCustomOwnerRole: ResourceRule = {
  scope: "resource",
  name: "no-custom-owner-role",
  description: "No custom role allows every action ('*') at subscription or root scope.",
  anchors: ["CKV_AZURE_39"],
  levels: EVERYWHERE,
  remediation: "list the actions the role needs instead of '*', or scope it to a resource group",
  types: [TYPES.roleDefinition],
  check(r) {
    const actions = asArray(at(r.inputs, "permissions")).flatMap((p) => asArray(at(p, "actions")));
    if (!actions.includes("*")) return [];
    const scopes = asArray(at(r.inputs, "assignableScopes")).filter((s): s is string => typeof s === "string");
    const wide = scopes.filter((s) => s === "/" || /^\/subscriptions\/[^/]+\/?$/i.test(s) || /managementGroups/i.test(s));
    return wide.length > 0 ? [`allows '*' at ${wide.join(", ")}`] : [];
  },
};

export const identityRules = [federatedSubjectPinned, noClientSecrets, noPrivilegedRoleAssignment, noCustomOwnerRole];
