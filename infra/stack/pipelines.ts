import * as pulumi from "@pulumi/pulumi";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import type { EnvironmentSpec } from "../config";
import { pipelineDefinitions, pipelineScheduleProperties, PublishedPipeline, PublishedPipelineArgs, publishedPipelineRef } from "../../pipelines";

/** Where pipelines publish: a workspace and its default blob datastore (`azureml-blobstore-<workspace guid>`). */
export type PublishTarget = Pick<PublishedPipelineArgs, "workspace" | "storage">;

/**
 * Publishes the pipelines the stack selects (`pipelines.publish`) into a workspace: the
 * environment's own, or dev's for a branch stack (whose names and tags then carry the branch).
 */
export function declarePipelines(
  spec: EnvironmentSpec,
  target: PublishTarget,
  opts?: pulumi.CustomResourceOptions,
): { published: Record<string, PublishedPipeline>; outputs: Record<string, pulumi.Output<unknown>> } {
  const published: Record<string, PublishedPipeline> = {};
  for (const key of spec.pipelines.publish) {
    published[key] = new PublishedPipeline(
      `${spec.stack}-pipeline-${key}`,
      {
        definition: pipelineDefinitions[key],
        workspace: target.workspace,
        storage: target.storage,
        clusters: spec.pipelines.clusters,
        branch: spec.branch,
        stack: spec.stack,
        tags: spec.tags,
      },
      opts,
    );
  }
  const outputs = Object.fromEntries(Object.entries(published).map(([key, p]) => [key, publishedPipelineRef(p)]));
  return { published, outputs };
}

/** Retraining schedules (native Schedule resources) for published pipelines. */
export function declareSchedules(spec: EnvironmentSpec, target: PublishTarget, published: Record<string, PublishedPipeline>): ml.Schedule[] {
  return spec.pipelines.schedules.map(
    (s, i) =>
      new ml.Schedule(`${spec.stack}-schedule-${s.pipeline}-${i}`, {
        name: s.name,
        resourceGroupName: target.workspace.resourceGroupName,
        workspaceName: target.workspace.workspaceName,
        properties: pipelineScheduleProperties(published[s.pipeline], { cron: s.cron, timeZone: s.timeZone, datastore: s.dataset, tags: spec.tags }),
      }),
  );
}
