// Prometheus metrics (prom-client), one registry per app so tests can run several gateways in one process.
//
// Label values come only from bounded sets: capture and binding names from the catalog ("" for a path that
// matched no binding, so scanning random URLs cannot grow the series), HTTP status codes, and error codes from
// src/errors.ts. Nothing from headers, bodies, URLs or tokens ever becomes a label.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Binding } from '../catalog/model.js';
import type { BatchObserver } from '../kafka/batcher.js';

export interface MetricSources {
  inFlight(): { documents: number; bytes: number };
  /** Seconds since Kafka last answered a produce or metadata request; Infinity when it never did. */
  kafkaMetadataAge?(): number;
  ready?(): boolean;
  draining?(): boolean;
  bindings?(): number;
  websocketConnections?(): number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The binding a request was routed to, admitted or not (set by the ingest route). */
    ingestBinding: Binding | undefined;
    /** True once the front door counted the request's documents (accepted or refused). */
    ingestCounted: boolean;
    /** The problem code answered (set by sendProblem). */
    problemCode: string | undefined;
  }
}

/**
 * What the front door (src/ingest/front-door.ts, IngestObserver) tells metrics, by shape: ops does not import
 * the door it is wired to.
 */
export interface DocumentObserver {
  refused(refusal: { binding: Binding | undefined; error: { code: string }; receivedBytes: number }): void;
  settled(settlement: {
    binding: Binding;
    receivedBytes: number;
    documents: number;
    acceptedBytes: number;
    error: { code: string } | undefined;
  }): void;
}

