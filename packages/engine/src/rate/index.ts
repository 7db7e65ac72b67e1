export { RateMeter } from './rate-meter.js';
