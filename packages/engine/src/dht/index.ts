/** The Mainline DHT (BEP 5): the node, its options and results, and the parts tests and tools may reuse. */
export {
  type DhtAddress,
  type DhtContact,
  decodeCompactNodes,
  decodeCompactPeer,
  encodeCompactNodes,
  encodeCompactPeer,
} from './compact.js';
export {
  Dht,
  type DhtAnnounceResult,
  type DhtGetPeersResult,
  type DhtOptions,
  type DhtPeer,
  type DhtPlatform,
  type DhtStats,
} from './dht.js';
export { DhtError, type DhtErrorCode } from './dht-error.js';
export { DEFAULT_DHT_LIMITS, type DhtLimits, resolveDhtLimits } from './dht-limits.js';
export type { LookupResponder, LookupResult } from './iterative-lookup.js';
export {
  decodeKrpc,
  encodeError,
  encodeQuery,
  encodeResponse,
  KRPC_GENERIC_ERROR,
  KRPC_METHOD_UNKNOWN,
  KRPC_PROTOCOL_ERROR,
  KRPC_SERVER_ERROR,
  type KrpcErrorMessage,
  type KrpcMalformed,
  type KrpcMessage,
  type KrpcQuery,
  type KrpcResponse,
} from './krpc-codec.js';
export { commonPrefixBits, compareDistance, NODE_ID_BYTES, randomIdWithPrefix } from './node-id.js';
