// Scenario 1 and 2: webhooks through the gateway. One document per POST, or batches of documents as a JSON
// array or NDJSON, over keep-alive connections; 200 only after Kafka acknowledged with acks=all.
import { type BenchContext, logFile } from '../lib/context.js';
import { batchBodies, orderPool } from '../lib/documents.js';
import { ORDERS_PATH, startGatewayProcess, writeOrdersCatalog } from '../lib/gateway.js';
import { countRecords, createTopics, topicBytes, topicFor } from '../lib/kafka.js';
import { measureHttp } from '../lib/measure-http.js';
import type { Measurement } from '../results.js';

export type WebhookShape = 'single' | 'array' | 'ndjson';

const IDS: Record<WebhookShape, string> = {
  single: 'webhooks',
  array: 'batch-array',
  ndjson: 'batch-ndjson',
};

export async function measureWebhooks(
  ctx: BenchContext,
  shape: WebhookShape,
  round: number,
  extra: {
    flags?: string[];
    nodeArgs?: string[];
    id?: string;
    client?: 'serve' | 'confluent';
    /** The broker's data folder: also measure the bytes the topic takes on disk (compression scenario). */
    brokerDataDir?: string;
  } = {},
): Promise<Measurement> {
  const id = extra.id ?? IDS[shape];
  const topic = topicFor(id);
  await createTopics(ctx.bootstrap, [topic]);
  const catalog = await writeOrdersCatalog(ctx.workDir, topic);
  const size = ctx.settings.batchSize;
  const bodies = shape === 'single' ? orderPool(1000) : batchBodies(20, size, shape);
  const measured = await measureHttp(ctx, {
    id,
    round,
    load: {
      bodies,
      docsPerBody: shape === 'single' ? 1 : size,
      contentType: shape === 'ndjson' ? 'application/x-ndjson' : 'application/json',
      // Batches of 100 need fewer senders to fill the pipe; many would only queue in the gateway.
      ...(shape === 'single' ? {} : { connections: Math.max(4, Math.ceil(ctx.settings.connections / 8)) }),
    },
    start: async () => {
      const gw = await startGatewayProcess({
        root: ctx.root,
        catalog,
        bootstrap: ctx.bootstrap,
        flags: [...ctx.settings.gatewayFlags, ...(extra.flags ?? [])],
        nodeArgs: extra.nodeArgs ?? [],
        client: extra.client ?? 'serve',
        logFile: logFile(ctx, `${id}-r${round}`),
      });
      return { child: gw.child, url: `${gw.url}${ORDERS_PATH}` };
    },
    count: () => countRecords(ctx.bootstrap, topic),
  });
  if (extra.brokerDataDir !== undefined) measured.brokerBytes = await topicBytes(extra.brokerDataDir, topic);
  return measured;
}
