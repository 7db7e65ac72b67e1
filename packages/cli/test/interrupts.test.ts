import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchInterrupts } from '../src/interrupts.js';

describe('watchInterrupts', () => {
  it('first SIGINT asks for a clean stop; a second exits at once with 130', async () => {
    const signals = new EventEmitter();
    const calls: string[] = [];
    const watch = watchInterrupts(
      () => calls.push('stopping'),
      (code) => calls.push(`exit ${code}`),
      signals,
    );
    signals.emit('SIGINT');
    await watch.interrupted;
    expect(calls).toEqual(['stopping']);
    signals.emit('SIGINT');
    expect(calls).toEqual(['stopping', 'exit 130']);
    watch.dispose();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('SIGTERM counts like SIGINT', async () => {
    const signals = new EventEmitter();
    const calls: string[] = [];
    const watch = watchInterrupts(
      () => calls.push('stopping'),
      (code) => calls.push(`exit ${code}`),
      signals,
    );
    signals.emit('SIGTERM');
    await watch.interrupted;
    signals.emit('SIGINT');
    expect(calls).toEqual(['stopping', 'exit 130']);
    watch.dispose();
  });
});
