// The programs the integration tests run that npm cannot bring: the local Kafka's JVM and Maven (its jars come
// from Maven Central, test/integration/global-setup.ts), HAProxy (rolling restarts), Chromium (the browser
// test), Redis (duplicate suppression and rate limits across replicas; the suite starts its own server) and
// openssl (certificates of the secured test broker).
// Checked before anything starts, so a fresh machine fails in a second with the one line that fixes it
// (issue 12) instead of a hook that hangs. `node test/harness/requirements.ts` runs the check on its own; it is
// the first step of `npm test`, and .ci/run installs what it lists. Imports node: modules only, so plain `node`
// (type stripping) can run it.
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Requirement {
  /** What a test runs. */
  program: string;
  /** The Debian package that brings it. */
  apt: string;
  /** Absolute path, or a name looked up on PATH. */
  path: string;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { program: 'java', apt: 'openjdk-17-jre-headless', path: 'java' },
  { program: 'mvn', apt: 'maven', path: 'mvn' },
  { program: 'haproxy', apt: 'haproxy', path: 'haproxy' },
  // playwright-core drives the Debian build at this path; no browser is downloaded.
  { program: 'chromium', apt: 'chromium', path: '/usr/bin/chromium' },
  { program: 'redis-server', apt: 'redis-server', path: 'redis-server' },
  // The Kafka security tests make their certificates with openssl (issue 14).
  { program: 'openssl', apt: 'openssl', path: 'openssl' },
  // The Kafka-protocol listener is tested with librdkafka's command-line producer (issue 15).
  { program: 'kcat', apt: 'kcat', path: 'kcat' },
];

function found(requirement: Requirement): boolean {
  if (requirement.path.includes('/')) return existsSync(requirement.path);
  if (requirement.program === 'java' && process.env['JAVA_HOME']) {
    if (existsSync(path.join(process.env['JAVA_HOME'], 'bin', 'java'))) return true;
  }
  return (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && existsSync(path.join(dir, requirement.path)));
}

export function missingRequirements(): Requirement[] {
  return REQUIREMENTS.filter((r) => !found(r));
}

/** The exact command that installs every missing program, or undefined when nothing is missing. */
export function installLine(missing: readonly Requirement[]): string | undefined {
  if (missing.length === 0) return undefined;
  return `apt-get update && apt-get install -y ${missing.map((r) => r.apt).join(' ')}`;
}

export function requirementsProblem(): string | undefined {
  const missing = missingRequirements();
  const line = installLine(missing);
  if (line === undefined) return undefined;
  return `the tests need ${missing.map((r) => r.program).join(', ')}, which this machine lacks; install with:\n  ${line}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `--missing-packages`: the Debian packages to install, space separated, for .ci/run (which installs them).
  if (process.argv[2] === '--missing-packages') {
    console.log(
      missingRequirements()
        .map((r) => r.apt)
        .join(' '),
    );
    process.exit(0);
  }
  const problem = requirementsProblem();
  if (problem !== undefined) {
    console.error(`npm test: ${problem}`);
    process.exit(1);
  }
}
