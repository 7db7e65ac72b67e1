import { MemoryStorage } from '../src/memory-storage.js';
import { describeStorageCompliance } from '../src/storage-compliance.js';

// MemoryStorage stands in for file storage in simulations, so it must keep the same contract.
describeStorageCompliance('MemoryStorage', async () => ({
  storage: new MemoryStorage(),
  root: '/downloads',
  cleanup: async () => {},
}));
