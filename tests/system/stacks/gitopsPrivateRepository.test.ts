/**
 * A stack whose instance-type repository is private: the plan's Flux configuration carries the
 * configured user and the token from the secret config key, as a secret (never in clear).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../../shared/plan";
import { one, REPO, runTool } from "../../support/plans";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-gitops-private-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("qa with serving.gitops.httpsUser plans the token as a protected setting, shown only as [secret]", async () => {
  const config = parse(fs.readFileSync(path.join(REPO, "Pulumi.qa.yaml"), "utf8"));
  config.config["mlops:serving"].gitops.httpsUser = "flux-reader";
  config.config["mlops:gitopsHttpsKey"] = { secure: "token-placeholder" };
  const file = path.join(dir, "qa.yaml");
  fs.writeFileSync(file, stringify(config));
  const r = await runTool("plan", ["qa", "--config", file, "--json"]);
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.stdout) as PlanDocument;
  const flux = one(plan, "azure-native:kubernetesconfiguration:FluxConfiguration");
  expect(flux.inputs).toMatchObject({ gitRepository: { httpsUser: "flux-reader" }, configurationProtectedSettings: "[secret]" });
  expect(r.stdout).not.toContain("token-placeholder");
}, 60_000);
