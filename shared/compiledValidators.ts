import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ValidateFunction } from "ajv";

/**
 * Ajv validators compiled once per schema and kept as JavaScript on disk, using Ajv's own standalone
 * code generation (https://ajv.js.org/standalone.html). Compiling the stack-config schema took about a
 * quarter of every plan's time; requiring the generated module takes milliseconds.
 *
 * The files live in `node_modules/.cache/mlops-schemas/`, named by a hash of the schema, the Ajv
 * version and the options, so an edited schema gets a new file and a stale one is never used. A cache
 * that cannot be written (read-only checkout) only costs the compile again on the next run.
 */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false } as const;

const AJV_DIR = path.dirname(require.resolve("ajv/package.json"));
const CACHE_DIR = path.join(AJV_DIR, "..", ".cache", "mlops-schemas");

let salt: string | undefined;
function cacheSalt(): string {
  salt ??= `${(JSON.parse(fs.readFileSync(path.join(AJV_DIR, "package.json"), "utf8")) as { version: string }).version}\0${JSON.stringify(AJV_OPTIONS)}`;
  return salt;
}

/** Where the compiled validator of `schema` is (or would be) kept. */
export function validatorFile(schema: object): string {
  const key = createHash("sha256").update(cacheSalt()).update("\0").update(JSON.stringify(schema)).digest("hex");
  return path.join(CACHE_DIR, `${key.slice(0, 32)}.js`);
}

/** The validator of `schema`: the cached module when there is one, else compiled now and cached. */
export function loadValidator(schema: object): ValidateFunction {
  const file = validatorFile(schema);
  try {
    return require(file) as ValidateFunction;
  } catch {
    // Not cached yet, or a truncated or foreign file: compile and (re)place it.
    return compileAndStore(schema, file);
  }
}

function compileAndStore(schema: object, file: string): ValidateFunction {
  // Loaded only on a cache miss: the compiler is most of Ajv's load time.
  const Ajv = (require("ajv") as typeof import("ajv")).default;
  const standaloneCode = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone")).default;
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const validate = ajv.compile(schema);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, standaloneCode(ajv, validate));
    fs.renameSync(tmp, file);
  } catch {
    // Housekeeping only: the validator in hand is complete.
  }
  return validate;
}
