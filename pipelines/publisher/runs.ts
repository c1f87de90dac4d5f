import * as pulumi from "@pulumi/pulumi";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import { pipelineJobProperties, PipelineJobOptions, PublishedPipelineRef } from "./jobs";
import type { PublishedPipeline } from "./resource";

/**
 * How the rest of the stack runs a published pipeline: the stack output the run tool reads, and the
 * properties of a native `machinelearningservices.Schedule` (azure-native sends job inputs whole,
 * `uri` and `mode` included).
 */

/**
 * The `publishedPipelines.<definition>` stack output: everything the run tool needs to submit a run,
 * the workspace included (it is part of the component id).
 */
export function publishedPipelineRef(published: PublishedPipeline): pulumi.Output<PublishedPipelineRef> {
  return pulumi.all([published.plan, published.pipelineComponentId]).apply(([plan, pipelineComponentId]) => ({
    definition: plan.definition,
    pipelineName: plan.pipelineName,
    experimentName: plan.experimentName,
    pipelineComponentId,
    inputs: plan.inputs,
    outputs: plan.outputs,
  }));
}

/**
 * `jobDefinition` of a schedule's `CreateJob` action that runs the published pipeline. Pipelines with
 * model inputs need `options.models`: a schedule's inputs are fixed when it is created.
 */
export function scheduledPipelineJob(
  published: PublishedPipeline,
  options: PipelineJobOptions = {},
): pulumi.Output<Record<string, unknown>> {
  return publishedPipelineRef(published).apply((ref) =>
    pipelineJobProperties(ref, { displayName: `${ref.pipelineName} (scheduled)`, ...options }),
  );
}

export interface PipelineScheduleOptions extends PipelineJobOptions {
  /** 5-field cron expression (NCronTab), e.g. `0 3 * * 1`. */
  cron: string;
  /** Windows time-zone name, e.g. `UTC`, `W. Europe Standard Time`. */
  timeZone?: string;
}

/**
 * `properties` of a `machinelearningservices.Schedule` that runs the pipeline on a cron. The job is
 * the REST body; azure-native's PipelineJobArgs has the same shape, with literal unions (input types,
 * modes) a plain object cannot prove, hence the cast.
 */
export function pipelineScheduleProperties(
  published: PublishedPipeline,
  options: PipelineScheduleOptions,
): pulumi.Output<azureInputs.machinelearningservices.SchedulePropertiesArgs> {
  const { cron, timeZone, ...job } = options;
  return pulumi.all([published.pipelineName, scheduledPipelineJob(published, job)]).apply(([pipelineName, jobDefinition]): azureInputs.machinelearningservices.SchedulePropertiesArgs => ({
    displayName: `${pipelineName} on ${cron}`,
    description: `Runs ${pipelineName} on the cron '${cron}'${job.datastore ? ` with the ${job.datastore} dataset` : ""}`,
    isEnabled: true,
    tags: job.tags ?? {},
    action: { actionType: "CreateJob", jobDefinition: jobDefinition as unknown as azureInputs.machinelearningservices.PipelineJobArgs },
    trigger: { triggerType: "Cron", expression: cron, timeZone: timeZone ?? "UTC" },
  }));
}
