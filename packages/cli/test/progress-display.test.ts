import { describe, expect, it } from 'vitest';
import type { FileView } from '../src/files-table.js';
import { PLAIN_INTERVAL_MS, ProgressDisplay } from '../src/progress-display.js';
import { MIB, status } from './status-fixture.js';

function sink(isTTY: boolean, columns = 200, rows = 40) {
  const writes: string[] = [];
  return { out: { isTTY, columns, rows, write: (text: string) => writes.push(text) }, writes };
}

/** What a terminal would show: applies \r, clear-line, cursor-up and clear-to-end to a grid of lines. */
function screen(writes: readonly string[]): string[] {
  const lines: string[] = [''];
  let row = 0;
  const text = writes.join('').replaceAll('\u001b[?7l', '').replaceAll('\u001b[?7h', '');
  for (let i = 0; i < text.length; i++) {
    const rest = text.slice(i);
    const up = rest.startsWith('\u001b') ? /^\[(\d+)A/.exec(rest.slice(1)) : null;
    if (up) {
      row -= Number(up[1]);
      i += up[0].length;
    } else if (rest.startsWith('\u001b[2K')) {
      lines[row] = '';
      i += 3;
    } else if (rest.startsWith('\u001b[J')) {
      lines[row] = '';
      lines.length = row + 1;
      i += 2;
    } else if (text[i] === '\r') {
      // Column 0; the next write replaces the line only after a clear, which every redraw sends.
    } else if (text[i] === '\n') {
      row++;
      if (lines.length <= row) lines.push('');
    } else {
      lines[row] = `${lines[row] ?? ''}${text[i] ?? ''}`;
    }
  }
  return lines;
}

const files: FileView[] = [
  { index: 0, path: 'a.bin', length: 4 * MIB, verifiedBytes: MIB, priority: 1, padding: false },
  { index: 1, path: 'b.bin', length: 4 * MIB, verifiedBytes: 0, priority: 1, padding: false },
];

describe('ProgressDisplay on a terminal (live)', () => {
  it('redraws one line in place', () => {
    const { out, writes } = sink(true);
    const display = new ProgressDisplay(out, 'live', () => 0);
    display.update(status({ progress: 0.25 }), 'one');
    display.update(status({ progress: 0.5 }), 'one');
    expect(screen(writes)).toEqual([expect.stringMatching(/^one {2}downloading .* 50\.0%/)]);
  });

  it('redraws a multi-line --files frame in place, moving up over the previous one', () => {
    const { out, writes } = sink(true);
    const display = new ProgressDisplay(out, 'live', () => 0);
    display.update(status(), 'multi', files);
    display.update(status(), 'multi', [{ ...files[0]!, verifiedBytes: 2 * MIB }, files[1]!]);
    expect(writes.at(-1)).toContain('\u001b[2A');
    const shown = screen(writes);
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(/^multi {2}downloading/);
    expect(shown[1]).toContain('50.0%  2.00 MiB of 4.00 MiB  a.bin');
    expect(shown[2]).toContain('0.0%  0 B of 4.00 MiB       b.bin');
  });

  it('keeps the frame shorter than the screen', () => {
    const { out, writes } = sink(true, 120, 8);
    const many = Array.from({ length: 50 }, (_, i) => ({ ...files[1]!, index: i, path: `f${i}` }));
    new ProgressDisplay(out, 'live', () => 0).update(status(), 'n', many);
    const shown = screen(writes);
    expect(shown.length).toBeLessThanOrEqual(6);
    expect(shown.at(-1)).toMatch(/^… \d+ more files/);
  });

  it('prints a message above the frame and draws the frame again below it', () => {
    const { out, writes } = sink(true);
    const display = new ProgressDisplay(out, 'live', () => 0);
    display.update(status(), 'x', files);
    display.message('bitloom: stopping');
    const shown = screen(writes);
    expect(shown[0]).toBe('bitloom: stopping');
    expect(shown[1]).toMatch(/^x {2}downloading/);
    expect(shown).toHaveLength(4);
  });

  it('finish leaves the last frame and a newline; clear removes the frame', () => {
    const { out, writes } = sink(true);
    const display = new ProgressDisplay(out, 'live', () => 0);
    display.update(status(), 'x');
    display.finish(status({ state: 'seeding', progress: 1, verifiedBytes: 100 * MIB }), 'x');
    expect(writes.at(-1)).toBe('\n');
    expect(screen(writes)[0]).toMatch(/seeding .*100\.0%/);
    display.update(status(), 'y');
    display.clear();
    expect(screen(writes)).toEqual([expect.stringMatching(/seeding/), '']);
  });

  it('turns autowrap off around every frame', () => {
    const { out, writes } = sink(true);
    new ProgressDisplay(out, 'live', () => 0).update(status(), 'x');
    expect(writes[0]!.startsWith('\u001b[?7l')).toBe(true);
    expect(writes[0]!.endsWith('\u001b[?7h')).toBe(true);
  });
});

describe('ProgressDisplay off a terminal (plain)', () => {
  it(`prints a plain line at most every ${PLAIN_INTERVAL_MS / 1000} s, no escape sequences`, () => {
    const { out, writes } = sink(false);
    let now = 0;
    const display = new ProgressDisplay(out, 'plain', () => now);
    display.update(status(), 'x');
    now += PLAIN_INTERVAL_MS - 1;
    display.update(status(), 'x');
    now += 1;
    display.update(status(), 'x');
    expect(writes).toHaveLength(2);
    expect(writes[0]).toBe(
      'x: downloading 50.0% (50.0 MiB of 100.0 MiB)  down 2.00 MiB/s  up 512.0 KiB/s  peers 3/12  ETA 25s  ratio 0.10\n',
    );
    expect(writes.join('')).not.toContain('\u001b');
  });

  it('with --files, lists the files that moved since the last line', () => {
    const { out, writes } = sink(false);
    let now = 0;
    const display = new ProgressDisplay(out, 'plain', () => now);
    display.update(status(), 'x', files);
    expect(writes[0]!.split('\n').filter(Boolean)).toHaveLength(3);
    now += PLAIN_INTERVAL_MS;
    display.update(status(), 'x', [files[0]!, { ...files[1]!, verifiedBytes: MIB }]);
    const second = writes[1]!.split('\n').filter(Boolean);
    expect(second).toHaveLength(2);
    expect(second[1]).toMatch(/^ {2}1 {2}\[##--------\] {3}25\.0%/);
    // The last word lists every file, moved or not.
    display.finish(status(), 'x', [files[0]!, { ...files[1]!, verifiedBytes: MIB }]);
    expect(writes[2]!.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('metadata lines and messages are printed as lines', () => {
    const { out, writes } = sink(false);
    const display = new ProgressDisplay(out, 'plain', () => 0);
    display.metadata({ name: 'm', received: 1, total: 2, peersConnected: 1, peersKnown: 1 });
    display.message('note');
    expect(writes).toEqual(['m  fetching metadata  1/2 pieces  peers 1/1\n', 'note\n']);
  });
});

describe('ProgressDisplay with --quiet', () => {
  it('writes nothing', () => {
    const { out, writes } = sink(true);
    const display = ProgressDisplay.for(out, true, () => 0);
    display.update(status(), 'x', files);
    display.metadata({ name: 'm', received: 0, total: 0, peersConnected: 0, peersKnown: 0 });
    display.message('m');
    display.finish(status(), 'x');
    expect(writes).toEqual([]);
  });

  it('chooses live on a TTY and plain otherwise', () => {
    expect(ProgressDisplay.for(sink(true).out, false, () => 0).mode).toBe('live');
    expect(ProgressDisplay.for(sink(false).out, false, () => 0).mode).toBe('plain');
  });
});
