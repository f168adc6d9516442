// Text output of a catalog check, one line per problem, in the `file:line:column: severity: where: what` shape
// that editors, CI annotations and compilers share (GCC's, and the problem matchers of GitHub Actions and VS Code).
import { relative } from 'node:path';
import type { LoadResult } from './load.js';
import type { CatalogProblem } from './model.js';

export interface FormatOptions {
  /** File names are shown relative to this directory (default: the working directory). */
  relativeTo?: string;
}

function formatLine(severity: 'error' | 'warning', problem: CatalogProblem, base: string): string {
  const file = relative(base, problem.location.file) || problem.location.file;
  const { line, column, path } = problem.location;
  const position = line === undefined ? '' : `:${line}:${column ?? 1}`;
  const where = path ? `${path}: ` : '';
  return `${file}${position}: ${severity}: ${where}${problem.message}`;
}

/** Errors first, then warnings, each in the order found; no trailing newline, '' when all is well. */
export function formatProblems(
  result: Pick<LoadResult, 'problems' | 'warnings'>,
  options: FormatOptions = {},
): string {
  const base = options.relativeTo ?? process.cwd();
  return [
    ...result.problems.map((problem) => formatLine('error', problem, base)),
    ...result.warnings.map((problem) => formatLine('warning', problem, base)),
  ].join('\n');
}
