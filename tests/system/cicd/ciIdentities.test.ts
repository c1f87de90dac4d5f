import { buildEnvironmentSpec, readStackConfigFiles } from "../../../infra/config";
import { ciCredentials } from "../../../infra/stack/identity";
import { credentialsOf, hostedRunnersForPrivateStacks, jobRuns, presentedSubjects, shippedStacks, stacksWithRunners, StackCredentials, unmatched } from "./ciIdentities";
import { repoRoot, yamlFiles, workflowDir } from "./workflowFiles";

const stacks = shippedStacks();
const credentials: StackCredentials[] = stacks.map(credentialsOf);
const files = yamlFiles(workflowDir);
let subjects: ReturnType<typeof presentedSubjects>;
beforeAll(() => {
  subjects = presentedSubjects(jobRuns(files));
});

describe("CI identities: one declaration, workflows checked against it", () => {
  it("finds every environment stack, prod-<name> included", () => {
    expect(stacks).toEqual(expect.arrayContaining(["dev", "qa", "prod"]));
    for (const s of stacks) expect(s).toMatch(/^(dev|qa|prod|prod-[a-z0-9-]+)$/);
  });

  it("the deploy environment of each stack defaults to the stack's name (prod is 'prod', not 'production')", () => {
    for (const c of credentials) expect(c.deployer).toContain(`repo:${c.repository}:environment:${c.stack}`);
    expect(credentials.find((c) => c.stack === "prod")!.deployer).not.toContain("repo:contoso/mlops-azure:environment:production");
  });

  it("every job that signs in to Azure presents a subject its stack declares", () => {
    expect(subjects.length).toBeGreaterThan(0);
    expect(unmatched(subjects, credentials)).toEqual([]);
  });

  it("sees the deploy jobs of every stack through the reusable workflow, and the audits in audit-<stack>", () => {
    const seen = new Set(subjects.map((s) => `${s.stack} ${s.claim}`));
    for (const stack of ["dev", "qa", "prod"]) {
      expect(seen).toContain(`${stack} environment:${stack}`);
      expect(seen).toContain(`${stack} environment:audit-${stack}`);
    }
    expect(seen).toContain("dev pull_request");
  });

  it("fails when a stack declares another environment than its deploy job runs in (the old prod mismatch)", () => {
    const broken = credentials.map((c) =>
      c.stack === "prod" ? { ...c, deployer: c.deployer.map((s) => s.replace(":environment:prod", ":environment:production")) } : c,
    );
    const problems = unmatched(subjects, broken);
    expect(problems.join("\n")).toMatch(/deploy-(multi|single)-branch\.yml:prod→up: presents 'repo:contoso\/mlops-azure:environment:prod', but stack 'prod' declares only/);
  });

  it("fails when a job would sign in to one stack with another stack's credential", () => {
    const moved = subjects.map((s) => (s.claim === "environment:audit-qa" ? { ...s, stack: "prod" } : s));
    expect(unmatched(moved, credentials).join("\n")).toMatch(/environment:audit-qa', but stack 'prod' declares only/);
  });

  it("works for production stacks named prod-<name>", () => {
    const files = readStackConfigFiles({ projectDir: repoRoot, stack: "prod" });
    const spec = buildEnvironmentSpec({ project: files.project, stack: "prod", config: files.config, sources: files.sources, defaultFile: files.file });
    const eu = ciCredentials({ ...spec, stack: "prod-eu", identity: { ...spec.identity, github: { ...spec.identity.github!, environments: ["prod-eu"] }, audit: { githubEnvironment: "audit-prod-eu", graphRead: true } } });
    const c: StackCredentials = { stack: "prod-eu", repository: "contoso/mlops-azure", deployer: eu.deployer.map((s) => s.subject), audit: eu.audit.map((s) => s.subject) };
    const job = { where: "deploy.yml:prod-eu→up", claim: "environment:prod-eu", stack: "prod-eu", runner: "mlops-prod-eu" };
    expect(unmatched([job], [...credentials, c])).toEqual([]);
    expect(unmatched([{ ...job, claim: "environment:prod" }], [...credentials, c])).toHaveLength(1);
  });

  it("every job signing in to a stack with in-network runners (mlops:runners) runs on one, never on a GitHub-hosted image", () => {
    const private_ = stacksWithRunners();
    expect(private_).toEqual(expect.arrayContaining(["qa", "prod"]));
    expect(private_).not.toContain("dev");
    expect(hostedRunnersForPrivateStacks(subjects, private_)).toEqual([]);
    // Runner defaults come from the workflow (matrix values that are expressions are evaluated too).
    expect(new Set(subjects.filter((s) => s.stack === "qa").map((s) => s.runner))).toEqual(new Set(["mlops-qa"]));
    expect(new Set(subjects.filter((s) => s.stack === "prod").map((s) => s.runner))).toEqual(new Set(["mlops-prod"]));
  });

  it("fails when such a job runs on a hosted image", () => {
    const hosted = subjects.map((s) => (s.where.endsWith("promotion-preview") ? { ...s, runner: "ubuntu-latest" } : s));
    expect(hostedRunnersForPrivateStacks(hosted, stacksWithRunners())).toEqual([
      "pull-request.yml:promotion-preview: works on stack 'qa', which declares in-network runners (mlops:runners), but runs on 'ubuntu-latest'",
      "pull-request.yml:promotion-preview: works on stack 'prod', which declares in-network runners (mlops:runners), but runs on 'ubuntu-latest'",
    ]);
  });
});
