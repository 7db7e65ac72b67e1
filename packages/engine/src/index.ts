export { BitloomError } from './errors.js';
export * from './indices.js';
export * from './platform/index.js';
export * from './wire/index.js';
export * from './bencode/index.js';
export * from './metainfo/index.js';
export * from './magnet/index.js';
