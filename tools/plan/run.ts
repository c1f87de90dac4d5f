/**
 * Runs the real program under the Pulumi runtime's mocks and turns what it registered into a plan.
 *
 * The Pulumi runtime is a process-wide singleton and the program's modules are cached, so a process
 * plans one stack: callers that plan several (bench, tests) start one process per stack.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { environmentOutputKeys } from "../../infra/outputs";
import { OFFLINE_ENV } from "../../infra/offline";
import { PlanMocks } from "./mocks";
import { recordProvidersAsPlaceholders } from "./providerSerialization";
import { prepareStack, PreparedStack, PrepareOptions, REPO_ROOT } from "./prepare";
import { loadPolicyEvaluator, PlanEvaluator } from "./policy";
import { RecordingMonitor, Registration } from "./recorder";
import { withoutApiVersionAliases } from "./apiVersionAliases";
import { PlanDocument, PlanResource, PlanValue } from "../../shared/plan";
import { fromWireObject, HIDDEN_INPUTS, resolveExport } from "./values";

export { prepareStack, REPO_ROOT } from "./prepare";
export type { PreparedStack } from "./prepare";

export const DEFAULT_PROGRAM = path.join(REPO_ROOT, "infra", "index.ts");

/**
 * `pulumi.getOrganization()` in a plan: the name the self-managed backends use, which is also how the
 * stack references in the docs are written (`organization/mlops/dev`).
 */
export const PLAN_ORGANIZATION = "organization";

/** Set for the program while it plans: it then skips Azure look-ups and uses unknown values instead. */
export { OFFLINE_ENV };

export interface PlanStackOptions extends PrepareOptions {
  /** Program entry module (default: `infra/index.ts`); tests pass a small fixture program. */
  program?: string;
  /** Policy evaluation: default loads `policy/evaluate.ts`; `null` skips it. */
  policy?: PlanEvaluator | null;
  /** Output names stack references resolve (default: `environmentOutputKeys`). */
  stackReferenceKeys?: readonly string[];
}

export interface PlanRunResult {
  plan: PlanDocument;
  /** false when the policy pack was not available, so nothing was evaluated. */
  policyEvaluated: boolean;
}

let used = false;

/**
 * Plans one stack. Bad config throws `InputError` before anything is registered; a program failure
 * throws its error.
 */
export async function planStack(opts: PlanStackOptions): Promise<PlanDocument> {
  return (await runPlan(opts)).plan;
}

export async function runPlan(opts: PlanStackOptions, prepared?: PreparedStack): Promise<PlanRunResult> {
  // Validate first: bad config must stop the plan before a single resource is registered.
  const { project, stack, config, secretKeys, spec } = prepared ?? prepareStack(opts);

  if (used) throw new Error("planStack runs once per process (the Pulumi runtime is process-wide); plan each stack in its own process");
  used = true;

  const evaluate = opts.policy === undefined ? loadPolicyEvaluator() : (opts.policy ?? undefined);
  const mocks = new PlanMocks({
    stackReferenceKeys: [...(opts.stackReferenceKeys ?? environmentOutputKeys)],
    subscriptionId: spec.subscriptionId,
  });
  const recorder = new RecordingMonitor(mocks);
  await pulumi.runtime.setMocks(mocks, project, stack, true, PLAN_ORGANIZATION);
  // Swapping in the recording monitor resets the runtime's feature flags; asking the monitor again
  // restores what setMocks set (secrets and resource references on).
  pulumi.runtime.setMockOptions(recorder, project, stack, true, PLAN_ORGANIZATION);
  await runtimeInternals().awaitFeatureSupport();
  pulumi.runtime.setAllConfig(config, secretKeys);
  recordProvidersAsPlaceholders();

  process.env[OFFLINE_ENV] = "1";
  const entry = path.resolve(opts.program ?? DEFAULT_PROGRAM);
  if (entry === DEFAULT_PROGRAM) {
    // The real program would build the same spec from the same config again: hand it over.
    const { providePreparedSpec } = require("../../infra/program") as typeof import("../../infra/program");
    providePreparedSpec(spec, config, path.resolve(opts.projectDir ?? REPO_ROOT));
  }
  const outputs = await withoutStackFrames(() => runProgram(entry, recorder));

  const plan: PlanDocument = {
    schemaVersion: 1,
    project,
    stack,
    kind: spec.kind,
    environment: spec.environment,
    branch: spec.branch?.name ?? null,
    resources: toPlanResources(recorder.registrations),
    outputs,
    violations: [],
    waivers: [],
  };
  if (evaluate) {
    const { violations, waivers } = evaluate(plan);
    plan.violations = violations;
    plan.waivers = waivers;
  }
  return { plan, policyEvaluated: evaluate !== undefined };
}

