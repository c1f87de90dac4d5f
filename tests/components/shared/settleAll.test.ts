import { settleAll } from "../../../components/shared/settleAll";

const after = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe("settleAll", () => {
  test("resolves with every value, in the order given", async () => {
    await expect(settleAll([after(20, "a"), after(1, "b"), Promise.resolve("c")])).resolves.toEqual(["a", "b", "c"]);
  });

  test("fails only once every promise has settled, with the first failure in the order given", async () => {
    let slowDone = false;
    const slow = after(60, "slow").then((v) => ((slowDone = true), v));
    await expect(settleAll([slow, after(30, "second", true), after(1, "third", true)])).rejects.toThrow("second");
    expect(slowDone).toBe(true);
  });
});
