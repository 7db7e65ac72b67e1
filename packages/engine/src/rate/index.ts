export { RateMeter } from './rate-meter.js';
export { LimitChain, TokenBucket } from './token-bucket.js';
