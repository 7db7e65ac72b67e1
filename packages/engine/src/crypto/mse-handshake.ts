/**
 * Runs an MSE/PE handshake over a live `Connection`: feeds the socket's bytes to a responder or initiator state
 * machine, bounds the whole handshake by a timeout from the platform clock and by an `AbortSignal`, and on
 * success hands back an `EncryptedConnection` that continues the stream. On failure the connection is
 * destroyed and the promise rejects with an `MseError`.
 */
import type { Clock } from '../platform/clock.js';
import type { Connection } from '../platform/network.js';
import type { Random } from '../platform/random.js';
import { EncryptedConnection } from './encrypted-connection.js';
import { MseError } from './mse-error.js';
import { MseInitiator } from './mse-initiator.js';
import { type MseHandshakeMachine, type MseOutcome, MseResponder } from './mse-responder.js';

export interface MseHandshakeOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** The whole handshake must finish within this time. */
  readonly timeoutMs: number;
  /** Aborting destroys the connection (e.g. the session closing). */
  readonly signal?: AbortSignal;
}

export interface AcceptMseOptions extends MseHandshakeOptions {
  /** The info-hashes we serve, read when the peer names its torrent. */
  readonly skeys: () => Iterable<Uint8Array>;
  /** `MSE_METHOD_*` bits we accept; default plaintext and RC4. */
  readonly allowedMethods?: number;
  /** Select RC4 when the peer provides both methods; default false: plaintext, as libtorrent does. */
  readonly preferRc4?: boolean;
  /** Whether a plain BitTorrent handshake is accepted too. Default true. */
  readonly allowLegacyPlaintext?: boolean;
}

export interface ConnectMseOptions extends MseHandshakeOptions {
  /** The torrent's info-hash. */
  readonly skey: Uint8Array;
  /** `MSE_METHOD_*` bits we offer; default plaintext and RC4. */
  readonly providedMethods?: number;
  /** Sent RC4-encrypted inside the handshake (IA), typically our BitTorrent handshake. */
  readonly initialPayload?: Uint8Array;
}

/** A connection after a successful handshake. */
export interface MseConnection {
  readonly connection: EncryptedConnection;
  /** The info-hash the peer asked for (undefined after a plain BitTorrent handshake). */
  readonly skey: Uint8Array | undefined;
}

/**
 * Accepts an incoming connection: a plain BitTorrent handshake passes through untouched; anything else must be
 * an MSE/PE handshake for one of `skeys`.
 */
export function acceptMse(connection: Connection, options: AcceptMseOptions): Promise<MseConnection> {
  return drive(
    connection,
    (send) =>
      new MseResponder({
        random: options.random,
        skeys: options.skeys,
        allowedMethods: options.allowedMethods,
        preferRc4: options.preferRc4,
        allowLegacyPlaintext: options.allowLegacyPlaintext,
        send,
      }),
    options,
  );
}

/** Opens an MSE/PE handshake on an outgoing connection. */
export function connectMse(connection: Connection, options: ConnectMseOptions): Promise<MseConnection> {
  return drive(
    connection,
    (send) => {
      const initiator = new MseInitiator({
        random: options.random,
        skey: options.skey,
        providedMethods: options.providedMethods,
        initialPayload: options.initialPayload,
        send,
      });
      initiator.start();
      return initiator;
    },
    options,
  );
}

function drive(
  connection: Connection,
  createMachine: (send: (bytes: Uint8Array) => void) => MseHandshakeMachine,
  options: MseHandshakeOptions,
): Promise<MseConnection> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: MseError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      connection.destroy();
      reject(error);
    };
    const succeed = (outcome: MseOutcome): void => {
      settled = true;
      cleanup();
      const encrypted = new EncryptedConnection(connection, {
        encryption: outcome.encryption,
        ciphers: outcome.ciphers,
        received: outcome.received,
      });
      resolve({ connection: encrypted, skey: outcome.skey });
    };
    const onAbort = (): void => fail(new MseError('MSE_ABORTED', 'the handshake was abandoned'));
    const cancelTimer = options.clock.setTimer(options.timeoutMs, () =>
      fail(new MseError('MSE_TIMEOUT', `no MSE handshake within ${options.timeoutMs} ms`)),
    );
    const cleanup = (): void => {
      cancelTimer();
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort);

    const machine = createMachine((bytes) => {
      connection.write(bytes);
    });
    connection.setHandlers({
      data: (chunk) => {
        if (settled) return;
        const step = machine.push(chunk);
        if (step.status === 'done') succeed(step.outcome);
        else if (step.status === 'failed') fail(step.error);
      },
      drain: () => {},
      close: (error) =>
        fail(new MseError('MSE_CLOSED', 'the peer closed during the handshake', { cause: error })),
    });
  });
}
