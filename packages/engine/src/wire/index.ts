export { encodeMessage, encodePieceHeader, encodeRequests, PIECE_HEADER_LENGTH } from './encode.js';
export {
  encodeHandshake,
  HANDSHAKE_LENGTH,
  type Handshake,
  INFO_HASH_LENGTH,
  PEER_ID_LENGTH,
  PROTOCOL_HEADER,
  PROTOCOL_NAME,
  RESERVED_LENGTH,
  reservedBits,
  supportsDht,
  supportsExtended,
  supportsFast,
} from './handshake.js';
export { type BlockPayload, type EncodableMessage, MessageId, type PeerMessage } from './message.js';
export { MessageFramer, type MessageFramerOptions } from './message-framer.js';
export { WireError, type WireErrorCode } from './wire-error.js';
