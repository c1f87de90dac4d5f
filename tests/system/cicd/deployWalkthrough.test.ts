import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./workflowFiles";
import { settingsTheCiReads, walkthroughDoc, walkthroughProblems } from "./deployWalkthrough";

describe("the deploy walkthrough names every setting the shipped CI reads, once", () => {
  it("finds the settings the workflows and pipelines read", () => {
    const reads = settingsTheCiReads();
    expect(reads.githubSecrets).toEqual(["PULUMI_ACCESS_TOKEN"]);
    expect(reads.githubVariables).toEqual(expect.arrayContaining(["AZURE_CLIENT_ID", "MLOPS_QA_RUNNER", "MLOPS_PROD_RUNNER", "PULUMI_SECRETS_PROVIDER"]));
    expect(reads.adoVariables).toEqual(expect.arrayContaining(["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL"]));
  });

  it("docs/ci-cd.md (and the README section generated from it) names each", () => {
    expect(walkthroughProblems(walkthroughDoc())).toEqual([]);
    expect(readFileSync(join(repoRoot, "README.md"), "utf8")).toContain(walkthroughDoc().trim());
  });

  it("fails on a variable the table lacks, or lists twice, and on an unnamed secret", () => {
    const doc = walkthroughDoc();
    const row = doc.split("\n").find((l) => l.startsWith("| `MLOPS_QA_RUNNER`"))!;
    expect(walkthroughProblems(doc.replace(`${row}\n`, ""))).toEqual(["GitHub variable MLOPS_QA_RUNNER is in 0 rows of the **Variables** table (expected 1)"]);
    expect(walkthroughProblems(doc.replace(row, `${row}\n${row}`))).toEqual(["GitHub variable MLOPS_QA_RUNNER is in 2 rows of the **Variables** table (expected 1)"]);
    expect(walkthroughProblems(doc.replace("Only `PULUMI_ACCESS_TOKEN`", "Only the Pulumi token"))).toEqual([
      "GitHub secret PULUMI_ACCESS_TOKEN is not named in the **Secrets.** paragraph",
    ]);
  });
});
