/**
 * The Automation API facade the tools read stacks through (tools/lib/pulumiStacks.ts), driven
 * against a fake `pulumi` on PATH: the Automation API spawns the CLI, so every real code path runs.
 */
import * as path from "node:path";
import { fakeCli, FakeCli } from "../../system/cicd/fakeCli";
import { automationStacks, readStackOutputs } from "../../../tools/lib/pulumiStacks";

const ROOT = path.join(__dirname, "../../..");
let cli: FakeCli;
beforeEach(() => {
  cli = fakeCli({ dev: {}, "acme/mlops-azure/qa": {} });
  cli.update((st) => {
    st.outputs = { dev: { workspaceName: "mlw-dev", publishedPipelines: { training: { pipelineName: "training" } }, token: "s3cr3t" } };
    st.secretOutputs = { dev: ["token"] };
  });
});
afterEach(() => cli.cleanup());
const opts = () => ({ workDir: ROOT, pulumiRoot: cli.root, envVars: cli.env, skipVersionCheck: true });

test("stacks are typed summaries; outputs keep their structure and mask secrets as the CLI prints them", async () => {
  const stacks = await automationStacks(opts());
  expect((await stacks.listStacks()).map((s) => s.name)).toEqual(["dev", "acme/mlops-azure/qa"]);
  expect(await readStackOutputs("dev", opts())).toEqual({ workspaceName: "mlw-dev", publishedPipelines: { training: { pipelineName: "training" } }, token: "[secret]" });
});

test("a CLI failure names the stack and carries the CLI's own message", async () => {
  await expect(readStackOutputs("nope", opts())).rejects.toThrow("cannot read the outputs of stack 'nope' (Pulumi Automation API): error: no stack named 'nope' found");
});

test("no CLI at all says so", async () => {
  await expect(readStackOutputs("dev", { workDir: ROOT, pulumiRoot: path.join(cli.root, "missing"), skipVersionCheck: true })).rejects.toThrow(
    /cannot read the outputs of stack 'dev' \(Pulumi Automation API\): the Pulumi CLI cannot be run/,
  );
});
