/** Arguments and config values that used to pass validation and then do the wrong thing. */
import { main as modelMain } from "../../../tools/model/approval";
import { validateAgainstSchema } from "../../../shared/schemaErrors";
import { configSchema } from "../../../infra/config/schema";
import { InputError } from "../../../shared/errors";

async function modelProblems(argv: string[]) {
  try {
    await modelMain(argv, { stackOutputs: async () => { throw new Error("must not read outputs"); } });
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error("accepted");
}

test("an approval tag value with a comma is refused: the tags filter would split it and never find the approval", async () => {
  expect(await modelProblems(["approve", "churn", "2", "--stack", "dev", "--tag", "stage=prod,eu"])).toEqual([
    "--tag: value 'prod,eu' may not contain ',' or '=' or surrounding spaces (the tags filter could not find it)",
  ]);
  expect(await modelProblems(["approve", "churn", "2", "--stack", "dev", "--tag", "stage=a=b"])).toHaveLength(1);
});

test("the config's approval tag value follows the same rule", () => {
  const cfg = (value: string) => validateAgainstSchema(configSchema, { promotion: { approvalTag: { key: "stage", value } } });
  expect(cfg("production")).toEqual([]);
  expect(cfg("prod,eu")).toEqual([expect.objectContaining({ path: "promotion.approvalTag.value" })]);
  expect(cfg("ready for prod")).toEqual([]);
});
