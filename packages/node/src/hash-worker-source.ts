/**
 * The source of a SHA-1 worker thread, inline so `new Worker(source, { eval: true })` runs the same from the
 * compiled `dist` and from test runners loading `.ts` sources (no worker file path to resolve). One message in:
 * a transferred copy buffer and the piece's length in it, or where the piece lies in shared memory. One message
 * out: the 20-byte digest, with the copy buffer transferred back for the next job.
 */
export const HASH_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', (message) => {
  if (message.shared) {
    const digest = sha1(new Uint8Array(message.shared, message.offset, message.length));
    parentPort.postMessage({ digest }, [digest.buffer]);
    return;
  }
  const digest = sha1(new Uint8Array(message.buffer, 0, message.length));
  parentPort.postMessage({ digest, buffer: message.buffer }, [digest.buffer, message.buffer]);
});
function sha1(data) {
  return new Uint8Array(createHash('sha1').update(data).digest());
}
`;
