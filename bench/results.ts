// The shape of bench/results/*.json: written by run.ts, read by render.ts (and its fixture test).

export interface LatencyMs {
  p50: number;
  p90?: number;
  p99: number;
  max?: number;
  mean?: number;
}

/** One measured run of one system (the gateway or a baseline) in one round. */
export interface Measurement {
  /** Which system and shape: webhooks, batch-array, batch-ndjson, websocket, fastify, kafkajs, ... */
  id: string;
  round: number;
  durationSec: number;
  docsPerSec: number;
  requestsPerSec?: number;
  latencyMs?: LatencyMs;
  /** Average cores used: named processes, `machine` (all) and `others` (other users of the machine). */
  cores?: Record<string, number>;
  peakRssMiB?: number;
  /** Answers: 2xx (or acks), non-2xx (or nacks), transport errors. */
  ok?: number;
  non2xx?: number;
  errors?: number;
  /** Records Kafka held in the measurement's fresh topic afterwards (at least ok x docs per request). */
  recordsInTopic?: number;
  /** Bytes the topic's log segments take on the broker (compression scenario). */
  brokerBytes?: number;
  note?: string;
}

/**
 * A paced generator's own health, reported beside the latency it measured: its event-loop delay (p99, max) and how
 * late requests left it (send lag: time from due to http.request, p99 and max). A tail seen here as well is the
 * generator's or the machine's, not the server's; it still counts in the latency (measured from due).
 */
export interface GeneratorHealth {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  sendLagP99Ms: number;
  sendLagMaxMs: number;
}

export interface CurvePoint {
  /** 'fastify': the bare-route control at half of peak, same client and placement; absent (gateway) in older results. */
  server?: 'gateway' | 'fastify';
  targetRate: number;
  /** Target as a share of the peak webhook rate. */
  share: number;
  docsPerSec: number;
  latencyMs: LatencyMs;
  non2xx: number;
  /** The paced client's health (bench/lib/paced-load.ts); absent in older results. */
  generator?: GeneratorHealth;
  /** p99 from the actual send, diagnosis only (the reported p99 runs from when each request was due). */
  fromSendP99Ms?: number;
  /** TCP segments the kernel retransmitted during the step (machine-wide). */
  retransmits?: number;
  /** The gateway's produce calls (acks=all) in the step, and those over 10 ms: Kafka's share of a tail. */
  produceCalls?: number;
  produceCallsOver10ms?: number;
  /** Milliseconds per second the server's main thread was runnable but waiting for a CPU (/proc schedstat). */
  cpuWaitMsPerSec?: number;
}

export interface ScaleResults {
  catalog?: {
    bindings: number;
    sharedSchemaBindings: number;
    smallSchemaBindings: number;
    /** Spawn of `tributary serve` to the first 200 on /readyz: the median of the starts. */
    readyMs: number;
    /** Every start's figure (absent in results from before 2026-12-04: one start). */
    readyMsEach?: number[];
    rssMiB: number;
    /** A one-binding catalog on the same machine, for comparison, started alternately with the big one. */
    baselineReadyMs: number;
    baselineReadyMsEach?: number[];
    baselineRssMiB: number;
  };
  idleWebSockets?: {
    connections: number;
    rssBeforeMiB: number;
    rssAfterMiB: number;
    bytesPerConnection: number;
    openMs: number;
  };
}

export interface InstancesResult {
  instances: number;
  how: string;
  docsPerSec: number;
  /** Against one instance in the same run. */
  singleDocsPerSec: number;
  cores: Record<string, number>;
  latencyMs: LatencyMs;
}

/** Scenario 6: validation alone, CPU µs per document, the validator before issue 13 and now, in one run. */
export interface ValidationRow {
  schema: string;
  documents: number;
  beforeUs?: number;
  /** Why there is no "before" figure (the earlier validator refused the schema, or its commit is absent). */
  beforeNote?: string;
  afterUs: number;
  afterEngine: string;
}

export interface ValidationResult {
  /** The commit whose src/validate is "before". */
  before: string;
  rounds: number;
  durationMs: number;
  rows: ValidationRow[];
}

export interface BenchResults {
  version: 1;
  date: string;
  machine: {
    nproc: number;
    cpuModel: string;
    memoryGiB: number;
    os: string;
    /** 1-minute load average before the run, and its min/max sampled during the run. */
    loadBefore: number;
    loadDuring: { min: number; max: number; mean: number };
  };
  versions: Record<string, string>;
  settings: Record<string, string | number | boolean>;
  measurements: Measurement[];
  curve: CurvePoint[];
  scale: ScaleResults;
  instances?: InstancesResult;
  validation?: ValidationResult;
  /** Systems or scenarios that could not run here, with the exact reason. */
  unavailable: Record<string, string>;
  /** Free-form findings worth keeping next to the numbers (profiles, tuning). */
  notes?: string[];
}
