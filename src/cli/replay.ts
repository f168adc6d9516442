// `tributary replay`: reads a dead-letter topic and submits its entries again through the front door
// (src/dead-letter/replay.ts), then reports per binding what was accepted and what is still refused, and why.

import { doorLimits } from '../app.js';
import { loadCatalog } from '../catalog/load.js';
import { formatProblems } from '../catalog/report.js';
import { type DeadLetterRecord, deadLetterRecord, parseDeadLetterRecord } from '../dead-letter/entry.js';
import { type RecordPass, type ReplayReport, replay } from '../dead-letter/replay.js';
import { nextUuid } from '../document/meta.js';
import { MemoryDeliveryStore } from '../ingest/deliveries.js';
import { DeliveryLedger } from '../ingest/duplicates.js';
import { FrontDoor } from '../ingest/front-door.js';
import { createRouter } from '../ingest/router.js';
import { resolveConnection } from '../kafka/connection.js';
import { classifyFailure } from '../kafka/failure.js';
import { createKafka, KafkaProducer } from '../kafka/producer-kafkajs.js';
import { readTopicBatches, topicEnds } from '../kafka/topic-reader.js';
import { Capacity } from '../ops/capacity.js';
import { createLogger } from '../ops/logger.js';
import { configFlagOptions } from './config-flags.js';
import { prologue } from './prologue.js';

const HELP = `Usage: tributary replay --catalog FILE --dead-letter TOPIC --brokers HOST:PORT[,...]
                        [--binding NAME] [--since TIME] [--dry-run] [--json]

Reads the dead-letter topic up to its current end (in batches: twice, markers first) and submits every entry again through the same accept step
as the gateway (decode, validate, deduplicate, _meta, produce with acks=all), against the catalog as it is
now: after a schema fix, the entries it now accepts are produced to their collection's topic. Origin, token
and signature are not checked again (they were when the entry was first received). Each accepted entry gets a
'replayed' marker on the dead-letter topic, and a later replay skips it: an entry is produced once. Replayed
documents carry _meta.replayOf (the entry id) and a record header tributary-replay-of.

Options:
  --catalog FILE        the catalog (also TRIBUTARY_CATALOG)
  --dead-letter TOPIC   the dead-letter topic to read
  --binding NAME        only this binding's entries: capture/name, or the binding name
  --since TIME          only entries received at or after TIME (ISO 8601, e.g. 2026-12-02T01:00:00Z)
  --dry-run             accept without producing anything or writing markers: what would happen
  --json                print the report as JSON
  Every setting of 'tributary serve' (Kafka connection, limits) is read as serve reads it.
Exit code 0 when every entry was accepted (or already replayed), 1 when some are still refused or a marker
could not be written, 2 for a usage error.`;

