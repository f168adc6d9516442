// No Docker engine runs here, so the Dockerfile and docker-compose.yml are checked for what they name: files
// that exist, commands and settings the CLI knows, the probe route, a non-root user, production dependencies.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE } from '../src/cli/main.js';
import { SETTINGS } from '../src/config.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string) => existsSync(new URL(path, root));
const envNames = new Set(SETTINGS.map((s) => s.env));

/** Dockerfile instructions with line continuations joined. */
const instructions = read('Dockerfile')
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.trim().split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });

describe('Dockerfile', () => {
  it('is multi-stage, installs production dependencies only in the image, and runs as a non-root user', () => {
    const froms = instructions.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
    expect(finalStage.some((i) => i.op === 'USER' && !/^(root|0)$/.test(i.args))).toBe(true);
    expect(read('Dockerfile')).toContain('npm ci --omit=dev');
    expect(finalStage.filter((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toEqual([]);
    for (const run of instructions.filter((i) => i.op === 'RUN' && i.args.includes('npm run'))) {
      const script = /npm run (\S+)/.exec(run.args)![1]!;
      expect(JSON.parse(read('package.json')).scripts[script], script).toBeDefined();
    }
  });

  it('copies only files that exist', () => {
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      const parts = copy.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) expect(exists(src), src).toBe(true);
    }
  });

  it('serves with the CLI, listens on 0.0.0.0, and health-checks /healthz', () => {
    const entry = JSON.parse(instructions.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entry.slice(0, 3)).toEqual(['node', 'bin/tributary.js', 'serve']);
    expect(exists(entry[1]!)).toBe(true);
    expect(USAGE).toMatch(/^\s+serve\s/m);
    const env = instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toContain('TRIBUTARY_HOST=0.0.0.0');
    for (const [, name] of env.matchAll(/(TRIBUTARY_[A-Z_]+)=/g))
      expect(envNames.has(name!), name).toBe(true);
    expect(instructions.find((i) => i.op === 'HEALTHCHECK')!.args).toContain('/healthz');
    // The catalog it points at is the example the image copies in.
    expect(env).toContain('TRIBUTARY_CATALOG=/etc/tributary/catalog.yaml');
    expect(read('Dockerfile')).toContain('COPY examples /etc/tributary');
    expect(exists('examples/catalog.yaml')).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<
      string,
      { image?: string; build?: string; environment?: Record<string, unknown>; volumes?: string[] }
    >;
  };

  it('runs Apache Kafka (official image, KRaft) at the version the tests use', () => {
    const kafka = compose.services['kafka']!;
    const version = /<kafka\.version>\s*(\d[^<\s]*)\s*</.exec(read('scripts/kafka/pom.xml'))![1];
    expect(kafka.image).toBe(`apache/kafka:${version}`);
    expect(kafka.environment!['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
  });

  it('builds the gateway from this Dockerfile with settings the gateway knows and folders that exist', () => {
    const gateway = compose.services['tributary']!;
    expect(gateway.build).toBe('.');
    for (const name of Object.keys(gateway.environment!)) expect(envNames.has(name), name).toBe(true);
    expect(gateway.environment!['TRIBUTARY_BROKERS']).toBe('kafka:9092');
    for (const volume of gateway.volumes!) expect(exists(volume.split(':')[0]!), volume).toBe(true);
  });
});
