// `tributary serve | check | topics`. Each command answers --help; exit codes: 0 ok, 1 failure, 2 usage error.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export type Command = (argv: string[]) => Promise<number>;

// Each command is loaded when run: `--help` and `check` need not load both Kafka clients and Fastify (~0.5 s of
// CPU on 2 cores).
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: {
    run: async (argv) => (await import('./serve.js')).serveCommand(argv),
    summary: 'run the gateway (starts a local Kafka when no brokers are configured)',
  },
  check: {
    run: async (argv) => (await import('./check.js')).checkCommand(argv),
    summary: 'check a catalog and report every problem',
  },
  topics: {
    run: async (argv) => (await import('./topics.js')).topicsCommand(argv),
    summary: "create the catalog's missing topics and report differing settings",
  },
};

export const USAGE = `Usage: tributary <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`)
  .join('\n')}

Run 'tributary <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`tributary: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return command.run(rest);
}

/** parseArgs that turns unknown flags into a usage error (exit 2) instead of a stack trace. */
export function parseFlags(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | string {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    return (err as Error).message;
  }
}
