/**
 * Bad input is a value until the edge: validators return problems, and only a CLI or the program
 * entry turns them into output and an exit code.
 */
export interface InputProblem {
  /** File the bad value came from (e.g. `Pulumi.prod.yaml`, `pipelines/definitions/training.ts`). */
  file: string;
  /** Key path inside that file, e.g. `mlops:compute.clusters[1].minNodes`; empty for the file itself. */
  path: string;
  message: string;
}

export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(formatProblems(problems));
    this.name = "InputError";
    this.problems = problems;
  }
}

export function formatProblem(p: InputProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

export function formatProblems(problems: InputProblem[]): string {
  const n = problems.length;
  const head = `${n} problem${n === 1 ? "" : "s"} found:`;
  return [head, ...problems.map((p) => `  - ${formatProblem(p)}`)].join("\n");
}
