import fc from "fast-check";
import {
  base32Hash,
  BRANCH_HASH_BITS,
  BRANCH_HASH_CHARS,
  branchProblem,
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
} from "../../../shared/naming";

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
    expect(pipelineComponentName({ pipelineType: "training", base: "badpixels", branch: "feature/churn-model" })).toMatch(/^training_badpixels_churn_model_[a-z2-7]{13}$/);
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

  test("every branch name carries the 65-bit branch hash; the slug stays readable", () => {
    expect(BRANCH_HASH_BITS).toBe(65);
    expect(branchToken("churn-v2")).toMatch(/^churn-v2-[a-z2-7]{13}$/);
    expect(branchToken("feature/x")).toMatch(/^x-[a-z2-7]{13}$/);
    expect(branchToken("fix/x")).not.toBe(branchToken("feature/x"));
    expect(pipelineAssetNames({ pipelineType: "training", base: "anomaly", branch: null }).pipeline).toBe("training_anomaly");
  });

  test("the reported collisions: digits past the readable part, and separator-only differences", () => {
    const names = (branch: string) => ({ ...pipelineAssetNames({ pipelineType: "training", base: "badpixels", branch }), stack: branchStackName(branch) });
    const a = names("feature/JIRA-565-fix");
    const b = names("feature/JIRA-4690-fix");
    for (const key of ["model", "experiment", "pipeline", "stack"] as const) expect(a[key]).not.toBe(b[key]);
    const variants = ["feature/a-b", "feature/a_b", "feature/a.b", "feature/a--b", "feature/a/b", "Feature/a-b", "feature/A-B"];
    for (const key of ["model", "experiment", "pipeline", "stack"] as const) {
      expect(new Set(variants.map((v) => names(v)[key])).size).toBe(variants.length);
    }
  });

  // Adversarial sets: many branches that share their slug and their first 30 characters, differing
  // only in separators, case or a trailing counter — the cases a short hash or plain truncation merge.
  const adversarialSet = fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9]{0,40}$/),
      fc.uniqueArray(fc.tuple(fc.constantFrom("-", "_", ".", "/", "--", "__"), fc.constantFrom("", "A", "a", "X"), fc.integer({ min: 0, max: 99999 })), { minLength: 2, maxLength: 60 }),
    )
    .map(([stem, parts]) => [...new Set(parts.map(([sep, c, n]) => `feature/${stem}${sep}${c}${n}`))]);

  test("within an adversarial set of branches, every name of every kind is distinct and valid", () => {
    fc.assert(
      fc.property(adversarialSet, pipelineArb, (branches, p) => {
        const perKind: Record<string, Set<string>> = { model: new Set(), experiment: new Set(), pipeline: new Set(), component: new Set(), stack: new Set() };
        for (const branch of branches) {
          const n = pipelineAssetNames({ ...p, branch });
          const component = componentName({ ...p, branch, step: "prep" });
          const stack = branchStackName(branch);
          perKind.model.add(n.model);
          perKind.experiment.add(n.experiment);
          perKind.pipeline.add(n.pipeline);
          perKind.component.add(component);
          perKind.stack.add(stack);
          expect(checkName("model", n.model)).toBeNull();
          expect(checkName("experiment", n.experiment)).toBeNull();
          expect(checkName("component", component)).toBeNull();
          expect(checkName("stack", stack)).toBeNull();
        }
        for (const set of Object.values(perKind)) expect(set.size).toBe(branches.length);
      }),
      { numRuns: 300 },
    );
  });

  test("the base32 hash spreads evenly: no short-hash collisions among 20,000 related branches", () => {
    // 13 characters carry 65 bits: a collision among 20,000 inputs has probability < 10⁻¹¹.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(base32Hash(`feature/JIRA-${i}-fix`, BRANCH_HASH_CHARS));
    expect(seen.size).toBe(20_000);
    expect(base32Hash("x", BRANCH_HASH_CHARS)).toMatch(/^[a-z2-7]{13}$/);
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

describe("branch validation", () => {
  test("one rule for every command: empty after normalization, or refused by git", () => {
    expect(branchProblem("refs/heads/")).toBe("'refs/heads/' names no branch");
    expect(branchProblem("  ")).toBe("'  ' names no branch");
    for (const bad of ["a..b", "a b", "-x", "x/", "x.lock", "a//b", "@", "x@{1}", "a:b"]) expect([bad, branchProblem(bad)]).toEqual([bad, `'${bad}' is not a valid git branch name`]);
    for (const good of ["feature/x", "refs/heads/feature/x", "JIRA-565_fix.v2", "users/ana/x"]) expect(branchProblem(good)).toBeNull();
  });
});
