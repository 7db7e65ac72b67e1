import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodePlatform } from '../src/platform.js';

describe('createNodePlatform', () => {
  it('provides every part of the Platform and releases workers, files and sockets on close', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bitloom-platform-'));
    const platform = createNodePlatform({ hashWorkers: 1, maxOpenFiles: 2 });
    try {
      expect(platform.random.bytes(20).byteLength).toBe(20);
      expect(platform.clock.now()).toBeGreaterThan(0);

      const piece = new Uint8Array(256 * 1024).fill(7);
      const digest = await platform.hasher.sha1(piece);
      expect(Buffer.from(digest).equals(createHash('sha1').update(piece).digest())).toBe(true);

      const files = await platform.storage.open(root, [{ path: ['a.bin'], length: 4 }]);
      await files.write(0, 0, new Uint8Array([1, 2, 3, 4]));
      const listener = await platform.tcp.listen('127.0.0.1', 0, () => {});
      const udp = await platform.udp.bind('127.0.0.1', 0);
      const connection = await platform.tcp.connect('127.0.0.1', listener.port, new AbortController().signal);
      let closed = 0;
      connection.setHandlers({ data: () => {}, drain: () => {}, close: () => closed++ });

      await platform.close();
      await platform.close();
      expect(platform.hasher.runningWorkers).toBe(0);
      expect(platform.storage.openHandles).toBe(0);
      await expect(files.read(0, 0, 4)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
      await expect(platform.hasher.sha1(piece)).rejects.toMatchObject({ code: 'HASHER_CLOSED' });
      // The listener's port and the UDP port are free again.
      const reuse = createNodePlatform({ hashWorkers: 0 });
      const again = await reuse.tcp.listen('127.0.0.1', listener.port, () => {});
      const udpAgain = await reuse.udp.bind('127.0.0.1', udp.port);
      expect([again.port, udpAgain.port]).toEqual([listener.port, udp.port]);
      await reuse.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
