import { describe, expect, it } from 'vitest';
import {
  COMPACT_NODE_BYTES,
  decodeCompactNodes,
  decodeCompactPeer,
  encodeCompactNodes,
  encodeCompactPeer,
  isRoutableAddress,
} from '../../src/dht/compact.js';

const id = (fill: number) => new Uint8Array(20).fill(fill);

describe('compact node and peer info (BEP 5)', () => {
  it('round-trips peers and nodes', () => {
    expect(encodeCompactPeer('1.2.3.4', 6881)).toEqual(new Uint8Array([1, 2, 3, 4, 0x1a, 0xe1]));
    expect(decodeCompactPeer(new Uint8Array([1, 2, 3, 4, 0x1a, 0xe1]))).toEqual({
      host: '1.2.3.4',
      port: 6881,
    });
    const nodes = [
      { id: id(1), host: '10.0.0.1', port: 1 },
      { id: id(2), host: '127.0.0.1', port: 65535 },
    ];
    const bytes = encodeCompactNodes(nodes);
    expect(bytes.length).toBe(2 * COMPACT_NODE_BYTES);
    expect(decodeCompactNodes(bytes, 16)).toEqual(nodes);
  });

  it('leaves out IPv6 and bad ports when encoding', () => {
    expect(encodeCompactPeer('::1', 6881)).toBeUndefined();
    expect(encodeCompactPeer('1.2.3.4', 70000)).toBeUndefined();
    expect(encodeCompactNodes([{ id: id(1), host: '::1', port: 1 }]).length).toBe(0);
  });

  it('hostile: nodes pointing at port 0, 0.0.0.0, multicast or broadcast are skipped', () => {
    const bytes = new Uint8Array(4 * COMPACT_NODE_BYTES);
    const put = (index: number, address: number[], port: number) => {
      bytes.set(id(index + 1), index * COMPACT_NODE_BYTES);
      bytes.set([...address, port >> 8, port & 255], index * COMPACT_NODE_BYTES + 20);
    };
    put(0, [10, 0, 0, 1], 0);
    put(1, [0, 0, 0, 0], 6881);
    put(2, [239, 1, 1, 1], 6881);
    put(3, [255, 255, 255, 255], 6881);
    expect(decodeCompactNodes(bytes, 16)).toEqual([]);
    expect(decodeCompactPeer(new Uint8Array([10, 0, 0, 1, 0, 0]))).toBeUndefined();
    expect(isRoutableAddress('10.0.0.1', 6881)).toBe(true);
  });

  it('hostile: a huge nodes string is read only up to the cap, a trailing partial entry ignored', () => {
    const many = encodeCompactNodes(
      Array.from({ length: 100 }, (_, i) => ({ id: id(i), host: '10.0.0.1', port: i + 1 })),
    );
    const withPartial = new Uint8Array(many.length + 7);
    withPartial.set(many);
    expect(decodeCompactNodes(withPartial, 16)).toHaveLength(16);
    expect(decodeCompactNodes(withPartial.subarray(0, 30), 16)).toHaveLength(1);
  });

  it('hostile: peers of the wrong length are refused', () => {
    expect(decodeCompactPeer(new Uint8Array(18))).toBeUndefined();
    expect(decodeCompactPeer(new Uint8Array(5))).toBeUndefined();
  });
});
