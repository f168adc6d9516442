import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { ConfigError, resolveConfig } from '../config.js';
import { kafkaSettingsProblems, resolveConnection } from '../kafka/connection.js';
import { parseFlags } from './main.js';

const HELP = `Usage: tributary check --catalog FILE

Loads the catalog and its imports, and reports every problem at once, each with its file and location.
Also checks the Kafka connection settings in the environment (TRIBUTARY_KAFKA_*): unset or unreadable
secrets, unreadable certificate files, a key its passphrase does not open.
Exit code 0 when the catalog is valid (warnings allowed), 1 when it has problems.

Options:
  --catalog FILE   catalog file (YAML or JSON); also TRIBUTARY_CATALOG
  -h, --help       show this help`;

export async function checkCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { catalog: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (typeof flags === 'string') {
    console.error(`tributary check: ${flags}\n\n${HELP}`);
    return 2;
  }
  if (flags.values.help) {
    console.log(HELP);
    return 0;
  }
  const file =
    (flags.values.catalog as string | undefined) ?? flags.positionals[0] ?? process.env.TRIBUTARY_CATALOG;
  if (file === undefined) {
    console.error(`tributary check: --catalog is required\n\n${HELP}`);
    return 2;
  }
  const result = await loadCatalog(file);
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
    const config = resolveConfig({}, process.env);
    const resolved = resolveConnection(config);
    resolved.oauth?.close();
    return kafkaSettingsProblems(config, resolved);
  } catch (err) {
    if (err instanceof ConfigError) return [err.message];
    throw err;
  }
}
