import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/indices.js';
import { targetQueueDepth } from '../../src/requests/queue-depth.js';

describe('targetQueueDepth', () => {
  it('covers 3 s of the download rate in blocks', () => {
    expect(targetQueueDepth(10 * BLOCK_SIZE)).toBe(30);
    expect(targetQueueDepth(10 * BLOCK_SIZE + 1)).toBe(31);
    expect(targetQueueDepth(10 * BLOCK_SIZE, { queueTimeSeconds: 1 })).toBe(10);
    expect(targetQueueDepth(10 * 1000, { blockSize: 1000 })).toBe(30);
  });

  it('never goes below the minimum (2) for a new or slow peer', () => {
    expect(targetQueueDepth(0)).toBe(2);
    expect(targetQueueDepth(100)).toBe(2);
    expect(targetQueueDepth(0, { min: 5 })).toBe(5);
  });

  it('never goes above the maximum (500)', () => {
    expect(targetQueueDepth(1e12)).toBe(500);
    expect(targetQueueDepth(1e12, { max: 64 })).toBe(64);
  });

  it("never goes above the peer's reqq, even below the minimum", () => {
    expect(targetQueueDepth(1e9, { peerReqq: 250 })).toBe(250);
    expect(targetQueueDepth(0, { peerReqq: 1 })).toBe(1);
    expect(targetQueueDepth(10 * BLOCK_SIZE, { peerReqq: 1000 })).toBe(30);
  });

  it('hostile peer: a reqq of 0, negative, fractional, NaN or Infinity does not break the depth', () => {
    expect(targetQueueDepth(10 * BLOCK_SIZE, { peerReqq: 0 })).toBe(30);
    expect(targetQueueDepth(10 * BLOCK_SIZE, { peerReqq: -5 })).toBe(30);
    expect(targetQueueDepth(10 * BLOCK_SIZE, { peerReqq: Number.NaN })).toBe(30);
    expect(targetQueueDepth(1e12, { peerReqq: Number.POSITIVE_INFINITY })).toBe(500);
    expect(targetQueueDepth(10 * BLOCK_SIZE, { peerReqq: 7.9 })).toBe(7);
  });

  it('treats a nonsense rate as unknown', () => {
    expect(targetQueueDepth(Number.NaN)).toBe(2);
    expect(targetQueueDepth(-1_000_000)).toBe(2);
    expect(targetQueueDepth(Number.POSITIVE_INFINITY)).toBe(2);
  });
});
