export {
  DEFAULT_MAX_QUEUE_DEPTH,
  DEFAULT_MIN_QUEUE_DEPTH,
  DEFAULT_QUEUE_TIME_SECONDS,
  type QueueDepthOptions,
  targetQueueDepth,
} from './queue-depth.js';
