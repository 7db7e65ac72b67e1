/**
 * Takes bytes over as a transfer to a thread would: a view over a whole `ArrayBuffer` is left detached (length 0)
 * and the same bytes come back in a new view; any other view is returned as it is. The test hasher and memory
 * storage move what they are given this way, so an engine that touched bytes it gave up fails its tests.
 */
export function moved(data: Uint8Array): Uint8Array {
  const buffer = data.buffer;
  const whole =
    buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength;
  return whole ? new Uint8Array(structuredClone(buffer, { transfer: [buffer] })) : data;
}
