import * as pulumi from "@pulumi/pulumi";
import { carriesSecret, keepSecretConfigSecret, markSecrets, secretConfigValues } from "../../infra/secretConfig";

/**
 * `pulumi config set --secret` values reach the program as plain text through `allConfig()`; the
 * program must hand them on as secrets so state and previews show `[secret]`.
 */
beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
    "mlops",
    "dev",
    true,
  );
});

const config = { "mlops:tags": JSON.stringify({ owner: "team-topsecret", env: "dev" }), "mlops:location": "westeurope" };
const isSecret = (k: string) => k === "mlops:tags";

test("collects the string leaves of secret keys only", () => {
  expect(secretConfigValues(config, isSecret).sort()).toEqual(["dev", "team-topsecret", config["mlops:tags"]].sort());
  expect(secretConfigValues(config, () => false)).toEqual([]);
});

test("a value carries a secret when equal to it or containing a long enough one", () => {
  expect(carriesSecret("team-topsecret", ["team-topsecret"])).toBe(true);
  expect(carriesSecret("rg-team-topsecret-01", ["team-topsecret"])).toBe(true);
  expect(carriesSecret("devops", ["dev"])).toBe(false);
  expect(carriesSecret("dev", ["dev"])).toBe(true);
});

test("resources registered after the program reads config get secret inputs, others stay plain", async () => {
  class Tagged extends pulumi.CustomResource {
    declare readonly tags: pulumi.Output<Record<string, string>>;
    declare readonly location: pulumi.Output<string>;
    constructor(name: string, args: { tags: Record<string, string>; location: string }) {
      super("test:index:Tagged", name, { tags: args.tags, location: args.location });
    }
  }
  let r: Tagged | undefined;
  // As under `pulumi up`: the program runs inside the root stack resource.
  await pulumi.runtime.runInPulumiStack(async () => {
    const secrets = keepSecretConfigSecret({ "mlops:ownerTag": "team-topsecret" }, (k) => k === "mlops:ownerTag");
    expect(secrets).toEqual(["team-topsecret"]);
    r = new Tagged("r", { tags: { owner: "team-topsecret", env: "dev" }, location: "westeurope" });
    return {};
  });
  expect(await (r!.tags as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  expect(await (r!.location as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(false);
});

test("stack outputs carrying a secret are exported as secrets", async () => {
  const out = markSecrets({ owner: "team-topsecret", region: "westeurope", list: ["x", "team-topsecret"] }, ["team-topsecret"]) as Record<string, unknown>;
  expect(pulumi.Output.isInstance(out.owner)).toBe(true);
  expect(await (out.owner as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  expect(out.region).toBe("westeurope");
  expect((out.list as unknown[])[0]).toBe("x");
  expect(pulumi.Output.isInstance((out.list as unknown[])[1])).toBe(true);
});