export async function replayCommand(argv: string[]): Promise<number> {
  const invocation = prologue(
    {
      name: 'replay',
      help: HELP,
      options: {
        ...configFlagOptions(),
        'dead-letter': { type: 'string' },
        binding: { type: 'string' },
        since: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      requires: ['brokers'],
    },
    argv,
  );
  if (typeof invocation === 'number') return invocation;
  const { config, flags } = invocation;
  const topic = flags['dead-letter'];
  if (typeof topic !== 'string' || topic === '') {
    console.error(`tributary replay: --dead-letter is required\n\n${HELP}`);
    return 2;
  }
  let since: Date | undefined;
  if (typeof flags['since'] === 'string') {
    since = new Date(flags['since']);
    if (Number.isNaN(since.getTime())) {
      console.error(`tributary replay: --since '${flags['since']}' is not a time (ISO 8601)`);
      return 2;
    }
  }
  const loaded = await loadCatalog(config.catalog);
  if (loaded.catalog === undefined) {
    console.error(formatProblems(loaded));
    return 1;
  }
  const only = flags['binding'];
  if (
    typeof only === 'string' &&
    !loaded.catalog.bindings.some((b) => only === b.name || only === `${b.capture}/${b.name}`)
  ) {
    // Most likely a typo: a run that replays nothing and says so is worse. A removed binding's entries show
    // as NO_BINDING in a run without --binding.
    console.error(`tributary replay: --binding '${only}' names no binding of the catalog`);
    return 2;
  }
  const resolved = resolveConnection(config, process.env, { clientId: `${config.kafkaClientId}-replay` });
  if (resolved.problems.length > 0) {
    for (const p of resolved.problems) console.error(`tributary replay: ${p}`);
    return 2;
  }
  const logger = createLogger('warn');
  const kafka = createKafka(resolved.connection, logger);
  const dryRun = flags['dry-run'] === true;
  const producer = new KafkaProducer(
    kafka,
    {
      produceTimeoutMs: config.requestTimeoutMs,
      reconnectDelayMs: 1000,
      compression: config.kafkaCompression,
    },
    logger,
  );
  try {
    const ends = await topicEnds(kafka, topic);
    // Anything on the topic that is not a dead-letter record is counted (on the entries' pass) and skipped.
    let malformed = 0;
    let passes = 0;
    const pass: RecordPass = async (each) => {
      const counting = ++passes === 2;
      await readTopicBatches(kafka, topic, ends, (batch) => {
        const records: DeadLetterRecord[] = [];
        for (const r of batch) {
          const parsed = parseDeadLetterRecord(r.value);
          if (parsed !== undefined) records.push(parsed);
          else if (counting) malformed++;
        }
        return each(records);
      });
    };
    if (!dryRun) await producer.start();
    const door = new FrontDoor({
      router: () => createRouter(loaded.catalog!),
      // A dry run goes through every step but the produce itself.
      sink: { produce: (batch) => (dryRun ? Promise.resolve() : producer.send(batch)) },
      capacity: new Capacity({
        maxDocuments: config.maxInFlightDocuments,
        maxBytes: config.maxInFlightBytes,
      }),
      deliveries: new DeliveryLedger(new MemoryDeliveryStore(config.dedupeMaxEntries)),
      limits: doorLimits(config),
      publicUrl: config.publicUrl,
      // No observer: an entry still refused is reported here, not written to a dead-letter topic again.
      log: logger,
    });
    const report = await replay(
      pass,
      {
        dryRun,
        ...(typeof only === 'string' ? { binding: only } : {}),
        ...(since ? { since } : {}),
      },
      {
        door,
        newId: nextUuid,
        mark: (entry, marker) => producer.send([deadLetterRecord(topic, marker, entry.requestId)]),
      },
    );
    report.malformed = malformed;
    if (flags['json'] === true) console.log(JSON.stringify(reportJson(report, dryRun)));
    else for (const line of reportLines(report, dryRun)) console.log(line);
    const refused = [...report.bindings.values()].some((b) => Object.keys(b.rejected).length > 0);
    return refused || report.markerFailures > 0 ? 1 : 0;
  } catch (err) {
    console.error(`tributary replay: ${classifyFailure(err).reason}`);
    return 1;
  } finally {
    if (!dryRun) await producer.close();
    resolved.oauth?.close();
  }
}

export function reportJson(report: ReplayReport, dryRun: boolean): object {
  return {
    dryRun,
    bindings: Object.fromEntries(report.bindings),
    markerFailures: report.markerFailures,
    malformed: report.malformed,
  };
}

/** One line per binding: `acme/orders: 3 accepted (3 documents), 1 still rejected (TRIB_VALIDATE_SCHEMA 1)`. */
export function reportLines(report: ReplayReport, dryRun: boolean): string[] {
  const lines: string[] = [];
  if (report.bindings.size === 0) lines.push('no dead-letter entries to replay');
  for (const [binding, counts] of report.bindings) {
    const rejected = Object.entries(counts.rejected);
    const still = rejected.reduce((sum, [, n]) => sum + n, 0);
    const why = rejected.map(([code, n]) => `${code} ${n}`).join(', ');
    const verb = dryRun ? 'would be accepted' : 'accepted';
    lines.push(
      `${binding}: ${counts.accepted} ${verb} (${counts.documents} documents), ${still} still rejected${still > 0 ? ` (${why})` : ''}, ${counts.alreadyReplayed} already replayed`,
    );
  }
  if (report.malformed > 0) {
    lines.push(`${report.malformed} records on the topic are not dead-letter records: skipped`);
  }
  if (report.markerFailures > 0) {
    lines.push(
      `${report.markerFailures} replayed entries could not be marked: a later replay produces them again (same _meta.uuid)`,
    );
  }
  return lines;
}
