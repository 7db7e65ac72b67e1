/** The view covers its whole `ArrayBuffer`, so the buffer can be moved to a thread and back instead of copied. */
export function isWholeBuffer(data: Uint8Array): boolean {
  const buffer = data.buffer;
  return buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength;
}
