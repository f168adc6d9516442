// The suite runs on each maintained Node.js line the project supports (npm test: 24 from the devDependency
// `node`, then 22 through scripts/with-node.sh), never on an end-of-life one such as the machine's own Node 20.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SUPPORTED_LINES = [22, 24];
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('runtime', () => {
  it('runs on a maintained LTS line', () => {
    const major = Number(process.versions.node.split('.')[0]);
    console.log(`runtime: Node ${process.version}`);
    expect(SUPPORTED_LINES).toContain(major);
  });

  it('declares exactly the supported lines in engines and brings each with a devDependency', () => {
    const lines = pkg.engines.node.split('||').map((range) => Number(/\d+/.exec(range)?.[0]));
    expect(lines).toEqual(SUPPORTED_LINES);
    expect(pkg.devDependencies['node']).toMatch(/^\^24\./);
    expect(pkg.devDependencies['node22']).toMatch(/^npm:node@\^22\./);
  });
});