/**
 * Runs `fn` with stack traces captured without frames. The Pulumi SDK records `new Error().stack` for
 * every promise and resource it creates (runtime/debuggable.js, runtime/resource.js), a large share of
 * a plan's time, and the plan never shows them. MLOPS_DEBUG keeps Node's default depth. Limited to the
 * program's run: argument and config errors keep their frames (the CLI still prints none).
 */
export async function withoutStackFrames<T>(fn: () => Promise<T>): Promise<T> {
  if (process.env.MLOPS_DEBUG) return fn();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Loads the program, waits until nothing is registering any more, and resolves its exports. */
async function runProgram(entry: string, recorder: RecordingMonitor): Promise<Record<string, PlanValue>> {
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    let exported: unknown;
    await inRootStack(async () => {
      exported = require(entry);
      const mod = exported as { __esModule?: boolean; default?: unknown };
      if (typeof exported === "function") exported = await (exported as () => unknown)();
      else if (mod.__esModule && typeof mod.default === "function") exported = await (mod.default as () => unknown)();
    });

    await settle(recorder);
    const outputs: Record<string, PlanValue> = {};
    if (exported && typeof exported === "object") {
      for (const key of Object.keys(exported)) {
        if (key === "__esModule" || key === "default") continue;
        const value = await resolveExport((exported as Record<string, unknown>)[key]);
        if (value !== undefined) outputs[key] = value;
      }
    }
    // Resolving outputs runs applies, which may declare more resources.
    await settle(recorder);
    if (failures.length > 0) throw failures[0];
    return outputs;
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

/**
 * Runs `declare` inside the stack's root resource, as `pulumi up` runs a program
 * (`runtime.runInPulumiStack`, `@pulumi/pulumi/runtime/stack.js`), with the azure-native API-version
 * aliases left out (`apiVersionAliases.ts`) by a stack transformation, which needs that root. The
 * recorder keeps the root itself out of the plan. Under the mocks there is no engine, so the root's
 * `setRootResource` call does nothing (`@pulumi/pulumi/runtime/settings.js`). What `declare` returns is
 * not a stack output here: the plan resolves the program's exports itself.
 */
export async function inRootStack(declare: () => Promise<void>): Promise<void> {
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(withoutApiVersionAliases);
    await declare();
    return undefined;
  });
}

/** Waits for outstanding registrations until a full turn of the event loop adds none. */
export async function settle(recorder: RecordingMonitor): Promise<void> {
  for (;;) {
    const before = recorder.registrations.length;
    await runtimeInternals().waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    if (recorder.registrations.length === before) return;
  }
}

/** Runtime functions the SDK exports but leaves out of its typings. */
export function runtimeInternals(): { waitForRPCs(): Promise<void>; awaitFeatureSupport(): Promise<void> } {
  const rt = pulumi.runtime as unknown as Record<string, unknown>;
  for (const fn of ["waitForRPCs", "awaitFeatureSupport"]) {
    if (typeof rt[fn] !== "function") throw new Error(`@pulumi/pulumi no longer exports runtime.${fn}; the plan needs it`);
  }
  return rt as unknown as { waitForRPCs(): Promise<void>; awaitFeatureSupport(): Promise<void> };
}

/** Parents before children; siblings by type, then name — stable whatever order registrations complete in. */
export function toPlanResources(registrations: Registration[]): PlanResource[] {
  const byParent = new Map<string, Registration[]>();
  for (const r of registrations) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  const known = new Set(registrations.map((r) => r.urn));
  const ordered: PlanResource[] = [];
  const visit = (parent: string) => {
    const children = (byParent.get(parent) ?? []).sort(
      (a, b) => compare(a.type, b.type) || compare(a.name, b.name) || compare(a.urn, b.urn),
    );
    for (const r of children) {
      ordered.push(toPlanResource(r));
      visit(r.urn);
    }
  };
  visit("");
  // A parent that never registered (it should not happen) must not hide its children.
  for (const parent of byParent.keys()) if (parent && !known.has(parent)) visit(parent);
  return ordered;
}

function toPlanResource(r: Registration): PlanResource {
  const resource: PlanResource = {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent || null,
    custom: r.custom,
    protect: r.protect,
    dependsOn: [...new Set(r.dependencies)].sort(compare),
    inputs: fromWireObject(r.object, HIDDEN_INPUTS),
  };
  if (r.read) resource.read = true;
  return resource;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
