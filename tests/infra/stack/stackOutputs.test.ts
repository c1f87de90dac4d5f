import * as pulumi from "@pulumi/pulumi";
import { checkedText, requiredText } from "../../../infra/stack/stackOutputs";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) =>
        a.type === "pulumi:pulumi:StackReference"
          ? { id: a.inputs.name, state: { name: a.inputs.name, outputs: { workspaceName: "mlw-dev" }, secretOutputNames: [] } }
          : { id: `${a.name}-id`, state: a.inputs },
      call: (a) => a.inputs,
    },
    "mlops",
    "qa",
    true,
  );
});

const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

/** A stack reference whose outputs are `outputs`: asks go through requireOutput only. */
function fakeReference(outputs: Record<string, unknown>) {
  const asked: string[] = [];
  const ref = {
    requireOutput(key: string) {
      asked.push(key);
      // What Pulumi's requireOutput answers for a key the stack does not export.
      return pulumi.output(outputs[key]);
    },
    getOutput() {
      throw new Error("getOutput turns a missing output into undefined: not used");
    },
  } as unknown as pulumi.StackReference;
  return { ref, asked };
}

test("reads a present output of a real stack reference", async () => {
  const ref = new pulumi.StackReference("up1", { name: "organization/mlops/dev" });
  expect(await valueOf(requiredText(ref, "organization/mlops/dev", "qa's model promotion")("workspaceName"))).toBe("mlw-dev");
});

test("asks through requireOutput, which fails a missing output naming stack and output, never getOutput", async () => {
  // @pulumi/pulumi stackReference.ts: requireOutput throws "Required output '<key>' does not exist on
  // stack '<stack>'."; getOutput would hand on undefined, which String() turned into "undefined".
  const { ref, asked } = fakeReference({ workspaceName: "mlw-dev" });
  expect(await valueOf(requiredText(ref, "organization/mlops/dev", "qa's model promotion")("workspaceName"))).toBe("mlw-dev");
  expect(asked).toEqual(["workspaceName"]);
});

test("an empty or non-string output fails naming stack, output and who needs it", () => {
  expect(() => checkedText("organization/mlops/dev", "empty", "qa's model promotion", "")).toThrow(
    /stack 'organization\/mlops\/dev' output 'empty' is empty, not a string \(needed by qa's model promotion\)/,
  );
  expect(() => checkedText("organization/mlops/dev", "count", "qa's model promotion", 3)).toThrow(/output 'count' is 3, not a string/);
  expect(() => checkedText("organization/mlops/dev", "gone", "qa's model promotion", undefined)).toThrow(/output 'gone' is undefined/);
  expect(checkedText("organization/mlops/dev", "workspaceName", "x", "mlw-dev")).toBe("mlw-dev");
});
