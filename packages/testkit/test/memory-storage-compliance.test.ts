import { MemoryStorage } from '../src/memory-storage.js';
import { describeStorageCompliance } from '../src/storage-compliance.js';

// MemoryStorage stands in for file storage in simulations, so it must keep the same contract (with
// `writeVerified`, which it offers only when asked to, as Node's file storage always does).
describeStorageCompliance('MemoryStorage', async () => ({
  storage: new MemoryStorage({ hashesWrites: true }),
  root: '/downloads',
  cleanup: async () => {},
}));
