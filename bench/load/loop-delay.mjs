/**
 * Event-loop delay as node:perf_hooks measures it, reported in ms beyond the timer's own interval: the histogram
 * records each full interval between samples, so `resolution` is subtracted.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export function loopDelayMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  return {
    enable: () => histogram.enable(),
    disable: () => histogram.disable(),
    report: () => ({
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    }),
  };
}
