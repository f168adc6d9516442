// The code of the TributaryError a call throws, or undefined when it returns: decode tests assert on codes, never
// on message text.
import { expect } from 'vitest';
import { TributaryError } from '../../src/errors.js';

export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return (err as TributaryError).code;
  }
}
