/** Reading an identity component's role assignments and federated credentials out of recorded declarations. */
import { builtInRoles } from "../../../components/authorization/roles";
import type { PlanResource } from "../../../shared/plan";

export const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
export const ROLE_DEFINITION = "azure-native:authorization:RoleDefinition";
export const FEDERATED_CREDENTIAL = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";

/** The component of `type` whose logical name is `name`. */
export function component(all: PlanResource[], type: string, name: string): PlanResource {
  const found = all.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** Resources of `type` declared by the component (direct children). */
export function childrenOf(all: PlanResource[], parent: PlanResource, type: string): PlanResource[] {
  return all.filter((r) => r.parent === parent.urn && r.type === type);
}

/** A role definition id's built-in role name, or `custom:<guid>` for any other role. */
export function roleName(roleDefinitionId: unknown): string {
  const id = String(roleDefinitionId);
  const guid = id.split("/").pop()!;
  const builtIn = Object.entries(builtInRoles).find(([, g]) => g === guid)?.[0];
  return builtIn ?? `custom:${guid}`;
}

/** `<role>@<scope>` for every role assignment the component declares, sorted. */
export function grantsOf(all: PlanResource[], parent: PlanResource): string[] {
  return childrenOf(all, parent, ROLE_ASSIGNMENT)
    .map((r) => `${roleName(r.inputs.roleDefinitionId)}@${String(r.inputs.scope)}`)
    .sort();
}
