import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../../src/wire/chunk-queue.js';
import { filled } from './helpers.js';

describe('ChunkQueue', () => {
  it('reads big-endian integers that straddle chunks', () => {
    const queue = new ChunkQueue();
    queue.push(Uint8Array.of(0x01, 0x02));
    queue.push(Uint8Array.of(0x03));
    queue.push(Uint8Array.of(0x04, 0xab, 0xcd, 0xff));
    expect(queue.readUint32()).toBe(0x01020304);
    expect(queue.readUint16()).toBe(0xabcd);
    expect(queue.length).toBe(1);
    expect(queue.peekUint8()).toBe(0xff);
  });

  it('reads 0xFFFFFFFF as an unsigned number', () => {
    const queue = new ChunkQueue();
    queue.push(Uint8Array.of(0xff, 0xff));
    queue.push(Uint8Array.of(0xff, 0xff));
    expect(queue.readUint32()).toBe(0xffffffff);
  });

  it('takes a view when the bytes sit in one chunk and a copy when they straddle', () => {
    const first = filled(10, 1);
    const second = filled(10, 2);
    const queue = new ChunkQueue();
    queue.push(first);
    queue.push(second);
    const view = queue.takeBytes(4);
    expect(view.buffer).toBe(first.buffer);
    const straddling = queue.takeBytes(10);
    expect(straddling.buffer).not.toBe(first.buffer);
    expect(straddling).toEqual(Uint8Array.from([...first.subarray(4), ...second.subarray(0, 4)]));
    expect(queue.length).toBe(6);
  });

  it('peeks at any offset without consuming', () => {
    const queue = new ChunkQueue();
    queue.push(Uint8Array.of(1));
    queue.push(Uint8Array.of(2, 3));
    queue.push(Uint8Array.of(4));
    expect([0, 1, 2, 3].map((i) => queue.peekUint8At(i))).toEqual([1, 2, 3, 4]);
    expect(queue.length).toBe(4);
  });

  it('coalesce gathers tiny chunks into one buffer and fills it from later pushes, keeping the overflow', () => {
    const data = filled(200, 3);
    const queue = new ChunkQueue();
    for (let i = 0; i < 50; i++) queue.push(data.subarray(i, i + 1));
    expect(queue.chunkCount).toBe(50);
    queue.coalesce(100);
    expect(queue.chunkCount).toBe(1);
    for (let i = 50; i < 99; i++) queue.push(data.subarray(i, i + 1));
    expect(queue.chunkCount).toBe(1);
    queue.push(data.subarray(99, 150)); // completes the 100 bytes; 50 more queue behind
    expect(queue.chunkCount).toBe(2);
    expect(queue.length).toBe(150);
    const block = queue.takeBlock(100);
    expect(block.bytes()).toEqual(data.subarray(0, 100));
    expect(queue.takeBytes(50)).toEqual(data.subarray(100, 150));
    expect(queue.length).toBe(0);
  });

  it('compact drops consumed chunks', () => {
    const queue = new ChunkQueue();
    queue.push(Uint8Array.of(1, 2));
    queue.push(Uint8Array.of(3));
    queue.skip(2);
    queue.compact();
    expect(queue.chunkCount).toBe(1);
    expect(queue.readUint8()).toBe(3);
  });
});
