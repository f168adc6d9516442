// The version the package.json of this installation says, for --version and the start-up log line.
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.js';

let version: string | undefined;

export function tributaryVersion(): string {
  version ??= (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
