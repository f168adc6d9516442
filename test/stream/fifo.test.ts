import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/stream/fifo.js';

describe('Fifo', () => {
  it('keeps order across compactions', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift()!);
    }
    expect(q.length).toBe(5000 - out.length);
    expect(q.peek()).toBe(out.length);
    for (let v = q.shift(); v !== undefined; v = q.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('hands back what is left on clear', () => {
    const q = new Fifo<string>();
    q.push('a');
    q.push('b');
    q.shift();
    expect(q.clear()).toEqual(['b']);
    expect(q.length).toBe(0);
  });
});
