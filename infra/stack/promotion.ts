import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { deterministicGuid } from "../../components/authorization/roles";
import type { EnvironmentSpec } from "../config";
import { ExportedModel, PromotedModel, RegistryModel, resolveApproval } from "../../components/modelPromotion";
import { logicalBase, tenantNames } from "../../shared/naming";
import { requiredText } from "./stackOutputs";
import type { MlWorkspace } from "../../components/workspace";

/** The origin's Azure ML registry (registry strategy), as its stack exports it. */
export interface OriginRegistry {
  id: pulumi.Output<string>;
  name: pulumi.Output<string>;
}

export interface PromotionOutputs {
  /** The origin environment's (dev's) workspace and storage: the only cross-environment reads. */
  origin: { workspaceId: pulumi.Output<string>; storageAccountId: pulumi.Output<string> };
  models: (PromotedModel | RegistryModel)[];
  /** Registry strategy: the origin's registry, and per model what batch scoring references there. */
  registry?: OriginRegistry;
  batchModelUris?: pulumi.Output<string>[];
  /** Known-location exports, model name → URL of each exported folder. */
  exports: { modelName: string; url: pulumi.Output<string> }[];
}

/**
 * Models promoted into this environment, always copied from the origin (dev, the workspace that
 * trained them): qa promotes the newest version approved in dev; prod promotes the newest version
 * qa approved, as recorded on the origin version with the hash of qa's tested copy, and checks the
 * origin bytes against that hash. The only stack read is the origin's (`requireOutput`), so no prod
 * resource, identity or network path reaches qa (docs/promotion.md, "The chain"). The resolved version is an input,
 * so a preview shows "7 → 9" and revoking an approval rolls back on the next `up`; offline (the
 * plan) it is unknown.
 */
export function declarePromotion(
  spec: EnvironmentSpec,
  core: MlWorkspace,
  inputs: { subscriptionId: pulumi.Input<string> },
): PromotionOutputs | undefined {
  const promotion = spec.promotion;
  if (!promotion) return undefined;
  const base = logicalBase(spec);
  const origin = new pulumi.StackReference(`${base}-origin`, { name: promotion.originStack });
  const text = requiredText(origin, promotion.originStack, `${spec.stack}'s model promotion`);
  const source = {
    subscriptionId: text("subscriptionId"),
    resourceGroupName: text("resourceGroupName"),
    workspaceName: text("workspaceName"),
  };

  const approvedOf = (m: { name: string; pinnedVersion?: string }) =>
    resolveApproval({
      source,
      modelName: m.name,
      approvalTag: promotion.approvalTag,
      approvedIn: promotion.upstreamEnvironment,
      originEnvironment: promotion.originEnvironment,
      ...(m.pinnedVersion ? { pinnedVersion: m.pinnedVersion } : {}),
      offline: spec.offline,
    });
  const originOutputs = { workspaceId: text("workspaceId"), storageAccountId: text("storageAccountId") };

  if (promotion.strategy === "registry") {
    // The origin declares the registry (`mlops:modelRegistry`) and exports where it is.
    const registry = { id: text("modelRegistryId"), name: text("modelRegistryName") };
    const registryEndpoint = pulumi.interpolate`https://${text("modelRegistryLocation")}.api.azureml.ms`;
    const importCompute = promotion.registry?.importCompute;
    const registryModels = promotion.models.map((m) => {
      const approved = approvedOf(m);
      return new RegistryModel(`${base}-model-${m.name}`, {
        modelName: m.name,
        version: approved.version,
        expectedContentHash: approved.apply((a) => a.expectedContentHash ?? ""),
        approvals: approved.approvals,
        source,
        // The origin declares the registry in its own resource group and subscription.
        registry: { subscriptionId: source.subscriptionId, resourceGroupName: source.resourceGroupName, registryName: registry.name },
        registryEndpoint,
        // Kubernetes online endpoints cannot deploy registry models: a job on this workspace's
        // cluster imports the version ("Attach Kubernetes anywhere", limitations).
        ...(spec.serving && importCompute
          ? {
              workspaceImport: {
                target: { subscriptionId: inputs.subscriptionId, resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName },
                computeName: importCompute,
                environmentId: promotion.registry!.importEnvironment,
              },
            }
          : {}),
        archiveOnDelete: promotion.archiveOnDelete,
      });
    });
    return { origin: originOutputs, models: registryModels, registry, batchModelUris: registryModels.map((r) => r.registryModelUri), exports: [] };
  }

  const approvedByModel = new Map(promotion.models.map((m) => [m.name, approvedOf(m)]));
  const models = promotion.models.map((m) => {
    const approved = approvedByModel.get(m.name)!;
    return new PromotedModel(`${base}-model-${m.name}`, {
      modelName: m.name,
      version: approved.version,
      expectedContentHash: approved.apply((a) => a.expectedContentHash ?? ""),
      approvals: approved.approvals,
      source,
      target: { subscriptionId: inputs.subscriptionId, resourceGroupName: core.resourceGroupName, workspaceName: core.workspaceName },
      approvalTag: promotion.approvalTag,
      archiveOnDelete: promotion.archiveOnDelete,
    });
  });

  // Known locations get the same version, from the origin, checked against the same approved hash.
  const exports = promotion.exports.flatMap((e, i) =>
    e.models.map((name) => {
      const approved = approvedByModel.get(name)!;
      const exported = new ExportedModel(`${base}-export-${i}-${name}`, {
        modelName: name,
        version: approved.version,
        expectedContentHash: approved.apply((a) => a.expectedContentHash ?? ""),
        source,
        target: { storageAccountName: e.storageAccountName, containerName: e.containerName, pathPrefix: e.pathPrefix },
        deleteFilesOnDelete: e.deleteFilesOnDelete,
      });
      return { modelName: name, url: exported.url };
    }),
  );

  return { origin: originOutputs, models, exports };
}

