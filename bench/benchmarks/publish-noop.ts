/**
 * publish-noop (bench/RESULTS.md): API calls the PublishedPipeline provider makes for pipelines that
 * did not change. Runs the provider against the local Azure ML REST server and Azurite, publishes the
 * training and scoring pipelines once, then counts the requests each server received:
 *
 *   writeCalls / readCalls               a second `up`: diff (pure) finds nothing, so nothing is sent
 *   refreshReadCalls / refreshWriteCalls a `refresh`: read checks every asset and the stored code
 *   adoptReadCalls / adoptWriteCalls     create over what already exists (a retried or imported create)
 *   oneStepWriteCalls                    an `up` after one step's code changed (code, component,
 *                                        pipeline component, and that folder's files)
 *
 * Calls are counted where they arrive (server-side request logs), ARM and blob together.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { countPublishCalls } from "../lib/publishCalls";
import { startHarness } from "../../tests/pipelines/publisher/publisherHarness";
import type { PublishedPipelineOutputs } from "../../pipelines/publisher/provider";

export default async function run(): Promise<Record<string, unknown>> {
  const h = await startHarness();
  try {
    const names = ["training", "scoring"];
    const phase = (work: () => Promise<void>) => countPublishCalls(h, work);

    const outs: Record<string, PublishedPipelineOutputs> = {};
    const first = await phase(async () => {
      for (const n of names) outs[n] = (await h.provider.create(h.inputs(n))).outs!;
    });

    // A second `up`: the engine calls diff and, when it reports no change, nothing else.
    const noop = await phase(async () => {
      for (const n of names) {
        const diff = await h.provider.diff("id", outs[n], h.inputs(n));
        if (diff.changes) await h.provider.update("id", outs[n], h.inputs(n));
      }
    });
    const refresh = await phase(async () => {
      for (const n of names) await h.provider.read("id", outs[n]);
    });
    const adopt = await phase(async () => {
      for (const n of names) await h.provider.create(h.inputs(n));
    });

    fs.appendFileSync(path.join(h.root, "pipelines/steps/register_model/register_model.py"), "\n# changed\n");
    const oneStep = await phase(async () => {
      const news = h.inputs("training");
      const diff = await h.provider.diff("id", outs.training, news);
      if (diff.changes) await h.provider.update("id", outs.training, news);
    });

    return {
      goal: "an unchanged up makes 0 calls (writeCalls 0, readCalls 0)",
      met: noop.writes === 0 && noop.reads === 0,
      pipelines: names.length,
      writeCalls: noop.writes,
      readCalls: noop.reads,
      refreshReadCalls: refresh.reads,
      refreshWriteCalls: refresh.writes,
      adoptReadCalls: adopt.reads,
      adoptWriteCalls: adopt.writes,
      firstPublishWriteCalls: first.writes,
      oneStepWriteCalls: oneStep.writes,
    };
  } finally {
    await h.close();
  }
}
