import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { prologue } from './prologue.js';

const HELP = `Usage: tributary check --catalog FILE

Loads the catalog and its imports, and reports every problem at once, each as file:line:column: error: ...
Exit code 0 when the catalog is valid (warnings allowed), 1 when it has problems.

Options:
  --catalog FILE   catalog file (YAML or JSON); also TRIBUTARY_CATALOG
  -h, --help       show this help`;

export async function checkCommand(argv: string[]): Promise<number> {
  const invocation = prologue({ name: 'check', help: HELP, options: { catalog: { type: 'string' } } }, argv);
  if (typeof invocation === 'number') return invocation;
  const result = await loadCatalog(invocation.config.catalog);
  const text = formatProblems(result);
  if (text !== '') console.log(text);
  if (result.problems.length > 0) {
    console.log(`${result.problems.length} problem(s), ${result.warnings.length} warning(s)`);
    return 1;
  }
  const catalog = result.catalog!;
  console.log(
    `ok: ${catalog.collections.size} collection(s), ${catalog.captures.size} capture(s), ${catalog.bindings.length} binding(s), ${result.warnings.length} warning(s)`,
  );
  return 0;
}
