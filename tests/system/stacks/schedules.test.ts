import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../../shared/plan";
import { ofType, REPO, runTool } from "../../support/plans";

/** Retraining schedules from config become native Schedule resources that run the published pipeline. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-schedules-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function devConfigWith(schedules: unknown[]): string {
  const config = parse(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"));
  config.config["mlops:pipelines"].schedules = schedules;
  const file = path.join(dir, `dev-${schedules.length}.yaml`);
  fs.writeFileSync(file, stringify(config));
  return file;
}

test("a weekly retraining schedule runs the published training pipeline on the training data", async () => {
  const r = await runTool("plan", ["dev", "--config", devConfigWith([{ pipeline: "training", cron: "0 3 * * 1", timeZone: "UTC" }]), "--json"]);
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.stdout) as PlanDocument;
  const [schedule] = ofType(plan, "azure-native:machinelearningservices:Schedule");
  expect(schedule).toBeDefined();
  const props = schedule.inputs.properties as { trigger: Record<string, unknown>; action: { actionType: string; jobDefinition: Record<string, unknown> } };
  expect(props.trigger).toMatchObject({ triggerType: "Cron", expression: "0 3 * * 1", timeZone: "UTC" });
  expect(props.action.actionType).toBe("CreateJob");
  expect(JSON.stringify(props.action.jobDefinition)).toContain("training_badpixels");
  expect(schedule.inputs.workspaceName).toBe("mlw-mlops-dev");
  const training = ofType(plan, "pulumi-nodejs:dynamic/mlops:PublishedPipeline").find((p) => p.inputs.pipelineName === "training_badpixels")!;
  expect(schedule.dependsOn).toContain(training.urn);
}, 60_000);

test("a schedule for a pipeline with model inputs is rejected: its inputs would never follow promotion", async () => {
  const r = await runTool("plan", ["dev", "--config", devConfigWith([{ pipeline: "scoring", cron: "0 3 * * *" }])]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("mlops:pipelines.schedules[0].pipeline");
  expect(r.stderr).toMatch(/takes model inputs/);
}, 60_000);
