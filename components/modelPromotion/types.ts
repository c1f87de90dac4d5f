/** Plain data shapes shared by the promotion provider, its resource wrapper, the resolver and the CLI. */

/** Where an Azure ML workspace lives in ARM. */
export interface WorkspaceCoordinates {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
}

/** The target workspace plus the datastore (and its storage) that receives the model files. */
export interface TargetWorkspace extends WorkspaceCoordinates {
  /** Datastore the registered `modelUri` points into. Default `workspaceblobstore`. */
  datastoreName: string;
  /** Storage account behind the datastore; resolved from the datastore when omitted. */
  storageAccountName?: string;
  /** Blob container behind the datastore; resolved from the datastore when omitted. */
  containerName?: string;
}

export interface ApprovalTag {
  key: string;
  value: string;
}

/** Inputs of `mlops:PromotedModel` once every `pulumi.Input` has resolved. */
export interface PromotedModelInputs {
  modelName: string;
  /** Version to promote from the source; the target version carries the same number. */
  version: string;
  source: WorkspaceCoordinates;
  target: TargetWorkspace;
  /** Tag that approves a version upstream; never copied downstream (each stack approves its own). */
  approvalTag: ApprovalTag;
  /** Blob folder in the target container under which `<model>/<version>/` is written. */
  targetPathPrefix: string;
  armEndpoint: string;
  /**
   * Blob service URL of an account: `{account}` and `{suffix}` (the datastore's storage endpoint
   * suffix, e.g. `core.windows.net`) are substituted. Path-style templates serve emulators.
   */
  blobEndpointTemplate: string;
  /** Delete archives the target version (default) instead of deleting it and its files. */
  archiveOnDelete: boolean;
  /** Server-side copies in flight at once. */
  copyConcurrency: number;
}

/** Outputs: the inputs plus what promotion computed and `read` re-checks. */
export interface PromotedModelOutputs extends PromotedModelInputs {
  /** ARM id of the registered target model version. */
  modelId: string;
  /** `azureml://datastores/<ds>/paths/<folder-or-file>` in the target workspace. */
  modelUri: string;
  sourceModelUri: string;
  /** sha256 over every file's relative path, length and Content-MD5. */
  contentHash: string;
  files: number;
  bytes: number;
  promotedAt: string;
  /** False when `read` found a target file missing or different: the next `up` repairs it. */
  filesIntact: boolean;
  /** True when `read` found the target version archived: the next `up` restores it. */
  archived: boolean;
  /** What `read` found wrong with the target files (empty when intact). */
  fileProblems: string[];
  targetStorageAccountName: string;
  targetContainerName: string;
  targetBlobEndpoint: string;
}

export const DEFAULTS = {
  armEndpoint: "https://management.azure.com",
  blobEndpointTemplate: "https://{account}.blob.{suffix}",
  storageSuffix: "core.windows.net",
  datastoreName: "workspaceblobstore",
  approvalTag: { key: "stage", value: "production" },
  targetPathPrefix: "promoted",
  copyConcurrency: 8,
} as const;

/** Lineage tags and properties written on every promoted version. */
export const LINEAGE = {
  sourceWorkspace: "promotion.sourceWorkspace",
  sourceVersion: "promotion.sourceVersion",
  sourceModelUri: "promotion.sourceModelUri",
  contentHash: "promotion.contentHash",
  promotedAt: "promotion.promotedAt",
} as const;
