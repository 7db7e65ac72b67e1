/**
 * The compliance suite every `Storage` implementation runs (libp2p's interface-compliance-tests habit): the
 * contract of the engine's storage interface, stated as tests. It fixes what the engine may rely on — round
 * trips across files, out-of-order positional writes, exact-length reads that reject with `STORAGE_MISSING` /
 * `STORAGE_SHORT_READ`, `size` -1 for files never written, BEP 47 padding files never created and read as
 * zeros, zero-length files, `grows` files sized by what was written, `remove`, flush, close, bytes written only when
 * their SHA-1 matches (`writeVerified`) — and leaves implementation choices open (e.g. whether a file is
 * preallocated to its full length on first write).
 */
import type { Storage, StorageFileSpec, TorrentFiles } from '@bitloom/engine';
import { describe, expect, it } from 'vitest';
import { sha1Sync } from './test-hasher.js';

/** A fresh storage, the root folder to open torrents below, and how to remove everything afterwards. */
export interface StorageUnderTest {
  storage: Storage;
  root: string;
  cleanup(): Promise<void>;
}

/** Deterministic bytes: `length` bytes of a simple generator seeded by `seed`. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = (seed * 2_654_435_761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/**
 * Asserts equal bytes. Large arrays are compared with a plain loop (deep equality over 100 000 elements is slow)
 * and only a window around the first difference goes through `toEqual`, for a readable failure.
 */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let differsAt = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      differsAt = i;
      break;
    }
  }
  if (differsAt >= 0) {
    const from = Math.max(0, differsAt - 8);
    expect({ at: from, bytes: actual.subarray(from, from + 32) }).toEqual({
      at: from,
      bytes: expected.subarray(from, from + 32),
    });
  }
}

function file(path: string[], length: number, padding = false): StorageFileSpec {
  return padding ? { path, length, padding } : { path, length };
}

