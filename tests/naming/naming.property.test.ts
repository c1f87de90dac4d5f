import fc from "fast-check";
import {
  branchSlug,
  branchStackName,
  branchToken,
  checkName,
  componentName,
  computeClusterName,
  deriveEnvironmentNames,
  nameRules,
  pipelineAssetNames,
  pipelineComponentName,
  truncateWithHash,
} from "../../infra/naming";

// Branch names as people and CI systems write them: prefixes, refs/heads/, unicode, spaces, long runs.
const branchArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 200 }),
  fc.tuple(fc.constantFrom("", "feature/", "refs/heads/", "bugfix/", "users/ana/", "FEATURE/"), fc.string({ minLength: 1, maxLength: 120 })).map(([p, s]) => p + s),
  fc.stringMatching(/^[A-Za-z0-9._/ -]{1,150}$/),
).filter((b) => b.trim().replace(/^refs\/heads\//, "").length > 0);

const pipelineArb = fc.record({
  pipelineType: fc.constantFrom("training", "scoring", "preprocessing"),
  base: fc.stringMatching(/^[a-z][a-z0-9]{0,20}$/),
});

describe("branch names → Azure names (property-based)", () => {
  test("every name a branch determines is valid for its kind", () => {
    fc.assert(
      fc.property(branchArb, pipelineArb, fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/), (branch, p, step) => {
        const names = pipelineAssetNames({ ...p, branch });
        expect(checkName("pipeline", names.pipeline)).toBeNull();
        expect(checkName("experiment", names.experiment)).toBeNull();
        expect(checkName("model", names.model)).toBeNull();
        expect(checkName("component", componentName({ ...p, branch, step }))).toBeNull();
        expect(checkName("component", pipelineComponentName({ ...p, branch }))).toBeNull();
        expect(checkName("stack", branchStackName(branch))).toBeNull();
        expect(branchSlug(branch)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }),
      { numRuns: 2000 },
    );
  });

  test("distinct branches never share a name, even past truncation", () => {
    const norm = (b: string) => b.trim().replace(/^refs\/heads\//, "");
    fc.assert(
      fc.property(branchArb, branchArb, pipelineArb, (a, b, p) => {
        fc.pre(norm(a) !== norm(b));
        const na = pipelineAssetNames({ ...p, branch: a });
        const nb = pipelineAssetNames({ ...p, branch: b });
        expect(na.model).not.toBe(nb.model);
        expect(na.experiment).not.toBe(nb.experiment);
        expect(na.pipeline).not.toBe(nb.pipeline);
        expect(branchStackName(a)).not.toBe(branchStackName(b));
      }),
      { numRuns: 2000 },
    );
  });

  test("component rule (Azure ML component YAML reference): lowercase letters, digits, '_', starting with a letter", () => {
    for (const ok of ["training_badpixels", "a", "x1_2", "a".repeat(255)]) expect(checkName("component", ok)).toBeNull();
    for (const bad of ["training_badpixels_churn-model-98c5cc", "1training", "_x", "Training", "a.b", "a".repeat(256), ""]) {
      expect(checkName("component", bad)).not.toBeNull();
    }
    expect(nameRules.component.describe).toMatch(/starting with a letter/);
    expect(pipelineComponentName({ pipelineType: "training", base: "badpixels", branch: "feature/churn-model" })).toMatch(/^training_badpixels_churn_model_[0-9a-f]{6}$/);
    expect(pipelineComponentName({ pipelineType: "training", base: "badpixels", branch: null })).toBe("training_badpixels");
    expect(() => componentName({ pipelineType: "9lives", base: "x", step: "s" })).toThrow(/internal naming error: component name/);
  });

  test("the seed's collision case: long branches that differ only at the end", () => {
    const a = pipelineAssetNames({ pipelineType: "training", base: "churn", branch: "feature/customer-churn-model-a" });
    const b = pipelineAssetNames({ pipelineType: "training", base: "churn", branch: "feature/customer-churn-model-b" });
    expect(a.model.length).toBeLessThanOrEqual(30);
    expect(a.experiment.length).toBeLessThanOrEqual(36);
    expect(a.model).not.toBe(b.model);
    expect(a.experiment).not.toBe(b.experiment);
  });

  test("names are stable: the same branch always gives the same names", () => {
    fc.assert(
      fc.property(branchArb, pipelineArb, (branch, p) => {
        expect(pipelineAssetNames({ ...p, branch })).toEqual(pipelineAssetNames({ ...p, branch }));
        fc.pre(!branch.trim().startsWith("refs/heads/"));
        expect(branchToken(`refs/heads/${branch.trim()}`)).toBe(branchToken(branch.trim()));
      }),
      { numRuns: 300 },
    );
  });

  test("a clean branch keeps its readable name; prefixed ones carry a hash", () => {
    expect(branchToken("churn-v2")).toBe("churn-v2");
    expect(branchToken("feature/x")).toMatch(/^x-[0-9a-f]{6}$/);
    expect(branchToken("fix/x")).not.toBe(branchToken("feature/x"));
    expect(pipelineAssetNames({ pipelineType: "training", base: "anomaly", branch: null }).pipeline).toBe("training_anomaly");
  });
});

describe("environment names", () => {
  test("every derived environment name is valid for any prefix and stack", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{1,7}$/),
        fc.constantFrom("dev" as const, "qa" as const, "prod" as const),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
        (prefix, environment, key) => {
          const n = deriveEnvironmentNames({ project: "mlops", stack: environment, environment, prefix });
          expect(checkName("storageAccount", n.storageAccount)).toBeNull();
          expect(checkName("keyVault", n.keyVault)).toBeNull();
          expect(checkName("containerRegistry", n.containerRegistry)).toBeNull();
          expect(checkName("workspace", n.workspace)).toBeNull();
          expect(checkName("aksCluster", n.aksCluster)).toBeNull();
          expect(checkName("onlineEndpoint", n.onlineEndpoint)).toBeNull();
          expect(checkName("batchEndpoint", n.batchEndpoint)).toBeNull();
          const cluster = computeClusterName({ prefix, environment }, key.replace(/-+$/, "") || "c");
          expect(checkName("computeCluster", cluster)).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("truncation keeps distinct long inputs distinct and short ones unchanged", () => {
    expect(truncateWithHash("short", 16)).toBe("short");
    const a = truncateWithHash("mlops-prod-cpularge1", 16);
    const b = truncateWithHash("mlops-prod-cpularge2", 16);
    expect(a).toHaveLength(16);
    expect(a).not.toBe(b);
  });
});
