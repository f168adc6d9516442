// Kafka's default partitioner hash (Java's Utils.murmur2, seed 0x9747b28c) on the key bytes. Written here because
// the client's own (@platformatic/kafka 2.x protocol/murmur2.js) computes it in BigInt, ~1 µs per record of the
// gateway's webhook path (issue 17, perf profile); Java's int arithmetic is Math.imul and `>>>` exactly.
// Checked against the client's on random keys (test/kafka/murmur2.test.ts).
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}

/** Java's (and kafkajs's) choice of partition for a key: the sign bit masked, so every key lands where theirs do. */
export function javaCompatiblePartitioner(_message: unknown, key: Buffer | undefined): number {
  return Buffer.isBuffer(key) ? murmur2(key) & 0x7fffffff : 0;
}
