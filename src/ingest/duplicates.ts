// Duplicate suppression per binding (`resource.deduplicate`): which delivery ids a request carries, and holding
// them while the request runs. The guarantee is best effort within a bounded window:
// - an id is recorded only after Kafka acknowledged, so a delivery answered 503 is retried, not suppressed;
// - two requests with the same id at once: the first claims it, the second gets 503 TRIB_DELIVERY_IN_PROGRESS and
//   its retry is answered as a duplicate (or produced, when the first failed and released the claim);
// - copies still get through when the store is unavailable (Redis down: fail open), when the in-process store
//   evicts an id (TRIBUTARY_DEDUPE_MAX_ENTRIES), after the window, when the record after the ack fails, and after
//   a 503 whose documents Kafka had in fact written. Consumers that need exactly-once deduplicate on the
//   tributary-delivery-id record header.
import { createHash, randomUUID } from 'node:crypto';
import type { Binding, DeduplicatePolicy } from '../catalog/model.js';
import type { Document } from '../decode/json.js';
import { parsePointer, resolveTokens } from '../document/pointer.js';
import { ERRORS, TributaryError } from '../errors.js';
import type { ClaimResult, DeliveryStore } from './deliveries.js';

export interface WarnLog {
  warn(obj: object, msg: string): void;
}

export interface DeliveryClaim {
  /** Per document: its delivery id, or undefined (not checked, produced as usual). */
  ids: Array<string | undefined>;
  /** Per document: delivered before within the window, or a repeat of an earlier document of this request. */
  duplicate: boolean[];
  /** After the answer is known: completes the claims when Kafka acknowledged, releases them otherwise. */
  settle(acknowledged: boolean): Promise<void>;
}

const pointerTokens = new WeakMap<DeduplicatePolicy, string[]>();

/** Per document, its delivery id: the header's value for every document, or the string/integer at the pointer. */
export function deliveryIds(
  policy: DeduplicatePolicy,
  headers: Record<string, string | string[] | undefined>,
  docs: readonly Document[],
): Array<string | undefined> {
  if (policy.header !== undefined) {
    const raw = headers[policy.header];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return docs.map(() => (value === '' ? undefined : value));
  }
  let tokens = pointerTokens.get(policy);
  if (tokens === undefined) {
    tokens = parsePointer(policy.pointer ?? '');
    pointerTokens.set(policy, tokens);
  }
  return docs.map((doc) => {
    const value = resolveTokens(doc, tokens);
    if (typeof value === 'string' && value !== '') return value;
    return Number.isSafeInteger(value) ? String(value) : undefined;
  });
}

/** Ids are the sender's text: long ones are hashed so a key stays small. */
export function deliveryKey(binding: Pick<Binding, 'capture' | 'name'>, id: string): string {
  const part = id.length <= 200 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
  return `tributary:delivery:${binding.capture}/${binding.name}:${part}`;
}

export class DeliveryLedger {
  private lastWarning = 0;

  constructor(readonly store: DeliveryStore) {}

  /** Claims every distinct id; throws 503 DELIVERY_IN_PROGRESS when another request holds one of them. */
  async claim(
    binding: Pick<Binding, 'capture' | 'name'>,
    policy: DeduplicatePolicy,
    ids: Array<string | undefined>,
    deadline: number,
    log: WarnLog,
  ): Promise<DeliveryClaim> {
    const distinct = [...new Set(ids.filter((id): id is string => id !== undefined))];
    const token = randomUUID();
    // The claim outlives the request's deadline a little: the batcher settles every request by then.
    const pendingMs = Math.max(1000, deadline - Date.now() + 1000);
    const results = await Promise.all(
      distinct.map((id) =>
        this.store.claim(deliveryKey(binding, id), token, pendingMs).catch((err: unknown): 'unchecked' => {
          this.warn(log, err, 'cannot check a delivery id; producing without duplicate suppression');
          return 'unchecked';
        }),
      ),
    );
    const state = new Map<string, ClaimResult | 'unchecked'>(distinct.map((id, i) => [id, results[i]!]));
    const owned = distinct.filter((id) => state.get(id) === 'claimed');
    const release = () =>
      Promise.all(
        owned.map((id) =>
          this.store.release(deliveryKey(binding, id), token).catch((err: unknown) => {
            this.warn(log, err, 'cannot release a delivery id claim; it expires on its own');
          }),
        ),
      );
    if (results.includes('pending')) {
      await release();
      throw new TributaryError(
        ERRORS.DELIVERY_IN_PROGRESS,
        'another request with the same delivery id is in flight; retry shortly',
      );
    }
    const seen = new Set<string>();
    const byDocument = policy.pointer !== undefined;
    const duplicate = ids.map((id) => {
      if (id === undefined) return false;
      if (state.get(id) === 'done') return true;
      // With a header id, every document of the request shares it; with a pointer, a repeat is a duplicate.
      if (byDocument && seen.has(id)) return true;
      seen.add(id);
      return false;
    });
    const windowMs = policy.windowSeconds * 1000;
    const record = distinct.filter((id) => state.get(id) === 'claimed' || state.get(id) === 'unchecked');
    return {
      ids,
      duplicate,
      settle: async (acknowledged) => {
        if (!acknowledged) {
          await release();
          return;
        }
        await Promise.all(
          record.map((id) =>
            this.store.complete(deliveryKey(binding, id), windowMs).catch((err: unknown) => {
              this.warn(
                log,
                err,
                'cannot record a delivery id after the Kafka ack; a retry would be produced again',
              );
            }),
          ),
        );
      },
    };
  }

  private warn(log: WarnLog, err: unknown, message: string): void {
    // One line per 10 s: with Redis down every request would log it.
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    log.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  }
}
