/**
 * Write tokens of the Mainline DHT (BEP 5): a get_peers answer carries a token that the querier must present
 * in its announce_peer. A token is the first 8 bytes of SHA-1(secret ‖ querier IP); the secret rotates every
 * few minutes and tokens of the current and the previous secret are accepted, so a token lives 5–10 minutes
 * and binds to the IP it was given to, with no per-querier state.
 */
import { utf8Encode } from '../bencode/binary-string.js';
import type { Hasher } from '../platform/hasher.js';
import type { Random } from '../platform/random.js';

const SECRET_BYTES = 16;
export const TOKEN_BYTES = 8;
/** Longest token we look at in an announce (others' tokens may be longer than ours). */
export const MAX_TOKEN_BYTES = 64;

export class TokenIssuer {
  readonly #hasher: Hasher;
  readonly #random: Random;
  readonly #rotationMs: number;
  #current: Uint8Array;
  #previous: Uint8Array;
  #rotatedAt: number;

  constructor(hasher: Hasher, random: Random, rotationMs: number, now: number) {
    this.#hasher = hasher;
    this.#random = random;
    this.#rotationMs = rotationMs;
    this.#current = random.bytes(SECRET_BYTES);
    this.#previous = random.bytes(SECRET_BYTES);
    this.#rotatedAt = now;
  }

  /** Rotates the secret when its time is up (called from the DHT tick). */
  maybeRotate(now: number): void {
    if (now - this.#rotatedAt < this.#rotationMs) return;
    this.#previous = this.#current;
    this.#current = this.#random.bytes(SECRET_BYTES);
    this.#rotatedAt = now;
  }

  /** The token for a querier at `ip`. */
  issue(ip: string): Promise<Uint8Array> {
    return this.#tokenFor(this.#current, ip);
  }

  /** Whether `token` was issued to `ip` under the current or the previous secret. */
  async verify(ip: string, token: Uint8Array): Promise<boolean> {
    if (token.length !== TOKEN_BYTES) return false;
    const previous = this.#previous;
    if (equalBytes(await this.#tokenFor(this.#current, ip), token)) return true;
    return equalBytes(await this.#tokenFor(previous, ip), token);
  }

  async #tokenFor(secret: Uint8Array, ip: string): Promise<Uint8Array> {
    const address = utf8Encode(ip);
    const input = new Uint8Array(secret.length + address.length);
    input.set(secret, 0);
    input.set(address, secret.length);
    const digest = await this.#hasher.sha1(input);
    return digest.slice(0, TOKEN_BYTES);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
