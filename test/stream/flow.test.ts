// Flow control of one stream (src/stream/flow.ts): pause at the window, resume below half of it, never flap.
import { describe, expect, it } from 'vitest';
import { FlowControl } from '../../src/stream/flow.js';

function socket() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('FlowControl', () => {
  it('pauses at the byte window and resumes only below half of it', () => {
    const s = socket();
    const flow = new FlowControl(s, { bytes: 100, documents: 1000 });
    flow.received(60);
    flow.update();
    expect(s.calls).toEqual([]);
    flow.received(40);
    flow.update();
    expect(s.calls).toEqual(['pause']);
    expect(flow.isPaused).toBe(true);
    flow.answered(40, 0);
    flow.update();
    expect(s.calls).toEqual(['pause']); // 60 unanswered: above half, still paused
    flow.answered(20, 0);
    flow.update();
    expect(s.calls).toEqual(['pause', 'resume']);
    expect(flow.peakUnacked).toBe(100);
    expect(flow.pauses).toBe(1);
  });

  it('pauses at the document window, while waiting for capacity, and while answers go unread', () => {
    const s = socket();
    const flow = new FlowControl(s, { bytes: 100, documents: 10 });
    flow.admitted(10);
    flow.update();
    expect(flow.isPaused).toBe(true);
    flow.answered(0, 10);
    flow.update();
    expect(flow.isPaused).toBe(false);
    flow.setWaiting(true);
    expect(flow.isPaused).toBe(true);
    flow.setWaiting(false);
    expect(flow.isPaused).toBe(false);
    flow.sending(100);
    expect(flow.outboundStalled).toBe(true);
    flow.update();
    expect(flow.isPaused).toBe(true);
    flow.sent(100);
    expect(flow.isPaused).toBe(false);
  });

  it('holds for good, then release reads again and ends flow control', () => {
    const s = socket();
    const flow = new FlowControl(s, { bytes: 100, documents: 10 });
    flow.hold();
    expect(flow.isPaused).toBe(true);
    expect(flow.pausedSinceLastBeat()).toBe(true);
    flow.release();
    expect(flow.isPaused).toBe(false);
    flow.received(500);
    flow.update();
    expect(s.calls).toEqual(['pause', 'resume']);
    expect(flow.pausedSinceLastBeat()).toBe(true); // paused since the previous beat
    expect(flow.pausedSinceLastBeat()).toBe(false);
  });
});
