// `tributary serve | check | topics | --version`. Each command answers --help; exit codes: 0 ok, 1 failure, 2 usage
// error.
import { tributaryVersion, unsupportedNode } from './version.js';

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
  replay: {
    run: async (argv) => (await import('./replay.js')).replayCommand(argv),
    summary: 'submit dead-letter entries again (after a schema fix) and report what is accepted',
  },
};

export const USAGE = `Usage: tributary <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`)
  .join('\n')}

Run 'tributary <command> --help' for a command's options, 'tributary --version' for the version.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`tributary ${tributaryVersion()}`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`tributary: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  // --help and --version above work on any Node; a command does not.
  const refusal = unsupportedNode();
  if (refusal !== undefined) {
    console.error(refusal);
    return 1;
  }
  return command.run(rest);
}
