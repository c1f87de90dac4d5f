/**
 * Declares components (or whole environments) under the Pulumi runtime's mocks and records every
 * registration (type, parent, protect, dependencies, inputs) the way the offline plan does. The
 * runtime is process-wide: one `recordDeclarations` call per test file, declaring all it needs.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../../tools/plan/mocks";
import { recordProvidersAsPlaceholders } from "../../tools/plan/providerSerialization";
import { RecordingMonitor } from "../../tools/plan/recorder";
import { inRootStack, runtimeInternals, settle, toPlanResources, withoutStackFrames } from "../../tools/plan/run";
import type { PlanResource } from "../../shared/plan";

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

/** Runs `declare` under mocks and returns every registration as a plan resource. */
export async function recordDeclarations(declare: () => void | Promise<void>): Promise<PlanResource[]> {
  const mocks = new PlanMocks({ stackReferenceKeys: [], subscriptionId: SUBSCRIPTION });
  const recorder = new RecordingMonitor(mocks);
  await pulumi.runtime.setMocks(mocks, "mlops", "serving-test", true);
  pulumi.runtime.setMockOptions(recorder, "mlops", "serving-test", true);
  await runtimeInternals().awaitFeatureSupport();
  // As the offline plan does; tests/system/stacks/providerSerialization.test.ts serializes them for real.
  recordProvidersAsPlaceholders();
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    // Declared and settled as the plan runs the program (tools/plan/run.ts), stack frames left out.
    await withoutStackFrames(async () => {
      await inRootStack(async () => {
        await declare();
      });
      await settle(recorder);
    });
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) throw failures[0];
  return toPlanResources(recorder.registrations);
}


/** The resources of one type. */
export function ofType(resources: PlanResource[], type: string): PlanResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of a type with a logical name ending in `suffix` (fails unless exactly one). */
export function named(resources: PlanResource[], type: string, suffix: string): PlanResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} named …${suffix}, found ${found.length}`);
  return found[0];
}
