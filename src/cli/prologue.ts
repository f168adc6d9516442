// What every command does before its own work: parse its flags (an unknown one is a usage error, exit 2, not a
// stack trace), answer --help, resolve the settings (flags over environment over defaults), and insist on a
// catalog. Written once for serve, check and topics (issue 12).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, ConfigError, resolveConfig, SETTINGS } from '../config.js';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type FlagValues = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  name: string;
  help: string;
  /** parseArgs options besides --help; setting flags (src/config.ts) among them feed the Config. */
  options: FlagOptions;
  /** Settings that must be set, e.g. `brokers` for topics; `catalog` always is. */
  requires?: ReadonlyArray<keyof Config>;
}

export interface Invocation {
  config: Config & { catalog: string };
  /** Every flag given, settings and the command's own (such as --dry-run). */
  flags: FlagValues;
}

/** parseArgs that turns unknown flags into a message instead of an exception. */
export function parseFlags(
  argv: string[],
  options: FlagOptions,
): { values: FlagValues; positionals: string[] } | string {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as FlagValues, positionals };
  } catch (err) {
    return (err as Error).message;
  }
}

/** The command's settings, or the exit code it must end with now (0 after --help, 2 for a usage error). */
export function prologue(spec: CommandSpec, argv: string[]): Invocation | number {
  const parsed = parseFlags(argv, { ...spec.options, help: { type: 'boolean', short: 'h' } });
  if (typeof parsed === 'string') {
    console.error(`tributary ${spec.name}: ${parsed}\n\n${spec.help}`);
    return 2;
  }
  const { help, ...flags } = parsed.values;
  if (help) {
    console.log(spec.help);
    return 0;
  }
  let config: Config;
  try {
    // A catalog may also be named as the one positional argument: `tributary check catalog.yaml`.
    const catalog = flags['catalog'] ?? parsed.positionals[0];
    // Only the variables of the settings this command takes: a bad TRIBUTARY_PORT is no reason to fail `check`.
    const env = Object.fromEntries(
      SETTINGS.filter((s) => s.flag in spec.options).map((s) => [s.env, process.env[s.env]]),
    );
    config = resolveConfig({ ...flags, ...(catalog === undefined ? {} : { catalog }) }, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`tributary ${spec.name}: ${err.message}`);
    return 2;
  }
  const missing = (['catalog', ...(spec.requires ?? [])] as const).filter((key) => {
    const value = config[key];
    return value === undefined || (Array.isArray(value) && value.length === 0);
  });
  if (missing.length > 0) {
    const names = missing.map((key) => `--${SETTINGS.find((s) => s.key === key)!.flag}`);
    console.error(
      `tributary ${spec.name}: ${names.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required\n\n${spec.help}`,
    );
    return 2;
  }
  return { config: config as Config & { catalog: string }, flags };
}