const BINDING = ['capture', 'binding'] as const;

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'tributary_http_requests_total',
    help: 'Webhook requests answered, by binding, HTTP status and error code ("" when accepted)',
    labelNames: [...BINDING, 'status', 'code'],
    registers: [this.registry],
    collect: () => this.flush(),
  });
  readonly documentsAccepted = new Counter({
    name: 'tributary_documents_accepted_total',
    help: 'Documents acknowledged by Kafka (acks=all) and answered 2xx or, on a WebSocket, ok',
    labelNames: BINDING,
    registers: [this.registry],
    collect: () => this.flush(),
  });
  readonly documentsRejected = new Counter({
    name: 'tributary_documents_rejected_total',
    help: 'Documents of refused requests and frames, by error code (one that could not be decoded counts as one)',
    labelNames: [...BINDING, 'code'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'tributary_dead_letter_entries_total',
    help: 'Refusals of bindings with a deadLetter topic, by outcome: written, failed, dropped_rate, dropped_bytes, dropped_backlog; never written: unauthenticated, not_admitted (refused before the body was read)',
    labelNames: [...BINDING, 'outcome'],
    registers: [this.registry],
  });
  readonly receivedBytes = new Counter({
    name: 'tributary_received_bytes_total',
    help: 'Request body and WebSocket message bytes as sent (before Content-Encoding is undone)',
    labelNames: BINDING,
    registers: [this.registry],
    collect: () => this.flush(),
  });
  readonly acceptedBytes = new Counter({
    name: 'tributary_accepted_bytes_total',
    help: 'Bytes of stamped documents acknowledged by Kafka',
    labelNames: BINDING,
    registers: [this.registry],
    collect: () => this.flush(),
  });
  readonly produceSeconds = new Histogram({
    name: 'tributary_kafka_produce_duration_seconds',
    help: 'Time of one produce call (one batch, acks=all), by outcome',
    labelNames: ['outcome'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });
  readonly batchDocuments = new Histogram({
    name: 'tributary_kafka_batch_documents',
    help: 'Documents per produce call',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [this.registry],
  });
  readonly batchBytes = new Histogram({
    name: 'tributary_kafka_batch_bytes',
    help: 'Bytes per produce call',
    buckets: [256, 1024, 4096, 16384, 65536, 262144, 524288, 1048576],
    registers: [this.registry],
  });
  readonly kafkaErrors = new Counter({
    name: 'tributary_kafka_errors_total',
    help: 'Failed produce calls, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private websocketSource: (() => number) | undefined;
  /** Read at scrape time from the WebSocket registry (see watch()). */
  readonly websocketConnections = new Gauge({
    name: 'tributary_websocket_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
    collect: () => {
      if (this.websocketSource !== undefined) this.websocketConnections.set(this.websocketSource());
    },
  });
  readonly catalogReloads = new Counter({
    name: 'tributary_catalog_reloads_total',
    help: 'Catalog reloads (SIGHUP or file change), by result',
    labelNames: ['result'],
    registers: [this.registry],
  });

  /**
   * Issue 17: the counts of accepted payloads and 200 answers, per binding, in plain fields, folded into the
   * counters above when they are read (scrape). prom-client hashes and validates the labels on every inc(): four
   * of those per webhook were ~3% of the gateway's CPU. Refusals stay direct (rare, and labelled by code).
   */
  private readonly tallies = new WeakMap<Binding, Tally>();
  private dirty: Tally[] = [];

  private tallyOf(binding: Binding): Tally {
    let tally = this.tallies.get(binding);
    if (tally === undefined) {
      tally = {
        labels: bindingLabels(binding),
        received: 0,
        accepted: 0,
        acceptedBytes: 0,
        ok: 0,
        dirty: false,
      };
      this.tallies.set(binding, tally);
    }
    if (!tally.dirty) {
      tally.dirty = true;
      this.dirty.push(tally);
    }
    return tally;
  }

  /** Folds the tallies into the counters; called by their collect(), so every read sees every count. */
  private flush(): void {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    this.dirty = [];
    for (const t of dirty) {
      t.dirty = false;
      if (t.received > 0) this.receivedBytes.inc(t.labels, t.received);
      if (t.accepted > 0) this.documentsAccepted.inc(t.labels, t.accepted);
      if (t.acceptedBytes > 0) this.acceptedBytes.inc(t.labels, t.acceptedBytes);
      if (t.ok > 0) this.requests.inc({ ...t.labels, status: '200', code: '' }, t.ok);
      t.received = t.accepted = t.acceptedBytes = t.ok = 0;
    }
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tributary_' });
  }

  /** Gauges read at scrape time from the running app (called once, by buildApp). */
  watch(sources: MetricSources): void {
    const registers = [this.registry];
    this.websocketSource = sources.websocketConnections;
    new Gauge({
      name: 'tributary_in_flight_documents',
      help: 'Documents accepted and not yet answered (bounded by TRIBUTARY_MAX_IN_FLIGHT_DOCUMENTS)',
      registers,
      collect() {
        this.set(sources.inFlight().documents);
      },
    });
    new Gauge({
      name: 'tributary_in_flight_bytes',
      help: 'Bytes of documents accepted and not yet answered (bounded by TRIBUTARY_MAX_IN_FLIGHT_BYTES)',
      registers,
      collect() {
        this.set(sources.inFlight().bytes);
      },
    });
    const { kafkaMetadataAge, ready, draining, bindings } = sources;
    if (kafkaMetadataAge) {
      new Gauge({
        name: 'tributary_kafka_metadata_age_seconds',
        help: 'Seconds since Kafka last answered a produce or metadata request (+Inf: never)',
        registers,
        collect() {
          this.set(kafkaMetadataAge());
        },
      });
    }
    if (ready) {
      new Gauge({
        name: 'tributary_ready',
        help: '1 while /readyz answers 200',
        registers,
        collect() {
          this.set(ready() ? 1 : 0);
        },
      });
    }
    if (draining) {
      new Gauge({
        name: 'tributary_draining',
        help: '1 from SIGTERM until exit',
        registers,
        collect() {
          this.set(draining() ? 1 : 0);
        },
      });
    }
    if (bindings) {
      new Gauge({
        name: 'tributary_catalog_bindings',
        help: 'Bindings served by the current catalog',
        registers,
        collect() {
          this.set(bindings());
        },
      });
    }
  }

  /** For the Batcher: latency, size and failures of every produce call. */
  readonly observeBatch: BatchObserver = ({ records, bytes, ms, error }) => {
    this.produceSeconds.observe({ outcome: error ? 'error' : 'ok' }, ms / 1000);
    this.batchDocuments.observe(records);
    this.batchBytes.observe(bytes);
    if (error) this.kafkaErrors.inc({ code: error.code });
  };

  /**
   * Documents of every transport into the same per-binding counters: received bytes, and documents accepted
   * (acknowledged by Kafka) or rejected by error code (a payload that could not be decoded, or was refused at
   * admission, counts as one document). Frames are not requests: tributary_http_requests_total skips them.
   */
  readonly documentObserver: DocumentObserver = {
    refused: ({ binding, error, receivedBytes }) => {
      if (binding === undefined) return;
      const labels = bindingLabels(binding);
      if (receivedBytes > 0) this.receivedBytes.inc(labels, receivedBytes);
      this.documentsRejected.inc({ ...labels, code: error.code }, 1);
    },
    settled: ({ binding, receivedBytes, documents, acceptedBytes, error }) => {
      const tally = this.tallyOf(binding);
      tally.received += receivedBytes;
      if (error === undefined) {
        tally.accepted += documents;
        tally.acceptedBytes += acceptedBytes;
      } else this.documentsRejected.inc({ ...tally.labels, code: error.code }, documents || 1);
    },
  };

  /** Counts every answer of the ingest routes (POSTs to bindings, and 404/405s); probes and docs are left out. */
  observeRequests(fastify: FastifyInstance, isIngest: (request: FastifyRequest) => boolean): void {
    fastify.decorateRequest('ingestBinding', undefined);
    fastify.decorateRequest('ingestCounted', false);
    fastify.decorateRequest('problemCode', undefined);
    // Callback style: an async hook costs a promise per request, on every request.
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      if (isIngest(request)) {
        this.countAnswer(request.ingestBinding, reply.statusCode, request.problemCode, request.ingestCounted);
      }
      done();
    });
  }

  /**
   * One ingest answer (Fastify's onResponse hook, or the lean webhook handler in routes/ingest-http.ts).
   * `counted`: the front door already counted its documents.
   */
  countAnswer(
    binding: Binding | undefined,
    statusCode: number,
    problemCode: string | undefined,
    counted: boolean,
  ): void {
    const code = problemCode ?? '';
    if (binding !== undefined && statusCode === 200 && code === '') {
      this.tallyOf(binding).ok++;
      return;
    }
    const labels = bindingLabels(binding);
    this.requests.inc({ ...labels, status: String(statusCode), code });
    // Refused after admission but outside the door (the body too slow or too large while read): one document.
    if (binding !== undefined && !counted && statusCode >= 300) {
      this.documentsRejected.inc({ ...labels, code: code || String(statusCode) }, 1);
    }
  }
}

interface Tally {
  readonly labels: { capture: string; binding: string };
  received: number;
  accepted: number;
  acceptedBytes: number;
  /** 200 answers without a problem code. */
  ok: number;
  dirty: boolean;
}

/** A request that matched no binding is counted with both labels empty (bounded series). */
function bindingLabels(binding: Binding | undefined): { capture: string; binding: string } {
  return { capture: binding?.capture ?? '', binding: binding?.name ?? '' };
}