/** Registers the storage compliance tests for `name`; `makeStorage` runs once per test. */
export function describeStorageCompliance(name: string, makeStorage: () => Promise<StorageUnderTest>): void {
  async function withStorage(test: (env: StorageUnderTest) => Promise<void>): Promise<void> {
    const env = await makeStorage();
    try {
      await test(env);
    } finally {
      await env.cleanup();
    }
  }

  async function withFiles(
    specs: readonly StorageFileSpec[],
    test: (files: TorrentFiles, env: StorageUnderTest) => Promise<void>,
  ): Promise<void> {
    await withStorage(async (env) => {
      const files = await env.storage.open(env.root, specs);
      try {
        await test(files, env);
      } finally {
        await files.close();
      }
    });
  }

  describe(`storage compliance: ${name}`, () => {
    it('round-trips writes and reads across several files and folders', async () => {
      const specs = [file(['a.bin'], 10), file(['dir', 'b.bin'], 70_000), file(['dir', 'sub', 'c.bin'], 5)];
      await withFiles(specs, async (files) => {
        const contents = specs.map((spec, index) => pattern(spec.length, index + 1));
        for (const [index, bytes] of contents.entries()) await files.write(index, 0, bytes);
        for (const [index, bytes] of contents.entries()) {
          expectBytes(await files.read(index, 0, bytes.length), bytes);
          expect(await files.size(index)).toBe(bytes.length);
        }
        expectBytes(await files.read(1, 12_345, 100), contents[1]!.subarray(12_345, 12_445));
      });
    });

    it('reads into a caller buffer, overwriting what it held, and refuses one too small', async () => {
      const specs = [file(['data.bin'], 1000), { path: ['.pad', '24'], length: 24, padding: true }];
      await withFiles(specs, async (files) => {
        const bytes = pattern(1000, 3);
        await files.write(0, 0, bytes);
        const into = new Uint8Array(600).fill(0xee);
        const read = await files.read(0, 100, 500, into);
        expectBytes(read, bytes.subarray(100, 600));
        expect(read.buffer).toBe(into.buffer);
        expect(read.byteOffset).toBe(0);
        expect(into[500]).toBe(0xee);
        expectBytes(await files.read(1, 0, 24, into), new Uint8Array(24));
        await expect(files.read(0, 0, 700, into)).rejects.toMatchObject({ code: 'STORAGE_OUT_OF_BOUNDS' });
      });
    });

    it('assembles a file from positional writes in any order, including concurrent ones', async () => {
      const blockSize = 16 * 1024;
      const blocks = 8;
      await withFiles([file(['out-of-order.bin'], blockSize * blocks - 100)], async (files) => {
        const whole = pattern(blockSize * blocks - 100, 7);
        const order = [5, 2, 7, 0, 3, 6, 1, 4];
        // First two blocks alone (one creates the file), then the rest all at once.
        const write = (block: number) =>
          files.write(0, block * blockSize, whole.subarray(block * blockSize, (block + 1) * blockSize));
        await write(order[0]!);
        await write(order[1]!);
        await Promise.all(order.slice(2).map(write));
        expectBytes(await files.read(0, 0, whole.length), whole);
      });
    });

    it('overwrites earlier bytes in place', async () => {
      await withFiles([file(['rewrite.bin'], 100)], async (files) => {
        await files.write(0, 0, pattern(100, 1));
        await files.write(0, 40, new Uint8Array(20).fill(0xab));
        const expected = pattern(100, 1);
        expected.fill(0xab, 40, 60);
        expectBytes(await files.read(0, 0, 100), expected);
      });
    });

    it('neither keeps the caller’s write buffer nor shares the returned read buffer', async () => {
      await withFiles([file(['owned.bin'], 64)], async (files) => {
        const data = pattern(64, 3);
        await files.write(0, 0, data);
        data.fill(0);
        const first = await files.read(0, 0, 64);
        expectBytes(first, pattern(64, 3));
        first.fill(1);
        expectBytes(await files.read(0, 0, 64), pattern(64, 3));
      });
    });

    it('writes from a view into a larger buffer only the view’s bytes', async () => {
      await withFiles([file(['view.bin'], 16)], async (files) => {
        const backing = pattern(64, 4);
        await files.write(0, 0, backing.subarray(10, 26));
        expectBytes(await files.read(0, 0, 16), backing.subarray(10, 26));
      });
    });

    it('writes moved bytes: a whole buffer is taken over and handed back, a view is written from place', async () => {
      const specs = [file(['moved.bin'], 70_000), file(['.pad', '100'], 100, true)];
      await withFiles(specs, async (files) => {
        expect(files.writeMoving).toBeTypeOf('function');
        const whole = pattern(70_000, 5);
        const back = await files.writeMoving!(0, 0, whole);
        expect(whole.length).toBe(0); // given up: detached
        expectBytes(back, pattern(70_000, 5));
        expectBytes(await files.read(0, 0, 70_000), pattern(70_000, 5));
        // A view into a larger buffer cannot be moved: only its bytes are written, and it stays usable.
        const backing = pattern(300, 6);
        const view = backing.subarray(100, 200);
        const viewBack = await files.writeMoving!(0, 1000, view);
        expectBytes(viewBack, backing.subarray(100, 200));
        expectBytes(await files.read(0, 1000, 100), backing.subarray(100, 200));
        // Padding is never created, whatever way the bytes come.
        expectBytes(await files.writeMoving!(1, 0, new Uint8Array(100)), new Uint8Array(100));
        expect(await files.size(1)).toBe(-1);
        await expect(files.writeMoving!(0, 69_990, pattern(20, 1))).rejects.toMatchObject({
          code: 'STORAGE_OUT_OF_BOUNDS',
        });
      });
    });

    it('writes verified bytes only when their SHA-1 matches, handing them back either way', async () => {
      const specs = [file(['verified.bin'], 70_000), file(['.pad', '100'], 100, true)];
      await withFiles(specs, async (files) => {
        expect(files.writeVerified).toBeTypeOf('function');
        const bytes = pattern(70_000, 8);
        const wrong = sha1Sync(bytes);
        wrong[19]! ^= 1;
        const refused = await files.writeVerified!(0, 0, bytes.slice(), wrong);
        expect(refused.written).toBe(false);
        expectBytes(refused.data, bytes);
        // Nothing was written (the file may exist, sized, holding zeros: never the refused bytes).
        if ((await files.size(0)) >= 0) expectBytes(await files.read(0, 0, 70_000), new Uint8Array(70_000));
        // A whole buffer is taken over and handed back, like writeMoving.
        const whole = bytes.slice();
        const taken = await files.writeVerified!(0, 0, whole, sha1Sync(bytes));
        expect(taken.written).toBe(true);
        expect(whole.length).toBe(0);
        expectBytes(taken.data, bytes);
        expectBytes(await files.read(0, 0, 70_000), bytes);
        // A view into a larger buffer is written from place and stays usable.
        const backing = pattern(300, 9);
        const view = backing.subarray(100, 200);
        const fromView = await files.writeVerified!(0, 500, view, sha1Sync(view));
        expect(fromView.written).toBe(true);
        expectBytes(fromView.data, backing.subarray(100, 200));
        expectBytes(await files.read(0, 500, 100), backing.subarray(100, 200));
        // Padding: checked, never created.
        expect(
          (await files.writeVerified!(1, 0, new Uint8Array(100), sha1Sync(new Uint8Array(100)))).written,
        ).toBe(true);
        expect(await files.size(1)).toBe(-1);
        await expect(files.writeVerified!(0, 69_990, pattern(20, 1), wrong)).rejects.toMatchObject({
          code: 'STORAGE_OUT_OF_BOUNDS',
        });
      });
    });

    it('rejects a read of a file never written with STORAGE_MISSING, and size is -1', async () => {
      await withFiles([file(['written.bin'], 8), file(['never.bin'], 8)], async (files) => {
        await files.write(0, 0, pattern(8, 1));
        await expect(files.read(1, 0, 8)).rejects.toMatchObject({ code: 'STORAGE_MISSING' });
        expect(await files.size(1)).toBe(-1);
      });
    });

    it('rejects a read past the end of the stored file with STORAGE_SHORT_READ', async () => {
      await withStorage(async (env) => {
        const short = await env.storage.open(env.root, [file(['grows.bin'], 10)]);
        await short.write(0, 0, pattern(10, 1));
        await short.close();
        // The same file, now expected to be longer: what is stored stays 10 bytes until written.
        const long = await env.storage.open(env.root, [file(['grows.bin'], 100)]);
        try {
          expectBytes(await long.read(0, 0, 10), pattern(10, 1));
          await expect(long.read(0, 0, 100)).rejects.toMatchObject({ code: 'STORAGE_SHORT_READ' });
          await expect(long.read(0, 50, 10)).rejects.toMatchObject({ code: 'STORAGE_SHORT_READ' });
        } finally {
          await long.close();
        }
      });
    });

    it('rejects I/O past the file’s torrent length with STORAGE_OUT_OF_BOUNDS', async () => {
      await withFiles([file(['bounded.bin'], 10)], async (files) => {
        await expect(files.write(0, 8, new Uint8Array(3))).rejects.toMatchObject({
          code: 'STORAGE_OUT_OF_BOUNDS',
        });
        await expect(files.read(0, 0, 11)).rejects.toMatchObject({ code: 'STORAGE_OUT_OF_BOUNDS' });
        await expect(files.read(5, 0, 1)).rejects.toBeInstanceOf(Error);
        await expect(files.read(0, -1, 1)).rejects.toBeInstanceOf(Error);
      });
    });

    it('never creates padding files and reads them as zeros', async () => {
      const specs = [file(['data.bin'], 100), file(['.pad', '924'], 924, true), file(['tail.bin'], 50)];
      await withFiles(specs, async (files) => {
        await files.write(0, 0, pattern(100, 1));
        await files.write(1, 0, new Uint8Array(924));
        await files.write(2, 0, pattern(50, 2));
        expect(await files.read(1, 0, 924)).toEqual(new Uint8Array(924));
        expect(await files.read(1, 900, 24)).toEqual(new Uint8Array(24));
        expect(await files.size(1)).toBe(-1);
        expectBytes(await files.read(2, 0, 50), pattern(50, 2));
      });
    });

    it('creates a zero-length file on an empty write and reads it back empty', async () => {
      await withFiles([file(['empty.bin'], 0), file(['other.bin'], 4)], async (files) => {
        expect(await files.size(0)).toBe(-1);
        await files.write(0, 0, new Uint8Array(0));
        expect(await files.size(0)).toBe(0);
        expect(await files.read(0, 0, 0)).toEqual(new Uint8Array(0));
      });
    });

    it('flushes, with and without pending writes', async () => {
      await withFiles([file(['flushed.bin'], 32)], async (files) => {
        await files.flush();
        await files.write(0, 0, pattern(32, 9));
        await files.flush();
        await files.flush();
        expectBytes(await files.read(0, 0, 32), pattern(32, 9));
      });
    });

    it('rejects I/O after close with STORAGE_CLOSED, and keeps the data for the next open', async () => {
      await withStorage(async (env) => {
        const specs = [file(['kept', 'one.bin'], 20), file(['kept', 'two.bin'], 30)];
        const files = await env.storage.open(env.root, specs);
        await files.write(0, 0, pattern(20, 1));
        await files.write(1, 0, pattern(30, 2));
        await files.close();
        await expect(files.read(0, 0, 20)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
        await expect(files.write(0, 0, pattern(1, 1))).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
        await expect(files.flush()).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
        const reopened = await env.storage.open(env.root, specs);
        try {
          expectBytes(await reopened.read(0, 0, 20), pattern(20, 1));
          expectBytes(await reopened.read(1, 0, 30), pattern(30, 2));
        } finally {
          await reopened.close();
        }
      });
    });

    it('sizes a grows file by what was written, not by its bound', async () => {
      const grows: StorageFileSpec = { path: ['.parts'], length: 1_000_000, grows: true };
      await withFiles([grows, file(['data.bin'], 10)], async (files) => {
        await files.write(0, 100, pattern(50, 1));
        expect(await files.size(0)).toBe(150);
        await files.write(0, 10, pattern(5, 2));
        expect(await files.size(0)).toBe(150);
        expectBytes(await files.read(0, 100, 50), pattern(50, 1));
        await expect(files.read(0, 100, 51)).rejects.toMatchObject({ code: 'STORAGE_SHORT_READ' });
      });
    });

    it('removes a file: gone for size and read, removing again is fine, a later write creates it anew', async () => {
      const specs = [file(['dir', 'gone.bin'], 20), file(['dir', 'kept.bin'], 20), file(['never.bin'], 5)];
      await withFiles(specs, async (files) => {
        await files.write(0, 0, pattern(20, 1));
        await files.write(1, 0, pattern(20, 2));
        await files.flush();
        await files.remove(0);
        expect(await files.size(0)).toBe(-1);
        await expect(files.read(0, 0, 20)).rejects.toMatchObject({ code: 'STORAGE_MISSING' });
        await files.remove(0);
        await files.remove(2);
        expectBytes(await files.read(1, 0, 20), pattern(20, 2));
        await files.write(0, 0, pattern(20, 3));
        expectBytes(await files.read(0, 0, 20), pattern(20, 3));
        await files.flush();
      });
    });

    it('creates nothing on open', async () => {
      await withFiles([file(['lazy', 'x.bin'], 10)], async (files) => {
        expect(await files.size(0)).toBe(-1);
        await expect(files.read(0, 0, 1)).rejects.toMatchObject({ code: 'STORAGE_MISSING' });
      });
    });
  });
}
