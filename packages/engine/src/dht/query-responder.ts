/**
 * Answers the four queries of the Mainline DHT (BEP 5): ping, find_node, get_peers (peers we stored, else
 * and also the closest nodes we know, plus a write token) and announce_peer (accepted only with a token we
 * issued to the querier's IP; `implied_port` means "use the UDP source port"). Bad arguments get KRPC error
 * 203, unknown methods 204. It also feeds the querier to the routing table (unless it is read-only, BEP 43).
 */
import { bytesToBinaryString } from '../bencode/binary-string.js';
import type { BencodeDict, BencodeValue } from '../bencode/types.js';
import type { Random } from '../platform/random.js';
import { encodeCompactNodes, encodeCompactPeer, isRoutableAddress } from './compact.js';
import type { DhtLimits } from './dht-limits.js';
import { KRPC_METHOD_UNKNOWN, KRPC_PROTOCOL_ERROR, krpcDict } from './krpc-codec.js';
import type { IncomingQuery } from './krpc-socket.js';
import { isNodeId } from './node-id.js';
import type { PeerStore } from './peer-store.js';
import type { RoutingTable } from './routing-table.js';
import { MAX_TOKEN_BYTES, type TokenIssuer } from './token-issuer.js';

/** What the responder needs from the DHT around it. */
export interface QueryResponderContext {
  readonly ownId: Uint8Array;
  readonly limits: DhtLimits;
  readonly random: Random;
  readonly routingTable: RoutingTable;
  readonly peerStore: PeerStore;
  readonly tokens: TokenIssuer;
  now(): number;
  respond(incoming: IncomingQuery, values: BencodeDict): void;
  respondError(incoming: IncomingQuery, code: number, message: string): void;
  /** An unknown node queried us: the DHT may ping it to verify it before it enters the table. */
  heardFromUnknown(id: Uint8Array, host: string, port: number): void;
}

/** Handles one incoming query. Never throws; failures become KRPC errors or silence. */
export async function answerQuery(context: QueryResponderContext, incoming: IncomingQuery): Promise<void> {
  const { query, host, port } = incoming;
  const querierId = query.args.get('id');
  if (!isNodeId(querierId)) {
    context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing or invalid id');
    return;
  }
  if (!query.readOnly && isRoutableAddress(host, port)) {
    const outcome = context.routingTable.heardFrom({ id: querierId, host, port }, context.now(), 'query');
    if (outcome === 'ignored') context.heardFromUnknown(querierId, host, port);
  }
  switch (query.method) {
    case 'ping':
      context.respond(incoming, krpcDict({ id: context.ownId }));
      return;
    case 'find_node': {
      const target = query.args.get('target');
      if (!isNodeId(target)) {
        context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing or invalid target');
        return;
      }
      context.respond(incoming, krpcDict({ id: context.ownId, nodes: closestNodes(context, target) }));
      return;
    }
    case 'get_peers': {
      const infoHash = query.args.get('info_hash');
      if (!isNodeId(infoHash)) {
        context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing or invalid info_hash');
        return;
      }
      const token = await context.tokens.issue(host);
      const peers = context.peerStore.get(
        bytesToBinaryString(infoHash),
        context.now(),
        context.limits.maxPeersPerAnswer,
        context.random,
      );
      const values: BencodeValue[] = [];
      for (const peer of peers) {
        const compact = encodeCompactPeer(peer.host, peer.port);
        if (compact !== undefined) values.push(compact);
      }
      context.respond(
        incoming,
        krpcDict({
          id: context.ownId,
          token,
          nodes: closestNodes(context, infoHash),
          values: values.length > 0 ? values : undefined,
        }),
      );
      return;
    }
    case 'announce_peer':
      await answerAnnounce(context, incoming);
      return;
    default:
      context.respondError(incoming, KRPC_METHOD_UNKNOWN, 'Method Unknown');
  }
}

async function answerAnnounce(context: QueryResponderContext, incoming: IncomingQuery): Promise<void> {
  const { args } = incoming.query;
  const infoHash = args.get('info_hash');
  const token = args.get('token');
  const impliedPort = args.get('implied_port') === 1;
  const announcedPort = args.get('port');
  const port = impliedPort ? incoming.port : announcedPort;
  if (!isNodeId(infoHash)) {
    context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing or invalid info_hash');
    return;
  }
  if (typeof port !== 'number' || !isRoutableAddress(incoming.host, port)) {
    context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing or invalid port');
    return;
  }
  if (!(token instanceof Uint8Array) || token.length > MAX_TOKEN_BYTES) {
    context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'missing token');
    return;
  }
  if (!(await context.tokens.verify(incoming.host, token))) {
    context.respondError(incoming, KRPC_PROTOCOL_ERROR, 'bad token');
    return;
  }
  context.peerStore.add(bytesToBinaryString(infoHash), incoming.host, port, context.now());
  context.respond(incoming, krpcDict({ id: context.ownId }));
}

function closestNodes(context: QueryResponderContext, target: Uint8Array): Uint8Array {
  return encodeCompactNodes(context.routingTable.closest(target, context.limits.k, context.now()));
}
