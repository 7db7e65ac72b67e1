import type { Connection, Platform } from '@bitloom/engine';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../src/memory-network.js';
import { createTestPlatform } from '../src/test-platform.js';
import { VirtualClock } from '../src/virtual-clock.js';

describe('createTestPlatform', () => {
  it('gives peers on one network a shared clock and a working TCP path between their hosts', async () => {
    const network = new MemoryNetwork(new VirtualClock());
    const seeder: Platform = createTestPlatform({ seed: 1, host: '10.0.0.1', network });
    const leecher = createTestPlatform({ seed: 2, host: '10.0.0.2', network });
    expect(leecher.clock).toBe(seeder.clock);
    const received: number[] = [];
    await seeder.tcp.listen('0.0.0.0', 6881, (connection) => {
      connection.setHandlers({ data: (chunk) => received.push(...chunk), drain: () => {}, close: () => {} });
    });
    let client: Connection | undefined;
    void leecher.tcp.connect('10.0.0.1', 6881, new AbortController().signal).then((c) => {
      client = c;
    });
    await leecher.clock.runUntil(() => client !== undefined);
    client!.write(Uint8Array.from([42]));
    await leecher.clock.runUntil(() => received.length === 1);
    expect(received).toEqual([42]);
  });

  it('seeds randomness: same seed, same peer id bytes; different seeds differ', () => {
    expect(createTestPlatform({ seed: 5 }).random.bytes(20)).toEqual(
      createTestPlatform({ seed: 5 }).random.bytes(20),
    );
    expect(createTestPlatform({ seed: 5 }).random.bytes(20)).not.toEqual(
      createTestPlatform({ seed: 6 }).random.bytes(20),
    );
  });

  it('hashes and stores', async () => {
    const platform = createTestPlatform({ seed: 1 });
    expect((await platform.hasher.sha1(new Uint8Array(0))).length).toBe(20);
    const files = await platform.storage.open('/x', [{ path: ['f'], length: 1 }]);
    await files.write(0, 0, Uint8Array.from([3]));
    expect(platform.storage.files().get('/x/f')).toEqual(Uint8Array.from([3]));
  });
});
