import { SeededRandom } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DHT_LIMITS } from '../../src/dht/dht-limits.js';
import { commonPrefixBits, compareDistance, randomIdWithPrefix } from '../../src/dht/node-id.js';
import { RoutingTable } from '../../src/dht/routing-table.js';

const OWN_ID = new Uint8Array(20); // all zeros: a node's bucket is its number of leading zero bits
const MINUTE = 60_000;

/** An id with `prefix` leading zero bits (so it lands in bucket `prefix` of a table around OWN_ID), then `tail`. */
function idInBucket(prefix: number, tail: number): Uint8Array {
  const id = new Uint8Array(20);
  const bit = prefix; // first set bit
  id[bit >> 3] = 0x80 >> (bit & 7);
  id[19] = id[19]! | (tail & 0xff);
  id[18] = id[18]! | ((tail >> 8) & 0xff);
  return id;
}

function table(): RoutingTable {
  return new RoutingTable(OWN_ID, DEFAULT_DHT_LIMITS, 0);
}

const contact = (id: Uint8Array, n: number) => ({ id, host: `10.0.${n >> 8}.${n & 255}`, port: 6881 });

describe('routing table (BEP 5 k-buckets)', () => {
  it('splits the bucket holding our own id when it overflows; far buckets stay at k', () => {
    const routing = table();
    for (let n = 0; n < 8; n++)
      expect(routing.heardFrom(contact(idInBucket(0, n), n), 0, 'response')).toBe('added');
    expect(routing.bucketCount).toBe(1);
    // A ninth node: the only bucket is split; the eight far nodes (first bit 1) stay in bucket 0.
    expect(routing.heardFrom(contact(idInBucket(5, 1), 100), 0, 'response')).toBe('added');
    expect(routing.bucketCount).toBe(2);
    expect(routing.bucketSizes()).toEqual([8, 1]);
    // Bucket 0 is full and cannot split (it does not hold our id): the newcomer waits as a replacement.
    expect(routing.heardFrom(contact(idInBucket(0, 99), 99), 0, 'response')).toBe('replacement');
    expect(routing.size).toBe(9);
  });

  it('fills near buckets by splitting repeatedly', () => {
    const routing = table();
    for (let prefix = 0; prefix < 20; prefix++) {
      for (let n = 0; n < 8; n++)
        routing.heardFrom(contact(idInBucket(prefix, n), prefix * 8 + n), 0, 'response');
    }
    expect(routing.size).toBe(160);
    expect(routing.bucketSizes().slice(0, 19)).toEqual(Array(19).fill(8));
  });

  it('a query from an unknown node does not insert it; only a response does', () => {
    const routing = table();
    expect(routing.heardFrom(contact(idInBucket(3, 1), 1), 0, 'query')).toBe('ignored');
    expect(routing.size).toBe(0);
    routing.heardFrom(contact(idInBucket(3, 1), 1), 0, 'response');
    expect(routing.heardFrom(contact(idInBucket(3, 1), 1), 10, 'query')).toBe('updated');
  });

  it('hostile: an id already known cannot be taken over from another address', () => {
    const routing = table();
    routing.heardFrom(contact(idInBucket(1, 1), 1), 0, 'response');
    expect(routing.heardFrom(contact(idInBucket(1, 1), 2), 0, 'response')).toBe('ignored');
    expect(routing.nodes().map((node) => node.host)).toEqual(['10.0.0.1']);
  });

  it('a node restarting with a new id at the same address replaces its old entry', () => {
    const routing = table();
    routing.heardFrom(contact(idInBucket(1, 1), 1), 0, 'response');
    routing.heardFrom(contact(idInBucket(2, 7), 1), 0, 'response');
    expect(routing.size).toBe(1);
    expect(commonPrefixBits(routing.nodes()[0]!.id, OWN_ID)).toBe(2);
  });

  it('our own id is never inserted', () => {
    const routing = table();
    expect(routing.heardFrom(contact(OWN_ID, 1), 0, 'response')).toBe('ignored');
  });

  it('good → questionable after 15 minutes of silence → bad after two failures, replaced by a replacement', () => {
    const routing = table();
    for (let n = 0; n < 8; n++) routing.heardFrom(contact(idInBucket(0, n), n), 0, 'response');
    routing.heardFrom(contact(idInBucket(4, 0), 50), 0, 'response'); // splits: bucket 0 is now a far bucket
    routing.heardFrom(contact(idInBucket(0, 77), 77), 0, 'response'); // waits as a replacement
    const victim = routing.nodes()[0]!;
    expect(routing.stateOf(victim, 14 * MINUTE)).toBe('good');
    expect(routing.stateOf(victim, 16 * MINUTE)).toBe('questionable');
    expect(routing.nodesToPing(16 * MINUTE, 100, MINUTE)).toHaveLength(9);
    routing.queryFailed(victim.host, victim.port);
    expect(routing.stateOf(victim, 0)).toBe('good');
    routing.queryFailed(victim.host, victim.port);
    expect(routing.nodes().map((node) => node.host)).not.toContain(victim.host);
    expect(routing.nodes().map((node) => node.host)).toContain('10.0.0.77');
  });

  it('a bad node without a replacement stays until a newcomer takes its slot, and is not returned as close', () => {
    const routing = table();
    for (let n = 0; n < 8; n++) routing.heardFrom(contact(idInBucket(0, n), n), 0, 'response');
    routing.heardFrom(contact(idInBucket(4, 0), 50), 0, 'response');
    const victim = routing.nodes()[0]!;
    routing.queryFailed(victim.host, victim.port);
    routing.queryFailed(victim.host, victim.port);
    expect(routing.size).toBe(9);
    expect(routing.closest(victim.id, 20, 0).map((node) => node.host)).not.toContain(victim.host);
    expect(routing.heardFrom(contact(idInBucket(0, 200), 200), 0, 'response')).toBe('added');
    expect(routing.nodes().map((node) => node.host)).not.toContain(victim.host);
  });

  it('closest() orders by XOR distance', () => {
    const routing = table();
    const random = new SeededRandom(3);
    for (let n = 0; n < 60; n++) routing.heardFrom(contact(random.bytes(20), n), 0, 'response');
    const target = random.bytes(20);
    const closest = routing.closest(target, 8, 0);
    expect(closest).toHaveLength(8);
    for (let i = 1; i < closest.length; i++) {
      expect(compareDistance(target, closest[i - 1]!.id, closest[i]!.id)).toBeLessThan(0);
    }
  });

  it('buckets unchanged for 15 minutes are due for refresh, with a random id in their range', () => {
    const routing = table();
    routing.heardFrom(contact(idInBucket(0, 1), 1), 0, 'response');
    expect(routing.bucketsToRefresh(10 * MINUTE, 15 * MINUTE)).toEqual([]);
    expect(routing.bucketsToRefresh(15 * MINUTE, 15 * MINUTE)).toEqual([0]);
    const random = new SeededRandom(1);
    for (const prefix of [0, 1, 7, 8, 100, 159]) {
      expect(commonPrefixBits(randomIdWithPrefix(random, OWN_ID, prefix), OWN_ID)).toBe(prefix);
    }
  });
});