/**
 * What the approving stage's CI identity (qa) may do on the origin workspace: read model versions
 * and write their tags, so `npm run model -- approve … --stack qa` can record qa's approval on the
 * origin version where production stacks read it. Operation names follow the ARM resource type
 * `Microsoft.MachineLearningServices/workspaces/models/versions` (Azure ML "manage roles in your
 * workspace": custom roles list workspace operations by resource type).
 */
export const APPROVAL_RECORDER_ACTIONS = [
  "Microsoft.MachineLearningServices/workspaces/read",
  "Microsoft.MachineLearningServices/workspaces/models/read",
  "Microsoft.MachineLearningServices/workspaces/models/versions/read",
  "Microsoft.MachineLearningServices/workspaces/models/versions/write",
];

/**
 * The approving stage's grant on the origin (qa's CI identity → dev workspace): a custom role that
 * only reads model versions and writes their tags, assignable on the origin workspace only.
 * Declared in the approving stack so its plan shows it; granted by that stack's deployer under the
 * one-time bootstrap (docs/promotion.md).
 */
export function declareApprovalRecorder(
  spec: EnvironmentSpec,
  originWorkspaceId: pulumi.Output<string>,
  principalId: pulumi.Input<string>,
): { roleDefinition: authorization.RoleDefinition; assignment: authorization.RoleAssignment } {
  const base = logicalBase(spec);
  const guid = originWorkspaceId.apply((id) => deterministicGuid(id, base, "model-approval-recorder"));
  // Custom role names are unique in the tenant (RoleDefinitionWithSameNameExists): salted like the
  // other tenant-wide names, with the subscription the role is defined in.
  const roleName = originWorkspaceId.apply((id) => tenantNames({ project: spec.project, stack: spec.stack, prefix: spec.prefix, subscriptionId: id.split("/")[2] ?? "" }).approvalRecorder);
  const roleDefinition = new authorization.RoleDefinition(`${base}-origin-approval-recorder-role`, {
    roleDefinitionId: guid,
    roleName,
    description: `Lets ${spec.environment}'s CI record its model approvals on the origin's model versions (tags only: versions are immutable)`,
    scope: originWorkspaceId,
    assignableScopes: [originWorkspaceId],
    permissions: [{ actions: APPROVAL_RECORDER_ACTIONS }],
  });
  const subscription = originWorkspaceId.apply((id) => id.split("/")[2]);
  const assignment = new authorization.RoleAssignment(
    `${base}-origin-approval-recorder`,
    {
      roleAssignmentName: pulumi.all([originWorkspaceId, principalId]).apply(([s, p]) => deterministicGuid(s, p, "model-approval-recorder")),
      scope: originWorkspaceId,
      principalId,
      principalType: authorization.PrincipalType.ServicePrincipal,
      roleDefinitionId: pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      description: `Records ${spec.environment} approvals on origin model versions (npm run model -- approve … --stack ${spec.environment})`,
    },
    { dependsOn: [roleDefinition] },
  );
  return { roleDefinition, assignment };
}
