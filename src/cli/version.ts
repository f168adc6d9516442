// The version the package.json of this installation says, for --version and the start-up log line; and whether
// the Node.js running it is one package.json's `engines` admits.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { packageFile } from '../package-files.js';

interface PackageJson {
  version: string;
  engines: { node: string };
}

let pkg: PackageJson | undefined;

function packageJson(): PackageJson {
  pkg ??= JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as PackageJson;
  return pkg;
}

export function tributaryVersion(): string {
  return packageJson().version;
}

/**
 * Undefined when `nodeVersion` satisfies `engines.node`, else the one line to print. An older Node fails far from
 * the cause (@platformatic/kafka then reports "not connected to Kafka"), so commands refuse it up front.
 */
export function unsupportedNode(nodeVersion: string = process.version): string | undefined {
  const range = packageJson().engines.node;
  if (semver.satisfies(nodeVersion, range)) return undefined;
  return (
    `tributary needs Node.js ${range} (package.json "engines"); this is ${nodeVersion}. ` +
    'In a clone, npm scripts (npm start, npm test) bring Node 24 with `npm ci`; elsewhere install a maintained LTS.'
  );
}
