import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memberCount, parseFile } from '../../src/catalog/files.js';

async function fileWith(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'tributary-files-')), name);
  await writeFile(file, text);
  return file;
}

describe('parseFile on .json files', () => {
  it('reads the value and still places paths at their line and column', async () => {
    const file = await fileWith(
      's.json',
      '{\n  "type": "object",\n  "properties": {\n    "id": { "type": "string" }\n  }\n}\n',
    );
    const parsed = await parseFile(file);
    if (!('value' in parsed)) throw new Error('expected a value');
    expect(parsed.value).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    expect(parsed.positions.of(['properties', 'id'])).toEqual({ line: 4, column: 5 });
  });

  it('refuses a key written twice in one object, with its position', async () => {
    const file = await fileWith('dup.json', '{\n  "type": "object",\n  "type": "string"\n}\n');
    const parsed = await parseFile(file);
    expect('failures' in parsed && parsed.failures[0]).toMatchObject({
      message: expect.stringMatching(/Map keys must be unique/),
      line: 3,
    });
  });

  it('places a syntax error', async () => {
    const file = await fileWith('bad.json', '{\n  "type": "object",\n  "required": ["id"\n}\n');
    const parsed = await parseFile(file);
    if (!('failures' in parsed)) throw new Error('expected failures');
    expect(parsed.failures[0]?.line).toBeGreaterThan(1);
  });
});

describe('memberCount', () => {
  it('counts the colons between names and values, not those inside strings', () => {
    expect(memberCount('{"a": 1, "b": {"c": [1, {"d": 2}]}}')).toBe(4);
    expect(memberCount('{"url:port": "http://x:80", "q": "say \\"a:b\\""}')).toBe(2);
    expect(memberCount('["a:b", "c\\\\", ":"]')).toBe(0);
  });
});
