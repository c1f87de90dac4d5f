/**
 * Schema validators kept as Ajv standalone code (shared/compiledValidators.ts): the cached module
 * reports exactly what a fresh compile reports, for the real stack-config and pipeline schemas, and
 * an edited schema never runs the code of its old version.
 */
import * as fs from "node:fs";
import Ajv from "ajv";
import { AJV_OPTIONS, loadValidator, validatorFile } from "../../shared/compiledValidators";
import { configSchema } from "../../infra/config/schema";
import { pipelineDefinitionSchema } from "../../pipelines/spec/schema";

const fresh = (schema: object) => new Ajv({ ...AJV_OPTIONS }).compile(schema);

/** Errors without `schema`/`parentSchema` identity (a copy in the standalone module, equal in value). */
const errorsOf = (validate: (d: unknown) => boolean, data: unknown) => {
  const ok = validate(data);
  return { ok, errors: JSON.parse(JSON.stringify((validate as unknown as { errors: unknown }).errors ?? null)) };
};

const badConfig = {
  "mlops:prefix": "Bad Prefix!",
  "mlops:location": 7,
  "mlops:compute": { clusters: [{ key: "cpu", kind: "tpu", minNodes: -1, extra: true }] },
  "mlops:unknownKey": {},
};
const badPipeline = { name: 3, steps: [{ name: "", compute: 1, inputs: { a: { step: 2 } } }], unknown: true };

test.each([
  ["stack config", configSchema, badConfig],
  ["pipeline definition", pipelineDefinitionSchema, badPipeline],
])("the %s schema's cached validator reports what a fresh compile reports", (_name, schema, bad) => {
  const file = validatorFile(schema);
  fs.rmSync(file, { force: true });
  const compiledNow = loadValidator(schema);
  expect(fs.existsSync(file)).toBe(true);
  const expected = errorsOf(fresh(schema), bad);
  expect(expected.ok).toBe(false);
  expect(expected.errors.length).toBeGreaterThan(2);
  expect(errorsOf(compiledNow, bad)).toEqual(expected);

  // From the file (a fresh module, as the next process gets it).
  delete require.cache[file];
  jest.isolateModules(() => {
    const fromFile = loadValidator(schema);
    expect(fromFile).not.toBe(compiledNow);
    expect(errorsOf(fromFile, bad)).toEqual(expected);
    expect(errorsOf(fromFile, {}).ok).toBe(errorsOf(fresh(schema), {}).ok);
  });
});

test("an edited schema gets another file, and a broken file is compiled again", () => {
  const schema = { type: "object", properties: { n: { type: "integer", maximum: 3 } }, additionalProperties: false };
  const edited = { ...schema, properties: { n: { type: "integer", maximum: 5 } } };
  expect(validatorFile(edited)).not.toBe(validatorFile(schema));
  expect(loadValidator(schema)({ n: 4 })).toBe(false);
  expect(loadValidator(edited)({ n: 4 })).toBe(true);

  const broken = { type: "object", required: ["x"] };
  fs.writeFileSync(validatorFile(broken), "module.exports = (");
  const validate = loadValidator(broken);
  expect(validate({})).toBe(false);
  expect(validate({ x: 1 })).toBe(true);
  expect(fs.readFileSync(validatorFile(broken), "utf8")).toContain("module.exports");
  expect(fs.readFileSync(validatorFile(broken), "utf8")).not.toBe("module.exports = (");
});
