import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/dead-letter/budget.js';

describe('dead-letter budget (issue 16)', () => {
  it('allows a burst of perSecond entries, then refills continuously', () => {
    const budget = new Budget(3, 1000, 0);
    expect([1, 2, 3, 4].map(() => budget.spend(10, 0))).toEqual(['ok', 'ok', 'ok', 'rate']);
    expect(budget.spend(10, 200)).toBe('rate');
    expect(budget.spend(10, 400)).toBe('ok');
  });

  it('drops entries over the byte budget, and one larger than the whole budget always', () => {
    const budget = new Budget(100, 1000, 0);
    expect(budget.spend(600, 0)).toBe('ok');
    expect(budget.spend(600, 0)).toBe('bytes');
    expect(budget.spend(600, 1000)).toBe('ok');
    expect(budget.spend(5000, 10_000)).toBe('bytes');
  });
});
