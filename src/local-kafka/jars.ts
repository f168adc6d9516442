// Kafka's jars, resolved once from Maven Central into a git-ignored cache so later broker starts are offline.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const MARKER = '.complete';
/** The broker's class-data-sharing archive, kept beside the jars it was built from. */
export const ARCHIVE = 'broker.jsa';
const execFileAsync = promisify(execFile);
export const noop = (): void => {};

export interface KafkaDist {
  root: string;
  pomPath: string;
  version: string;
  /** Changes whenever the pom does, so an edited dependency list is re-resolved. */
  stamp: string;
}

function projectRoot(): string {
  // Walk up rather than hard-code ../..: this file runs from src/ under vitest and from dist/src/ when built.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'scripts', 'kafka', 'pom.xml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('local Kafka needs scripts/kafka/pom.xml from a source checkout');
    dir = parent;
  }
}

export async function readDist(): Promise<KafkaDist> {
  const root = projectRoot();
  const pomPath = path.join(root, 'scripts', 'kafka', 'pom.xml');
  const pom = await readFile(pomPath, 'utf8');
  const version = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`no <kafka.version> in ${pomPath}`);
  return { root, pomPath, version, stamp: createHash('sha256').update(pom).digest('hex') };
}

function versionDir(dist: KafkaDist, cacheDir: string | undefined): string {
  return path.join(cacheDir ?? path.join(dist.root, '.cache', 'kafka'), dist.version);
}

async function isComplete(libs: string, stamp: string): Promise<boolean> {
  try {
    return (await readFile(path.join(libs, MARKER), 'utf8')) === stamp;
  } catch {
    return false;
  }
}

const resolving = new Map<string, Promise<string>>();

/**
 * Resolves the broker jars into `<cacheDir>/<kafka version>/libs` (cacheDir defaults to
 * `<project root>/.cache/kafka`) and returns that folder. The first call runs Maven (needs Maven Central);
 * later calls only read a marker file. Safe across processes: a lock file serialises Maven runs and the
 * folder appears by rename, so a half-finished download is never taken as complete.
 */
export async function ensureKafkaJars(
  opts: { cacheDir?: string; log?: (msg: string) => void } = {},
): Promise<string> {
  const dist = await readDist();
  const libs = path.join(versionDir(dist, opts.cacheDir), 'libs');
  if (await isComplete(libs, dist.stamp)) return libs;
  // Two callers in one process share one Maven run; the lock only orders separate processes.
  let pending = resolving.get(libs);
  if (!pending) {
    pending = resolveJars(dist, libs, opts.log ?? noop).finally(() => resolving.delete(libs));
    resolving.set(libs, pending);
  }
  return pending;
}

async function resolveJars(dist: KafkaDist, libs: string, log: (msg: string) => void): Promise<string> {
  await mkdir(path.dirname(libs), { recursive: true });
  return withLock(`${libs}.lock`, log, async () => {
    if (await isComplete(libs, dist.stamp)) return libs;
    const tmp = `${libs}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    log(`resolving Kafka ${dist.version} jars with Maven into ${libs} (first run only)`);
    try {
      await execFileAsync(
        'mvn',
        [
          '-B',
          '-q',
          '-f',
          dist.pomPath,
          'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
          '-DincludeScope=runtime',
          `-DoutputDirectory=${tmp}`,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      await writeFile(path.join(tmp, MARKER), dist.stamp);
      // A stale folder (older pom) cannot be renamed over; the CDS archive was built from its jars.
      await rm(libs, { recursive: true, force: true });
      await rm(path.join(path.dirname(libs), ARCHIVE), { force: true });
      await rename(tmp, libs);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw new Error(`Maven could not resolve Kafka ${dist.version} jars: ${describeExecError(err)}`, {
        cause: err,
      });
    }
    log(`Kafka ${dist.version} jars ready in ${seconds(started)}`);
    return libs;
  });
}

async function withLock<T>(lockPath: string, log: (msg: string) => void, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      if (await lockIsStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (!announced) log(`waiting for another process to finish resolving Kafka jars (${lockPath})`);
      announced = true;
      await delay(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(lockPath, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) {
      // Empty for the instant between create and write; only a crash leaves it empty for long.
      return Date.now() - (await stat(lockPath)).mtimeMs > 10_000;
    }
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return errCode(err) === 'ESRCH';
  }
}

export function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export function describeExecError(err: unknown): string {
  if (errCode(err) === 'ENOENT') return `${(err as { path?: string }).path ?? 'command'} not found on PATH`;
  const out = err as { stdout?: string; stderr?: string; message?: string };
  const text = `${out.stderr ?? ''}\n${out.stdout ?? ''}`.trim() || (out.message ?? String(err));
  // The first lines carry Java's exception message or Maven's [ERROR] summary; stack frames follow.
  return text.split('\n').slice(0, 30).join('\n');
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
