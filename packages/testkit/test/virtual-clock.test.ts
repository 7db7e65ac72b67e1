import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/virtual-clock.js';

describe('VirtualClock', () => {
  it('starts at 0 (or the given start) and only moves when advanced', () => {
    expect(new VirtualClock().now()).toBe(0);
    const clock = new VirtualClock(500, 1_000_000);
    expect(clock.now()).toBe(500);
    expect(clock.wallTime()).toBe(1_000_500);
    clock.advance(250);
    expect(clock.now()).toBe(750);
  });

  it('fires due timers in time order, ties in the order set, each seeing its own due time', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(31, () => fired.push('late'));
    clock.advance(30);
    expect(fired).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.now()).toBe(30);
  });

  it('runs timers scheduled during an advance when they fall due within it', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimer(10, tick);
    };
    clock.setTimer(10, tick);
    clock.advance(45);
    expect(fired).toEqual([10, 20, 30, 40]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('cancelled timers never fire and cancelling twice is harmless', () => {
    const clock = new VirtualClock();
    let fired = 0;
    const cancel = clock.setTimer(5, () => fired++);
    expect(clock.pendingTimers).toBe(1);
    cancel();
    cancel();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10);
    expect(fired).toBe(0);
  });

  it('treats negative or NaN delays as 0 and rejects bad advances', () => {
    const clock = new VirtualClock();
    let fired = 0;
    clock.setTimer(-5, () => fired++);
    clock.setTimer(Number.NaN, () => fired++);
    clock.advance(0);
    expect(fired).toBe(2);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: 'CLOCK_BAD_ADVANCE' }));
  });

  it('refuses to advance from inside a timer', () => {
    const clock = new VirtualClock();
    clock.setTimer(1, () => clock.advance(1));
    expect(() => clock.advance(5)).toThrow(expect.objectContaining({ code: 'CLOCK_REENTRANT' }));
    // The clock is usable again afterwards.
    clock.advance(1);
  });

  it('advanceAsync lets promise chains started by a timer finish before the next timer fires', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        log.push(`chain done at ${clock.now()}`);
      })();
    });
    clock.setTimer(20, () => log.push('second timer'));
    await clock.advanceAsync(30);
    expect(log).toEqual(['chain done at 10', 'second timer']);
  });

  it('runUntil jumps from timer to timer until the predicate holds', async () => {
    const clock = new VirtualClock();
    let done = false;
    clock.setTimer(5_000, () => {
      void Promise.resolve().then(() => {
        done = true;
      });
    });
    const elapsed = await clock.runUntil(() => done);
    expect(elapsed).toBe(5_000);
  });

  it('runUntil with stepMs checks on a fixed grid', async () => {
    const clock = new VirtualClock();
    let done = false;
    clock.setTimer(25, () => {
      done = true;
    });
    expect(await clock.runUntil(() => done, { stepMs: 10 })).toBe(30);
  });

  it('runUntil throws a typed timeout when the predicate never holds', async () => {
    const clock = new VirtualClock();
    await expect(clock.runUntil(() => false, { maxMs: 1_000 })).rejects.toMatchObject({
      code: 'CLOCK_RUN_UNTIL_TIMEOUT',
    });
    expect(clock.now()).toBe(1_000);
  });
});
