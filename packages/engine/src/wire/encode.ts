/**
 * Encoders for the peer wire messages (BEP 3, BEP 6 Fast, BEP 10 extended envelope): each message becomes one
 * exactly-sized Uint8Array, `<4-byte big-endian length><id><payload>`. A PIECE is sent as a 13-byte header followed
 * by the block bytes, so a sender never concatenates a block into a new buffer.
 */
import { type EncodableMessage, MessageId } from './message.js';
import { WireError } from './wire-error.js';

const UINT32_MAX = 0xffffffff;
/** Length prefix (4) + id (1) + piece index (4) + begin (4). */
export const PIECE_HEADER_LENGTH = 13;

/** Encodes one message. Throws `WIRE_BAD_ARGUMENT` for a field that does not fit its wire width (a caller bug). */
export function encodeMessage(message: EncodableMessage): Uint8Array {
  switch (message.type) {
    case 'keep-alive':
      return new Uint8Array(4);
    case 'choke':
      return idOnly(MessageId.choke);
    case 'unchoke':
      return idOnly(MessageId.unchoke);
    case 'interested':
      return idOnly(MessageId.interested);
    case 'not-interested':
      return idOnly(MessageId.notInterested);
    case 'have-all':
      return idOnly(MessageId.haveAll);
    case 'have-none':
      return idOnly(MessageId.haveNone);
    case 'have':
      return pieceOnly(MessageId.have, message.piece);
    case 'suggest-piece':
      return pieceOnly(MessageId.suggestPiece, message.piece);
    case 'allowed-fast':
      return pieceOnly(MessageId.allowedFast, message.piece);
    case 'request':
      return blockRange(MessageId.request, message.piece, message.begin, message.length);
    case 'cancel':
      return blockRange(MessageId.cancel, message.piece, message.begin, message.length);
    case 'reject-request':
      return blockRange(MessageId.rejectRequest, message.piece, message.begin, message.length);
    case 'port': {
      const port = message.port;
      if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
        throw new WireError('WIRE_BAD_ARGUMENT', `port must be an integer in [0, 65535], got ${port}`);
      }
      const out = header(3, MessageId.port);
      out[5] = port >>> 8;
      out[6] = port & 0xff;
      return out;
    }
    case 'bitfield': {
      const out = header(1 + message.bytes.length, MessageId.bitfield);
      out.set(message.bytes, 5);
      return out;
    }
    case 'extended': {
      const extendedId = message.extendedId;
      if (!Number.isInteger(extendedId) || extendedId < 0 || extendedId > 0xff) {
        throw new WireError(
          'WIRE_BAD_ARGUMENT',
          `extendedId must be an integer in [0, 255], got ${extendedId}`,
        );
      }
      const out = header(2 + message.payload.length, MessageId.extended);
      out[5] = extendedId;
      out.set(message.payload, 6);
      return out;
    }
    default:
      return unreachable(message);
  }
}

/** The 13-byte header of a PIECE message carrying `length` block bytes; the sender writes the block after it. */
export function encodePieceHeader(piece: number, begin: number, length: number): Uint8Array {
  checkUint32('piece', piece);
  checkUint32('begin', begin);
  if (!Number.isInteger(length) || length < 0 || length > UINT32_MAX - 9) {
    throw new WireError('WIRE_BAD_ARGUMENT', `block length out of range: ${length}`);
  }
  const out = header(9 + length, MessageId.piece, PIECE_HEADER_LENGTH);
  writeUint32(out, 5, piece);
  writeUint32(out, 9, begin);
  return out;
}

/** A REQUEST, CANCEL or REJECT REQUEST: length prefix (13), id, piece, begin, length. */
const BLOCK_RANGE_MESSAGE_LENGTH = 17;

/**
 * Several REQUEST messages back to back in one buffer: a request pipeline is topped up with one allocation and
 * one write, not one per block.
 */
export function encodeRequests(
  requests: readonly { readonly piece: number; readonly begin: number; readonly length: number }[],
): Uint8Array {
  const out = new Uint8Array(BLOCK_RANGE_MESSAGE_LENGTH * requests.length);
  for (let i = 0; i < requests.length; i++) {
    const { piece, begin, length } = requests[i]!;
    writeBlockRange(out, i * BLOCK_RANGE_MESSAGE_LENGTH, MessageId.request, piece, begin, length);
  }
  return out;
}

/**
 * A buffer of `size` bytes (default: the whole message) starting with the length prefix and id.
 * `messageLength` counts the id and payload, as the prefix does.
 */
function header(messageLength: number, id: number, size = 4 + messageLength): Uint8Array {
  if (messageLength > UINT32_MAX) {
    throw new WireError(
      'WIRE_BAD_ARGUMENT',
      `message length ${messageLength} does not fit the length prefix`,
    );
  }
  const out = new Uint8Array(size);
  writeUint32(out, 0, messageLength);
  out[4] = id;
  return out;
}

function idOnly(id: number): Uint8Array {
  return header(1, id);
}

function pieceOnly(id: number, piece: number): Uint8Array {
  checkUint32('piece', piece);
  const out = header(5, id);
  writeUint32(out, 5, piece);
  return out;
}

function blockRange(id: number, piece: number, begin: number, length: number): Uint8Array {
  const out = new Uint8Array(BLOCK_RANGE_MESSAGE_LENGTH);
  writeBlockRange(out, 0, id, piece, begin, length);
  return out;
}

/** Writes one block-range message into `out` at `at`. */
function writeBlockRange(
  out: Uint8Array,
  at: number,
  id: number,
  piece: number,
  begin: number,
  length: number,
): void {
  checkUint32('piece', piece);
  checkUint32('begin', begin);
  checkUint32('length', length);
  writeUint32(out, at, BLOCK_RANGE_MESSAGE_LENGTH - 4);
  out[at + 4] = id;
  writeUint32(out, at + 5, piece);
  writeUint32(out, at + 9, begin);
  writeUint32(out, at + 13, length);
}

function checkUint32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new WireError('WIRE_BAD_ARGUMENT', `${name} must be an unsigned 32-bit integer, got ${value}`);
  }
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function unreachable(message: never): never {
  throw new WireError(
    'WIRE_BAD_ARGUMENT',
    `cannot encode a message of type ${String((message as { type?: unknown }).type)}`,
  );
}
