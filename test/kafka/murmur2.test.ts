import { randomBytes } from 'node:crypto';
import { compatibilityPartitioner } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, murmur2 } from '../../src/kafka/murmur2.js';

describe('murmur2', () => {
  it("gives Java's values (Kafka's Utils.murmur2 test vectors)", () => {
    // From Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, expected] of cases) expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  it("places every key where the client's BigInt partitioner does, for lengths 0 to 64", () => {
    for (let length = 0; length <= 64; length++) {
      for (let n = 0; n < 20; n++) {
        const key = randomBytes(length);
        const message = { topic: 'orders', key };
        expect(javaCompatiblePartitioner(message, key)).toBe(compatibilityPartitioner(message, key));
      }
    }
  });

  it('sends a record without a key to partition 0, as the client does', () => {
    expect(javaCompatiblePartitioner(undefined, undefined)).toBe(0);
    expect(compatibilityPartitioner({ topic: 'orders' }, undefined)).toBe(0);
  });
});
