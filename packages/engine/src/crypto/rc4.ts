/**
 * RC4, the stream cipher of MSE/PE ("Message Stream Encryption"). MSE discards the first 1024 bytes of each
 * keystream (RC4-drop1024) because RC4's early output is biased.
 */

/** Keystream bytes MSE throws away before using a cipher. */
export const MSE_RC4_DISCARD = 1024;

/** One direction of an RC4 stream: every call continues the keystream where the last one stopped. */
export class Rc4 {
  private readonly state = new Uint8Array(256);
  private i = 0;
  private j = 0;

  /**
   * @param key - 1 to 256 bytes (MSE uses a 20-byte SHA-1 digest).
   * @param discard - keystream bytes to skip first; MSE uses {@link MSE_RC4_DISCARD}.
   */
  constructor(key: Uint8Array, discard = 0) {
    if (key.length < 1 || key.length > 256) throw new RangeError('RC4 key must be 1 to 256 bytes');
    const s = this.state;
    for (let n = 0; n < 256; n++) s[n] = n;
    let j = 0;
    for (let n = 0; n < 256; n++) {
      j = (j + s[n]! + key[n % key.length]!) & 0xff;
      const tmp = s[n]!;
      s[n] = s[j]!;
      s[j] = tmp;
    }
    if (discard > 0) this.applyInPlace(new Uint8Array(discard));
  }

  /** XORs `data` with the next `data.length` keystream bytes, in place. Returns `data`. */
  applyInPlace(data: Uint8Array): Uint8Array {
    const s = this.state;
    let i = this.i;
    let j = this.j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[n]! ^= s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return data;
  }

  /** Like {@link applyInPlace} but leaves `data` alone and returns a new array. */
  apply(data: Uint8Array): Uint8Array {
    return this.applyInPlace(data.slice());
  }
}
