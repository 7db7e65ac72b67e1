export {
  dhSharedSecret,
  generateDhKeyPair,
  MSE_GENERATOR,
  MSE_KEY_LENGTH,
  MSE_PRIME,
  modPow,
} from './diffie-hellman.js';
export { EncryptedConnection, type EncryptedConnectionOptions } from './encrypted-connection.js';
export { MseError, type MseErrorCode, mseCloseReason } from './mse-error.js';
export {
  type AcceptMseOptions,
  acceptMse,
  type ConnectMseOptions,
  connectMse,
  type MseConnection,
  type MseHandshakeOptions,
} from './mse-handshake.js';
export { MseInitiator, type MseInitiatorOptions } from './mse-initiator.js';
export {
  MSE_MAX_PAD,
  MSE_METHOD_PLAINTEXT,
  MSE_METHOD_RC4,
  type StreamEncryption,
} from './mse-protocol.js';
export { type MseOutcome, MseResponder, type MseResponderOptions, type MseStep } from './mse-responder.js';
export { MSE_RC4_DISCARD, Rc4 } from './rc4.js';
export { sha1 } from './sha1.js';
