/**
 * Reading the answers of find_node and get_peers (BEP 5) that a lookup needs: the node id, the compact `nodes`
 * (capped), the write `token` and the compact peers of `values` (capped). Malformed entries are skipped; the
 * caller has already checked that `id` is a 20-byte string.
 */
import type { BencodeDict } from '../bencode/types.js';
import { type DhtAddress, type DhtContact, decodeCompactNodes, decodeCompactPeer } from './compact.js';
import type { LookupAnswer } from './iterative-lookup.js';
import { MAX_TOKEN_BYTES } from './token-issuer.js';

/** The id, nodes and token of a find_node or get_peers answer. */
export function readLookupAnswer(values: BencodeDict, maxNodes: number): LookupAnswer {
  const nodes = values.get('nodes');
  const token = values.get('token');
  return {
    id: values.get('id') as Uint8Array,
    nodes: nodes instanceof Uint8Array ? decodeCompactNodes(nodes, maxNodes) : ([] as DhtContact[]),
    token:
      token instanceof Uint8Array && token.length > 0 && token.length <= MAX_TOKEN_BYTES
        ? token.slice()
        : undefined,
  };
}

/** The peers of a get_peers answer's `values` list, at most `max`; malformed entries are skipped. */
export function readPeers(values: BencodeDict, max: number): DhtAddress[] {
  const list = values.get('values');
  if (!Array.isArray(list)) return [];
  const peers: DhtAddress[] = [];
  for (const item of list.slice(0, max)) {
    if (!(item instanceof Uint8Array)) continue;
    const peer = decodeCompactPeer(item);
    if (peer !== undefined) peers.push(peer);
  }
  return peers;
}
