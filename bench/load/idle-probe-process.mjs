/**
 * A control for the seeder's event-loop delay: an idle Node process measuring its own loop delay over the same
 * time. On a busy 2-core machine the seeder's delay is partly the CPU being shared; this shows how much.
 *
 * Parent → child: { type: 'report' }, { type: 'stop' }. Child → parent: { type: 'report', eventLoopDelayMs }.
 */
import { loopDelayMonitor } from './loop-delay.mjs';

const delay = loopDelayMonitor();
delay.enable();
process.on('message', (message) => {
  if (message.type === 'report') process.send?.({ type: 'report', eventLoopDelayMs: delay.report() });
  if (message.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
