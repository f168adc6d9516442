import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../src/catalog/report.js';

describe('formatProblems', () => {
  it('prints file:line:column, severity, path and message, errors then warnings (issue 12)', () => {
    const base = '/srv/catalogs';
    const text = formatProblems(
      {
        problems: [
          {
            location: {
              file: join(base, 'catalog.yaml'),
              path: 'collections.acmeCo/x.key[0]',
              line: 7,
              column: 12,
            },
            message: 'bad key',
          },
          { location: { file: join(base, 'sub/b.yaml'), path: '', line: 3, column: 5 }, message: 'syntax' },
        ],
        warnings: [{ location: { file: join(base, 'catalog.yaml'), path: '' }, message: 'a warning' }],
      },
      { relativeTo: base },
    );
    expect(text.split('\n')).toEqual([
      'catalog.yaml:7:12: error: collections.acmeCo/x.key[0]: bad key',
      'sub/b.yaml:3:5: error: syntax',
      'catalog.yaml: warning: a warning',
    ]);
  });

  it('prints nothing when all is well', () => {
    expect(formatProblems({ problems: [], warnings: [] })).toBe('');
  });
});
