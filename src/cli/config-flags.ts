// The parseArgs option table and --help text generated from src/config.ts, so flags and docs cannot drift.
import { SETTINGS } from '../config.js';

type FlagOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export function configFlagOptions(): FlagOptions {
  const options: FlagOptions = { help: { type: 'boolean', short: 'h' } };
  for (const s of SETTINGS) options[s.flag] = { type: s.kind === 'bool' ? 'boolean' : 'string' };
  return options;
}

export function configFlagHelp(): string {
  return SETTINGS.map((s) => {
    const def =
      s.default === undefined
        ? ''
        : ` (default: ${Array.isArray(s.default) ? s.default.join(',') || 'none' : s.default})`;
    const env = s.fileEnv === undefined ? s.env : `${s.env} (the value) or ${s.fileEnv} (a file)`;
    return `  --${s.flag.padEnd(28)}${s.help}${def}\n  ${''.padEnd(30)}env ${env}`;
  }).join('\n');
}
