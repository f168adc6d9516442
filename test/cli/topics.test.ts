// `tributary topics` output (issue 12): one line per topic, whatever differs about it, and a line for each setting
// the cluster made lower than configured. Against a real broker: test/integration/cli.test.ts.
import { describe, expect, it } from 'vitest';
import { topicLines } from '../../src/cli/topics.js';

describe('topics report lines', () => {
  it('says each topic once, with every differing setting, and says what was capped', () => {
    const lines = topicLines({
      created: ['a.new'],
      existing: ['a.same', 'a.off'],
      missing: [],
      differences: [
        { topic: 'a.off', setting: 'partitions', expected: 6, actual: 3 },
        { topic: 'a.off', setting: 'min.insync.replicas', expected: 1, actual: 2 },
      ],
      capped: [{ setting: 'replication.factor', configured: 3, used: 1, why: 'the cluster has 1 broker' }],
    });
    expect(lines).toEqual([
      'created: a.new',
      'exists: a.same',
      'differs: a.off: partitions is 3, configured 6; min.insync.replicas is 2, configured 1',
      'capped: replication.factor 3 -> 1 (the cluster has 1 broker)',
    ]);
  });
});
