/** Plain data shapes shared by the promotion provider, its resource wrapper, the resolver and the CLI. */
import type { WorkspaceRef } from "../../shared/workspace";
import { PUBLIC_ARM_ENDPOINT } from "../shared/azure";

/** The target workspace plus the datastore (and its storage) that receives the model files. */
export interface TargetWorkspace extends WorkspaceRef {
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
  source: WorkspaceRef;
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
  /**
   * Content hash of the copy the approving stage tested (prod: qa's copy, as recorded on the origin
   * version by `npm run model -- approve … --stack qa`). The origin files must hash to it, or
   * nothing is copied or registered: production serves exactly what qa tested.
   */
  expectedContentHash?: string;
  /** Each approval behind this promotion, stage → what approved it; written as lineage tags. */
  approvals?: Record<string, string>;
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
  /**
   * Relative path → ETag of each target file after the verified copy. Any later write changes a
   * blob's ETag, so `read` finds a file rewritten with the same length (and even a forged
   * Content-MD5 property) without reading its bytes.
   */
  targetEtags?: Record<string, string>;
}

export const DEFAULTS = {
  armEndpoint: PUBLIC_ARM_ENDPOINT,
  blobEndpointTemplate: "https://{account}.blob.{suffix}",
  storageSuffix: "core.windows.net",
  datastoreName: "workspaceblobstore",
  approvalTag: { key: "stage", value: "production" },
  targetPathPrefix: "promoted",
  copyConcurrency: 8,
} as const;

/**
 * Lineage tags and properties written on every promoted version. The source is always the origin
 * (the workspace that trained the model), whichever stage approved it.
 */
export const LINEAGE = {
  sourceWorkspace: "promotion.originWorkspace",
  sourceVersion: "promotion.originVersion",
  sourceModelUri: "promotion.originModelUri",
  contentHash: "promotion.contentHash",
  promotedAt: "promotion.promotedAt",
  /** `promotion.approval.<stage>`: one tag per approval (dev's tag, qa's recorded approval). */
  approvalPrefix: "promotion.approval.",
} as const;

/**
 * A downstream stage's approval recorded on the origin version (docs/promotion.md, "The chain"):
 * `approval.<stage>` = the approval tag's value, plus the content hash of that stage's tested copy
 * and when it was approved. Production stacks resolve these on the origin and never call qa.
 */
export const ORIGIN_APPROVAL = {
  key: (stage: string) => `approval.${stage}`,
  contentHash: (stage: string) => `approval.${stage}.contentHash`,
  at: (stage: string) => `approval.${stage}.at`,
} as const;
