// Parses GitHub workflow files with GitHub's own parser and prints, as JSON on stdout, each file's
// schema/expression errors and its converted template errors. Run with
// `node --import ./register-json-hook.mjs parse-workflows.mjs <file>...` (see json-import-hook.mjs).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from "@actions/workflow-parser";

const results = [];
for (const file of process.argv.slice(2)) {
  const content = readFileSync(file, "utf8");
  const parsed = parseWorkflow({ name: basename(file), content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  let jobs = [];
  if (errors.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) errors.push(e.Message ?? e.message ?? String(e));
    jobs = (template.jobs ?? []).map((j) => j.id?.value ?? String(j.id));
  }
  results.push({ file: basename(file), errors, jobs });
}
process.stdout.write(JSON.stringify(results));
