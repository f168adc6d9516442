// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function, the view that shows where a hot
// path spends its cycles. Written here because the format is small and stable (Chrome DevTools Protocol
// Profiler.Profile) and a dependency for twenty lines would be heavier than the code.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfPercent: number;
}

export async function hottestFunctions(file: string, top = 25): Promise<HotFunction[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where =
      url === ''
        ? ''
        : `${url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    self.set(key, entry);
    total += us;
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPercent: Math.round((e.us / total) * 1000) / 10 }));
}

/** Self time grouped by package (node_modules/<pkg>), our own code, Node internals and V8 (GC, idle). */
export async function timeByArea(file: string): Promise<Record<string, number>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const areas: Record<string, number> = {};
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    const { url, functionName } = node.callFrame;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const area = pkg
      ? pkg
      : url.includes('/dist/')
        ? 'tributary'
        : url.startsWith('node:')
          ? 'node'
          : `(${functionName || 'native'})`;
    areas[area] = (areas[area] ?? 0) + us;
    total += us;
  });
  return Object.fromEntries(
    Object.entries(areas)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round((v / total) * 1000) / 10]),
  );
}

/** Inclusive share of CPU per concern: a sample counts for each concern found anywhere on its stack. */
export const CONCERNS: Record<string, RegExp> = {
  'kafkajs (encode, send, parse answers)': /node_modules\/kafkajs\//,
  'pino logging (access log lines)': /node_modules\/(pino|@pinojs|sonic-boom)\//,
  'ingest handler (decode, validate, _meta, enqueue)': /routes\/ingest\.js/,
  'ajv validation': /node_modules\/ajv\/|validate\d+/,
  'JSON parse (secure-json-parse)': /node_modules\/secure-json-parse\//,
  'batcher + producer': /src\/kafka\/(batcher|producer)\.js/,
};

export async function timeByConcern(file: string): Promise<Record<string, number>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile & {
    nodes: (ProfileNode & { children?: number[] })[];
  };
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals: Record<string, number> = { 'garbage collector': 0, idle: 0 };
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const leaf = byNode.get(id)?.callFrame.functionName ?? '';
    if (leaf === '(idle)') totals['idle']! += us;
    else if (leaf === '(garbage collector)') totals['garbage collector']! += us;
    const frames: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byNode.get(cur);
      if (node) frames.push(`${node.callFrame.url} ${node.callFrame.functionName}`);
    }
    for (const [concern, re] of Object.entries(CONCERNS)) {
      if (frames.some((f) => re.test(f))) totals[concern] = (totals[concern] ?? 0) + us;
    }
  });
  return Object.fromEntries(
    Object.entries(totals)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round((v / total) * 1000) / 10]),
  );
}
