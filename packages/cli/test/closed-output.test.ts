import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { stopOnClosedOutput } from '../src/closed-output.js';

const failure = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('stopOnClosedOutput', () => {
  it('stops once on EPIPE and drops the later failures of the dead pipe', () => {
    const stream = new EventEmitter();
    const stop = vi.fn();
    stopOnClosedOutput(stream, stop);
    stream.emit('error', failure('EPIPE'));
    stream.emit('error', failure('EPIPE'));
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('leaves other errors to crash as they did', () => {
    const stream = new EventEmitter();
    stopOnClosedOutput(stream, () => {});
    expect(() => stream.emit('error', failure('EIO'))).toThrow('write EIO');
  });
});
