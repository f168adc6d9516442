// kafkajs 2.2.4 (its last release) schedules `setTimeout(check, throttledUntil - Date.now())` with
// throttledUntil = -1 when nothing is throttled (src/network/requestQueue/index.js, scheduleCheckPendingRequests),
// so every connection sets a timer of about -1.8e12 ms. Node clamps it to 1 ms, and since Node 24 prints
// "TimeoutNegativeWarning: -17961... is a negative number" once per process. The method is restated below with
// the clamp written out (same timers, same behaviour, no warning). Imported wherever src/kafka creates a kafkajs
// client; a kafkajs without this file is refused at load rather than patched blindly.
import { createRequire } from 'node:module';

interface RequestQueueLike {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_MS = 10;

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: RequestQueueLike;
};

RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (!this.throttleCheckTimeoutId) {
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_MS;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(1, scheduleAt),
    );
  }
};
