/**
 * The source of a SHA-1 worker thread, inline so `new Worker(source, { eval: true })` runs the same from the
 * compiled `dist` and from test runners loading `.ts` sources (no worker file path to resolve). One message in,
 * the piece bytes (or where they lie in shared memory); one message out, the 20-byte digest, transferred (it is the worker's own fresh buffer).
 */
export const HASH_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', (message) => {
  const data = message.shared ? new Uint8Array(message.shared, message.offset, message.length) : message;
  const digest = new Uint8Array(createHash('sha1').update(data).digest());
  parentPort.postMessage(digest, [digest.buffer]);
});
`;
