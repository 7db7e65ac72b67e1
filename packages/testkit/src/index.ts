export { type ChaosAction, ChaosPeer, type ChaosPeerOptions, type ChaosTarget } from './chaos-peer.js';
export { type LinkConditions, MemoryConnection } from './memory-connection.js';
export { MemoryHttpClient, type MemoryHttpHandler, type MemoryHttpRequest } from './memory-http.js';
export {
  type MemoryHost,
  MemoryNetwork,
  type MemoryNetworkOptions,
  type NetworkConditions,
} from './memory-network.js';
export { MemoryResumeStore } from './memory-resume-store.js';
export { MemoryStorage } from './memory-storage.js';
export { MemoryTcpTransport } from './memory-tcp.js';
export { MAX_UDP_PAYLOAD, MemoryUdpTransport } from './memory-udp.js';
export { SeededRandom } from './seeded-random.js';
export { sha1Sync, TestHasher, testHasher } from './test-hasher.js';
export { createTestPlatform, type TestPlatform, type TestPlatformOptions } from './test-platform.js';
export { flushPromises, type RunUntilOptions, VirtualClock } from './virtual-clock.js';
