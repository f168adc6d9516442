// `rateLimit: { max: 100, timeWindow: '1 minute' }` on a binding's resource, or on `endpoint.ingest` as the
// default of every binding of the capture. Each binding counts its own requests (shared by every replica when
// TRIBUTARY_REDIS_URL is set): webhook senders come from shared egress addresses, so a per-IP key would mean
// nothing.
import type { Location } from './model.js';
import { at, isMapping, type ProblemLog } from './problems.js';

export interface RateLimit {
  /** Requests allowed per window. */
  max: number;
  timeWindowMs: number;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

// Parsed here rather than handed to @fastify/rate-limit as a string: its parser turns a typo into a default
// window, and a catalog mistake must be reported by `tributary check`.
const WINDOW = /^(\d+)\s*([a-z]+)$/;

function windowMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = WINDOW.exec(value.trim().toLowerCase());
  const unit = m ? UNITS[m[2]!] : undefined;
  if (!m || unit === undefined) return undefined;
  const ms = Number(m[1]) * unit;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The checked limit, undefined when not set or not valid. Its shape (a whole `max`, a number or string window)
 * is the catalog schema's; the duration's units are read here.
 */
export function checkRateLimit(value: unknown, location: Location, log: ProblemLog): RateLimit | undefined {
  if (!isMapping(value)) return undefined;
  const max = value['max'];
  const ms = windowMs(value['timeWindow'] ?? '1 minute');
  if (ms === undefined) {
    log.error(
      at(location, 'timeWindow'),
      "timeWindow must be milliseconds or a duration such as '10 seconds', '1 minute', '1 hour'",
    );
  }
  return typeof max === 'number' && ms !== undefined ? { max, timeWindowMs: ms } : undefined;
}
