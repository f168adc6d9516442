import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../src/catalog/report.js';

describe('formatProblems', () => {
  it('prints errors then warnings, one line each, with file names relative to the base', () => {
    const base = '/srv/catalogs';
    const text = formatProblems(
      {
        problems: [
          {
            location: { file: join(base, 'catalog.yaml'), path: 'collections.acmeCo/x.key[0]' },
            message: 'bad key',
          },
          { location: { file: join(base, 'sub/b.yaml'), path: 'line 3, column 5' }, message: 'syntax' },
        ],
        warnings: [{ location: { file: join(base, 'catalog.yaml'), path: '' }, message: 'a warning' }],
      },
      { relativeTo: base },
    );
    expect(text.split('\n')).toEqual([
      'error: catalog.yaml: collections.acmeCo/x.key[0]: bad key',
      'error: sub/b.yaml: line 3, column 5: syntax',
      'warning: catalog.yaml: a warning',
    ]);
  });

  it('prints nothing when all is well', () => {
    expect(formatProblems({ problems: [], warnings: [] })).toBe('');
  });
});
