// Freshness logic of the metadata probe; the integration test kafka-outage.test.ts covers a real broker dying.
import { describe, expect, it } from 'vitest';
import { MetadataProbe } from '../../src/kafka/metadata-probe.js';
import { capturedLogger } from '../helpers.js';

describe('MetadataProbe', () => {
  it('is stale while Kafka never answered, and fresh while produces are acknowledged', async () => {
    const { logger } = capturedLogger('fatal');
    // Nothing listens on port 1: every metadata request fails fast.
    const connection = { brokers: ['127.0.0.1:1'], clientId: 't', connectionTimeoutMs: 200 };
    let producedAt = 0;
    const probe = new MetadataProbe(connection, () => producedAt, { maxAgeMs: 300 }, logger);
    probe.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(probe.ageMs()).toBe(Number.POSITIVE_INFINITY);
    expect(probe.fresh()).toBe(false);
    producedAt = Date.now();
    expect(probe.fresh()).toBe(true);
    producedAt = Date.now() - 1000;
    expect(probe.fresh()).toBe(false);
    expect(probe.ageMs()).toBeGreaterThanOrEqual(1000);
    await probe.close();
  });
});
