/**
 * Storage for load-test leechers that keeps nothing on disk: 200 leechers × 256 MiB would be 51 GB. Every write
 * is compared byte for byte with the expected payload (held once per process) and counted; a read is served from
 * the expected payload, and only for ranges that were written and matched. So a leecher still proves it received
 * the exact bytes, on top of the engine's own SHA-1 check, and it serves other leechers only what it downloaded.
 * Single-file torrents only (the load payload is one file).
 */
import { BLOCK_SIZE } from '@bitloom/engine';

export class VerifyingStorage {
  /** @param {Uint8Array} expected the whole payload */
  constructor(expected) {
    this.expected = expected;
    this.mismatches = 0;
    this.writtenBytes = 0;
  }

  async open(_root, files) {
    if (files.length !== 1 || files[0].length !== this.expected.length) {
      throw new Error('VerifyingStorage: one file of the payload size only');
    }
    return new VerifyingFile(this);
  }
}

class VerifyingFile {
  constructor(storage) {
    this.storage = storage;
    /** One flag per 16 KiB block of the file: written and matched. */
    this.written = new Uint8Array(Math.ceil(storage.expected.length / BLOCK_SIZE));
    this.anyWritten = false;
  }

  async read(_fileIndex, position, length) {
    const first = Math.floor(position / BLOCK_SIZE);
    const last = Math.floor((position + length - 1) / BLOCK_SIZE);
    for (let block = first; block <= last; block++) {
      if (this.written[block] === 0) throw new Error(`read of unwritten data at ${position}`);
    }
    return this.storage.expected.subarray(position, position + length);
  }

  async write(_fileIndex, position, data) {
    const expected = this.storage.expected.subarray(position, position + data.length);
    if (!Buffer.from(data.buffer, data.byteOffset, data.length).equals(expected)) {
      this.storage.mismatches++;
      throw new Error(`written data differs from the payload at ${position}`);
    }
    this.storage.writtenBytes += data.length;
    // Pieces are written whole, so whole blocks (and the payload's last, short one) are covered.
    const first = Math.floor(position / BLOCK_SIZE);
    const end = Math.ceil((position + data.length) / BLOCK_SIZE);
    this.written.fill(1, first, end);
    this.anyWritten = true;
  }

  async size() {
    return this.anyWritten ? this.storage.expected.length : -1;
  }

  async remove() {
    this.written.fill(0);
    this.anyWritten = false;
  }

  async flush() {}

  async close() {}
}
