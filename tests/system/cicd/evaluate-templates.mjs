// Evaluates GitHub Actions template strings ("audit-${{ matrix.stack }}") with GitHub's own
// expression engine (@actions/expressions). Reads [{ template, context }] as JSON on stdin and prints
// [{ value } | { error }] on stdout. Contexts are plain JSON (github, inputs, matrix, vars, env).
import { readFileSync } from "node:fs";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";

function evaluate(expr, context) {
  const lexed = new Lexer(expr).lex();
  const names = Object.keys(context);
  const ast = new Parser(lexed.tokens, names, []).parse();
  const ctx = JSON.parse(JSON.stringify(context), data.reviver);
  return new Evaluator(ast, ctx).evaluate().coerceString();
}

const requests = JSON.parse(readFileSync(0, "utf8"));
const results = requests.map(({ template, context }) => {
  try {
    const value = String(template).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr) => evaluate(expr.trim(), context));
    return { value };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
});
process.stdout.write(JSON.stringify(results));
