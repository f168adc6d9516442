import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { ConfigError, resolveConfig } from '../config.js';
import { kafkaSettingsProblems, resolveConnection } from '../kafka/connection.js';
import { prologue } from './prologue.js';

const HELP = `Usage: tributary check --catalog FILE

Loads the catalog and its imports, and reports every problem at once, each as file:line:column: error: ...
Also checks the Kafka connection settings in the environment (TRIBUTARY_KAFKA_*): unset or unreadable
secrets, unreadable certificate files, a key its passphrase does not open.
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
  const kafka = kafkaProblems();
  for (const p of kafka) console.log(`kafka settings: ${p}`);
  const problems = result.problems.length + kafka.length;
  if (problems > 0) {
    console.log(`${problems} problem(s), ${result.warnings.length} warning(s)`);
    return 1;
  }
  const catalog = result.catalog!;
  console.log(
    `ok: ${catalog.collections.size} collection(s), ${catalog.captures.size} capture(s), ${catalog.bindings.length} binding(s), ${result.warnings.length} warning(s)`,
  );
  return 0;
}

function kafkaProblems(): string[] {
  try {
    // The Kafka connection's variables only: a malformed TRIBUTARY_PORT is no problem of a catalog check.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => /^TRIBUTARY_(KAFKA_|BROKERS$)/.test(name)),
    );
    const config = resolveConfig({}, env);
    const resolved = resolveConnection(config);
    resolved.oauth?.close();
    return kafkaSettingsProblems(config, resolved);
  } catch (err) {
    if (err instanceof ConfigError) return [err.message];
    throw err;
  }
}
