import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageCompliance } from '../../testkit/src/storage-compliance.js';
import { FileStorage } from '../src/file-storage.js';

describeStorageCompliance('FileStorage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'bitloom-storage-'));
  const storage = new FileStorage({ maxOpenFiles: 4 });
  return {
    storage,
    root,
    async cleanup() {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
