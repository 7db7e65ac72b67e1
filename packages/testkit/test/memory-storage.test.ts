import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/memory-storage.js';

const files = [
  { path: ['dir', 'a.bin'], length: 10 },
  { path: ['.pad', '6'], length: 6, padding: true },
  { path: ['b.bin'], length: 4 },
];

describe('MemoryStorage', () => {
  it('creates nothing on open; a file exists after its first write', async () => {
    const storage = new MemoryStorage();
    const torrent = await storage.open('/dl', files);
    expect(await torrent.size(0)).toBe(-1);
    expect(storage.files().size).toBe(0);
    await torrent.write(0, 4, Uint8Array.from([1, 2]));
    expect(await torrent.size(0)).toBe(6);
    expect([...storage.files().keys()]).toEqual(['/dl/dir/a.bin']);
    expect(await torrent.read(0, 0, 6)).toEqual(Uint8Array.from([0, 0, 0, 0, 1, 2]));
  });

  it('rejects reads of missing files and reads past the end with typed errors', async () => {
    const torrent = await new MemoryStorage().open('/dl', files);
    await expect(torrent.read(2, 0, 1)).rejects.toMatchObject({ code: 'STORAGE_MISSING' });
    await torrent.write(2, 0, Uint8Array.from([1, 2]));
    await expect(torrent.read(2, 1, 2)).rejects.toMatchObject({ code: 'STORAGE_SHORT_READ' });
    await expect(torrent.read(2, 0, 5)).rejects.toMatchObject({ code: 'STORAGE_OUT_OF_BOUNDS' });
    await expect(torrent.write(2, 3, Uint8Array.from([1, 2]))).rejects.toMatchObject({
      code: 'STORAGE_OUT_OF_BOUNDS',
    });
    await expect(torrent.read(7, 0, 1)).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
    await expect(torrent.read(0, -1, 1)).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
  });

  it('reads padding files as zeros and never creates them', async () => {
    const storage = new MemoryStorage();
    const torrent = await storage.open('/dl', files);
    await torrent.write(1, 0, Uint8Array.from([9, 9, 9]));
    expect(await torrent.read(1, 0, 6)).toEqual(new Uint8Array(6));
    expect(await torrent.size(1)).toBe(-1);
    expect(storage.files().size).toBe(0);
  });

  it('keeps data across re-opens of the same root, apart from other roots', async () => {
    const storage = new MemoryStorage();
    const first = await storage.open('/dl', files);
    await first.write(2, 0, Uint8Array.from([1, 2, 3, 4]));
    await first.close();
    await expect(first.read(2, 0, 4)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
    const again = await storage.open('/dl', files);
    expect(await again.read(2, 0, 4)).toEqual(Uint8Array.from([1, 2, 3, 4]));
    const other = await storage.open('/other', files);
    expect(await other.size(2)).toBe(-1);
  });

  it('does not alias the caller buffers', async () => {
    const torrent = await new MemoryStorage().open('/dl', files);
    const data = Uint8Array.from([1, 2, 3, 4]);
    await torrent.write(2, 0, data);
    data[0] = 50;
    const read = await torrent.read(2, 0, 4);
    read[1] = 60;
    expect(await torrent.read(2, 0, 4)).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });

  it('failWritesWith() makes writes fail with the code until healed (attack: disk full mid-download)', async () => {
    const storage = new MemoryStorage();
    const torrent = await storage.open('/dl', files);
    storage.failWritesWith('STORAGE_DISK_FULL');
    await expect(torrent.write(0, 0, Uint8Array.from([1]))).rejects.toMatchObject({
      code: 'STORAGE_DISK_FULL',
    });
    expect(await torrent.size(0)).toBe(-1);
    storage.failWritesWith(null);
    await torrent.write(0, 0, Uint8Array.from([1]));
    expect(await torrent.size(0)).toBe(1);
    storage.failReadsWith('STORAGE_IO');
    await expect(torrent.read(0, 0, 1)).rejects.toMatchObject({ code: 'STORAGE_IO' });
  });

  it('corrupt() flips one stored byte (attack: bit rot under a completed piece)', async () => {
    const storage = new MemoryStorage();
    const torrent = await storage.open('/dl', files);
    await torrent.write(0, 0, Uint8Array.from([0x0f, 0x00]));
    storage.corrupt(0, 0);
    expect(await torrent.read(0, 0, 2)).toEqual(Uint8Array.from([0xf0, 0x00]));
    expect(() => storage.corrupt(0, 5)).toThrow(expect.objectContaining({ code: 'STORAGE_OUT_OF_BOUNDS' }));
    await storage.open('/second', files);
    expect(() => storage.corrupt(0, 0)).toThrow(expect.objectContaining({ code: 'STORAGE_BAD_SPEC' }));
    storage.corrupt(0, 1, '/dl');
    expect(await torrent.read(0, 1, 1)).toEqual(Uint8Array.from([0xff]));
  });

  it('truncate() cuts a stored file (attack: data truncated while seeding)', async () => {
    const storage = new MemoryStorage();
    const torrent = await storage.open('/dl', files);
    await torrent.write(0, 0, Uint8Array.from([1, 2, 3]));
    storage.truncate(0, 1);
    expect(await torrent.size(0)).toBe(1);
    await expect(torrent.read(0, 0, 2)).rejects.toMatchObject({ code: 'STORAGE_SHORT_READ' });
    expect(() => storage.truncate(0, 2)).toThrow(expect.objectContaining({ code: 'STORAGE_OUT_OF_BOUNDS' }));
  });

  it('rejects malformed file specs', async () => {
    await expect(new MemoryStorage().open('/dl', [{ path: ['x'], length: -1 }])).rejects.toMatchObject({
      code: 'STORAGE_BAD_SPEC',
    });
  });
});
