import { shortHash } from "./derive";

/**
 * Names that must be unique in the whole Entra tenant, not just in a subscription: application and
 * group display names (`preventDuplicateNames`) and custom role names (ARM answers
 * `RoleDefinitionWithSameNameExists` for a second role of the same name anywhere in the tenant).
 * A second subscription using the same prefix and stack must get other names, so each carries a
 * salt of project, stack and subscription.
 */
export interface TenantNames {
  /** The CI deployer's application (and service principal). */
  ciApplication: string;
  /** The deployer's constrained role-assigner custom role. */
  roleAssigner: string;
  /** The read-only audit identity's application. */
  auditApplication: string;
  /** The custom role on the origin workspace that lets this stage record its approvals. */
  approvalRecorder: string;
  /** The data scientists' security group, unless config names it. */
  dataScientistsGroup: string;
}

export interface TenantNameContext {
  project: string;
  stack: string;
  prefix: string;
  subscriptionId: string;
}

/** Six hex characters of project/stack/subscription: the same inputs always give the same names. */
export function tenantSalt(ctx: TenantNameContext): string {
  return shortHash(`${ctx.project}/${ctx.stack}/${ctx.subscriptionId.toLowerCase()}/tenant`, 6);
}

export function tenantNames(ctx: TenantNameContext): TenantNames {
  const base = `${ctx.prefix}-${ctx.stack}`;
  const salt = tenantSalt(ctx);
  return {
    ciApplication: `${base}-ci-${salt}`,
    roleAssigner: `${base}-ci-${salt} role assigner`,
    auditApplication: `${base}-audit-${salt}`,
    approvalRecorder: `${base}-${salt} model approval recorder`,
    dataScientistsGroup: `${base}-data-scientists-${salt}`,
  };
}
