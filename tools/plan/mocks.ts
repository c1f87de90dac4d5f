/**
 * What the offline plan answers in place of Azure and the Pulumi service.
 *
 * - Resources echo their inputs and get an ARM-shaped id when one can be derived (see `armIds.ts`),
 *   else `<logical-name>-id`. Everything Azure computes (principal ids, endpoints, FQDNs, keys) is
 *   left unknown: the plan runs as a preview, so outputs the mock does not return are unknown, and
 *   the nested ones listed below are returned as the unknown sentinel.
 * - Stack references (`pulumi:pulumi:StackReference`) resolve every key in `stackReferenceKeys` to
 *   the placeholder string `<stackName>:<key>`, e.g. `organization/mlops/dev:workspaceName` (ids
 *   included). A program that asks for any other key gets nothing, as it would from a real stack.
 * - Function calls return placeholders: `getClientConfig` answers the placeholder subscription and the
 *   nil GUID for tenant, client and object ids; other calls echo their arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { armId, PLACEHOLDER_SUBSCRIPTION, physicalName } from "./armIds";

const UNKNOWN = pulumi.runtime.unknownValue;
const NIL_GUID = "00000000-0000-0000-0000-000000000000";

export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** The placeholder a stack reference output resolves to in a plan. */
export function stackReferencePlaceholder(stackName: string, key: string): string {
  return `${stackName}:${key}`;
}

export interface PlanMocksOptions {
  /** Output names an environment stack exports (`infra/outputs.ts`). */
  stackReferenceKeys: string[];
  /** Shown in ARM ids; the placeholder subscription when the stack config names none. */
  subscriptionId?: string;
}

export class PlanMocks implements Mocks {
  private readonly subscriptionId: string;

  constructor(private readonly options: PlanMocksOptions) {
    this.subscriptionId = options.subscriptionId ?? PLACEHOLDER_SUBSCRIPTION;
  }

  newResource(args: MockResourceArgs): MockResourceResult {
    if (args.type === STACK_REFERENCE_TYPE) return this.stackReference(args);
    // Components have no id and no state of their own.
    if (args.custom === false) return { id: undefined, state: {} };
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const id = args.id || armId(args.type, inputs, this.subscriptionId) || `${args.name}-id`;
    const state: Record<string, unknown> = { ...inputs, ...computedUnknowns(args.type, inputs) };
    if (args.type.startsWith("azure-native:") && state.name === undefined && id.startsWith("/subscriptions/")) {
      state.name = physicalName(id);
    }
    return { id, state };
  }

  call(args: MockCallArgs): Record<string, unknown> {
    const fn = args.token.split(":").pop() ?? "";
    if (fn === "getClientConfig" || fn.endsWith("/getClientConfig")) {
      return { subscriptionId: this.subscriptionId, tenantId: NIL_GUID, clientId: NIL_GUID, objectId: NIL_GUID };
    }
    return { ...(args.inputs ?? {}) };
  }

  private stackReference(args: MockResourceArgs): MockResourceResult {
    const stackName = String(args.inputs?.name ?? args.name);
    const outputs: Record<string, string> = {};
    for (const key of this.options.stackReferenceKeys) outputs[key] = stackReferencePlaceholder(stackName, key);
    return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
  }
}

/**
 * Nested outputs Azure fills in on creation. Top-level outputs need no entry (a preview leaves any
 * output the mock omits unknown), but a nested one would otherwise read as absent, not unknown.
 */
function computedUnknowns(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const identity = inputs.identity as { type?: unknown; userAssignedIdentities?: unknown } | undefined;
  if (identity && typeof identity === "object") {
    const kind = String(identity.type ?? "");
    const result: Record<string, unknown> = { ...identity };
    if (/SystemAssigned/i.test(kind)) Object.assign(result, { principalId: UNKNOWN, tenantId: UNKNOWN });
    const assigned = identity.userAssignedIdentities;
    if (Array.isArray(assigned)) {
      // Inputs list the identities' ids; the output maps each id to its principal and client ids.
      result.userAssignedIdentities = Object.fromEntries(
        assigned.filter((k) => typeof k === "string").map((k) => [k, { principalId: UNKNOWN, clientId: UNKNOWN }]),
      );
    }
    out.identity = result;
  }
  if (type === "azure-native:containerservice:ManagedCluster") {
    out.identityProfile = {
      ...((inputs.identityProfile as object) ?? {}),
      kubeletidentity: { clientId: UNKNOWN, objectId: UNKNOWN, resourceId: UNKNOWN },
    };
    if (inputs.oidcIssuerProfile && typeof inputs.oidcIssuerProfile === "object") {
      out.oidcIssuerProfile = { ...(inputs.oidcIssuerProfile as object), issuerURL: UNKNOWN };
    }
  }
  if (/^azure-native:machinelearningservices:(Online|Batch)Endpoint$/.test(type)) {
    out.properties = { ...((inputs.properties as object) ?? {}), scoringUri: UNKNOWN, swaggerUri: UNKNOWN };
  }
  return out;
}
