import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../../../shared/errors";
import { diffPlans, readPlanFile, resourceKey } from "../../../tools/plan/diff";
import { plan, resource } from "./helpers";

const WS = "azure-native:machinelearningservices:Workspace";
const RG = "azure-native:resources:ResourceGroup";
const ST = "azure-native:storage:StorageAccount";

describe("diffPlans", () => {
  const base = plan([
    resource({ type: RG, name: "rg", inputs: { resourceGroupName: "rg-a", location: "westeurope" } }),
    resource({ type: WS, name: "ws", inputs: { sku: { name: "Basic" }, tags: { a: "1" }, ips: ["1.1.1.1"] } }),
    resource({ type: ST, name: "old" }),
  ]);
  const head = plan([
    resource({ type: RG, name: "rg", inputs: { resourceGroupName: "rg-a", location: "westeurope" } }),
    resource({
      type: WS,
      name: "ws",
      protect: true,
      dependsOn: ["urn:pulumi:dev::mlops::azure-native:resources:ResourceGroup::rg"],
      inputs: { sku: { name: "Standard" }, tags: { b: "2" }, ips: ["1.1.1.1", "2.2.2.2"] },
    }),
    resource({ type: ST, name: "new" }),
  ]);
  head.outputs = { workspaceName: "mlw-b" };
  base.outputs = { workspaceName: "mlw-a" };

  const diff = diffPlans(base, head);

  it("lists added and removed resources", () => {
    expect(diff.added.map((r) => resourceKey(r.urn))).toEqual([`${ST}::new`]);
    expect(diff.removed.map((r) => resourceKey(r.urn))).toEqual([`${ST}::old`]);
    expect(diff.unchanged).toBe(1);
  });

  it("names every changed property path with before and after", () => {
    expect(diff.changed).toHaveLength(1);
    const changes = diff.changed[0].changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: "protect", before: false, after: true },
        { path: "dependsOn", before: [], after: [`${RG}::rg`] },
        { path: "inputs.sku.name", before: "Basic", after: "Standard" },
        { path: "inputs.tags.a", before: "1" },
        { path: "inputs.tags.b", after: "2" },
        { path: "inputs.ips[1]", after: "2.2.2.2" },
      ]),
    );
    expect(changes).toHaveLength(6);
    expect(diff.outputs).toEqual([{ path: "outputs.workspaceName", before: "mlw-a", after: "mlw-b" }]);
  });

  it("matches resources across stacks by URN without stack and project", () => {
    const qa = plan(base.resources.map((r) => ({ ...r, urn: r.urn.replace("urn:pulumi:dev::", "urn:pulumi:qa::") })), { stack: "qa" });
    const d = diffPlans(base, qa);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.unchanged).toBe(3);
  });

  it("quotes keys that are not identifiers", () => {
    const a = plan([resource({ type: RG, name: "rg", inputs: { tags: { "cost center": "x" } } })]);
    const b = plan([resource({ type: RG, name: "rg", inputs: { tags: { "cost center": "y" } } })]);
    expect(diffPlans(a, b).changed[0].changes[0].path).toBe('inputs.tags["cost center"]');
  });
});

describe("readPlanFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const problems = (file: string) => {
    try {
      readPlanFile(file, path.basename(file));
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as InputError).problems;
    }
    throw new Error("expected an InputError");
  };

  it("reads a schemaVersion 1 plan", () => {
    const f = write("ok.json", JSON.stringify(plan([resource({ type: RG, name: "rg" })])));
    expect(readPlanFile(f).resources).toHaveLength(1);
  });

  it("names the file for a missing file, bad JSON and a wrong shape, all problems at once", () => {
    expect(problems(path.join(dir, "missing.json"))).toEqual([{ file: "missing.json", path: "", message: "cannot read the file: no such file" }]);
    expect(problems(write("bad.json", "{ nope"))[0]).toMatchObject({ file: "bad.json", message: expect.stringContaining("not valid JSON") });
    const shape = problems(write("shape.json", JSON.stringify({ schemaVersion: 2, resources: [{ urn: 1 }] })));
    expect(shape.map((p) => p.path)).toEqual(["schemaVersion", "stack", "resources[0].urn", "resources[0].type", "resources[0].dependsOn", "resources[0].inputs"]);
    expect(shape.every((p) => p.file === "shape.json")).toBe(true);
    expect(problems(write("array.json", "[]"))[0].message).toContain("not a plan");
  });
});
