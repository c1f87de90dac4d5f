/**
 * `plan`: the offline plan of dev, qa and prod, one CLI process per stack as `npm run plan` runs them
 * (through the launcher, tools/launch/register.js),
 * against the floor no plan can beat: Node loading just the SDK modules those plans load (discovered
 * from `require.cache`), in as many processes. Plan and floor alternate over a few rounds; the best
 * round of each counts, so a busy shared machine hurts both alike. `tsxFloorSeconds` is the same floor
 * started through tsx, the launcher `npm run plan` used before. `launcherFloorSeconds` is the same
 * floor started through today's launcher, whose V8 code cache (tools/launch/codeCache.js) the plan
 * also gets: `launcherRatio` is the plan against that, the overhead with module compiling left out.
 */
import { discoverSdkModules, managedCount, timeModuleLoad, timePlan } from "../lib/plans";
import { round } from "../lib/processes";

const STACKS = ["dev", "qa", "prod"];
/** Issue 20: the offline plan within 1.5× the floor. */
export const GOAL_RATIO = 1.5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export default async function run(): Promise<Record<string, unknown>> {
  const modules = new Map<string, string[]>();
  for (const stack of STACKS) modules.set(stack, await discoverSdkModules(stack));

  let best = Infinity;
  let bestFloor = Infinity;
  let bestTsxFloor = Infinity;
  let bestLauncherFloor = Infinity;
  const resources: Record<string, number> = {};
  for (let i = 0; i < ROUNDS; i++) {
    let total = 0;
    for (const stack of STACKS) {
      const { seconds, plan } = await timePlan(stack);
      total += seconds;
      resources[stack] = managedCount(plan);
    }
    best = Math.min(best, total);
    let floor = 0;
    let tsxFloor = 0;
    let launcherFloor = 0;
    for (const stack of STACKS) {
      floor += await timeModuleLoad(modules.get(stack)!);
      tsxFloor += await timeModuleLoad(modules.get(stack)!, "tsx");
      launcherFloor += await timeModuleLoad(modules.get(stack)!, "launcher");
    }
    bestFloor = Math.min(bestFloor, floor);
    bestTsxFloor = Math.min(bestTsxFloor, tsxFloor);
    bestLauncherFloor = Math.min(bestLauncherFloor, launcherFloor);
  }
  const ratio = round(best / bestFloor, 2);
  return {
    stacks: STACKS.length,
    seconds: round(best),
    floorSeconds: round(bestFloor),
    ratio,
    goal: `ratio <= ${GOAL_RATIO}`,
    met: ratio <= GOAL_RATIO,
    // The same floor launched through tsx, as `npm run plan` was before the launcher: what tsx alone costs.
    tsxFloorSeconds: round(bestTsxFloor),
    launcherFloorSeconds: round(bestLauncherFloor),
    launcherRatio: round(best / bestLauncherFloor, 2),
    rounds: ROUNDS,
    managedResources: resources,
    sdkModuleFiles: Object.fromEntries([...modules].map(([s, m]) => [s, m.length])),
  };
}
