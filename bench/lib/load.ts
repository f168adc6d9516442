// HTTP load from this (the runner's) process with autocannon: keep-alive connections, bounded in time, with the
// bodies cycled so consecutive requests carry different documents (and keys).
import autocannon from 'autocannon';
import { round } from './stats.js';

export interface HttpLoad {
  url: string;
  bodies: readonly string[];
  contentType: string;
  /** Documents in each body, to turn requests into documents. */
  docsPerBody: number;
  connections: number;
  durationSec: number;
  /** Fixed request rate across all connections; unset means as fast as the server answers. */
  overallRate?: number;
  headers?: Record<string, string>;
}

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface HttpLoadResult {
  durationSec: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  requestsPerSec: number;
  docsPerSec: number;
  latencyMs: LatencyMs;
}

export async function runHttpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  let next = 0;
  const { bodies } = load;
  const result = await autocannon({
    url: load.url,
    method: 'POST',
    connections: load.connections,
    duration: load.durationSec,
    ...(load.overallRate === undefined ? {} : { overallRate: load.overallRate }),
    headers: { 'content-type': load.contentType, ...load.headers },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          request.body = bodies[next++ % bodies.length]!;
          return request;
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    durationSec: result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    requestsPerSec: round(ok / result.duration),
    docsPerSec: round((ok * load.docsPerBody) / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.average, 2),
    },
  };
}
