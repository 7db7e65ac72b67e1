import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  formatPercent,
  metadataLine,
  plainLine,
  progressBar,
  shareRatio,
  stateLabel,
  statusLine,
  statusLines,
} from '../src/progress-line.js';
import { displayWidth } from '../src/text-width.js';
import { MIB, status } from './status-fixture.js';

describe('statusLine (the live line)', () => {
  it('shows name, state, bar, percent, rates, peers, ETA and ratio', () => {
    expect(statusLine(status(), 'ubuntu.iso')).toBe(
      'ubuntu.iso  downloading  [##########----------]  50.0%  down 2.00 MiB/s  up 512.0 KiB/s  peers 3/12  ETA 25s  ratio 0.10',
    );
  });

  it('shows the check progress while checking, and no ETA unless downloading', () => {
    const line = statusLine(status({ state: 'checking', checkedPieces: 12 }), 'x');
    expect(line).toContain('x  checking 12/100  [');
    expect(line).not.toContain('ETA');
    const seeding = statusLine(
      status({ state: 'seeding', progress: 1, verifiedBytes: 100 * MIB, downloadRate: 0 }),
      'x',
    );
    expect(seeding).toContain('seeding  [####################]  100.0%');
    expect(seeding).not.toContain('ETA');
  });

  it('shows -- for the ETA while nothing arrives', () => {
    expect(statusLine(status({ downloadRate: 0 }), 'x')).toContain('ETA --');
  });

  it('fits the width by shortening the name first', () => {
    const name = 'a-very-long-torrent-name-that-goes-on-and-on-and-on.iso';
    const lines = statusLines(status(), name, 140);
    expect(lines).toHaveLength(1);
    expect(displayWidth(lines[0]!)).toBeLessThanOrEqual(140);
    expect(lines[0]).toMatch(/^a-very-long-.*… {2}downloading {2}\[#/);
    expect(lines[0]!.endsWith('ratio 0.10')).toBe(true);
  });

  it('puts the name on a line of its own on a narrow terminal, dropping the bar before any figure', () => {
    const name = 'ubuntu-24.04-desktop-amd64.iso';
    const at80 = statusLines(status(), name, 79);
    expect(at80).toEqual([
      name,
      'downloading 50.0% down 2.00 MiB/s up 512.0 KiB/s peers 3/12 ETA 25s ratio 0.10',
    ]);
    const at100 = statusLines(status(), name, 99);
    expect(at100[1]).toBe(
      'downloading  [#####-----]  50.0%  down 2.00 MiB/s  up 512.0 KiB/s  peers 3/12  ETA 25s  ratio 0.10',
    );
    for (const width of [20, 40, 60]) {
      const lines = statusLines(status(), name, width);
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(lines[1]!.startsWith('downloading 50.0%')).toBe(true);
    }
  });

  it('counts wide characters as two columns when fitting', () => {
    const lines = statusLines(status(), '日本語のファイル名がとても長い場合のテストです'.repeat(2), 130);
    expect(lines).toHaveLength(1);
    expect(displayWidth(lines[0]!)).toBeLessThanOrEqual(130);
    expect(lines[0]).toContain('…');
  });
});

/** C0, DEL, C1, bidi controls, line and paragraph separators: what a terminal must never get from a name. */
function isUnsafe(char: string): boolean {
  const code = char.codePointAt(0)!;
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x2028 ||
    code === 0x2029
  );
}

describe('names from the network are neutralised', () => {
  const hostile = [
    ['ANSI colour and clear screen', 'evil\u001b[31m\u001b[2Jname', 'evil\\x1b[31m\\x1b[2Jname'],
    ['OSC window title with BEL', 'a\u001b]0;pwned\u0007b', 'a\\x1b]0;pwned\\x07b'],
    ['carriage return overwriting the line', 'fake 100%\rreal', 'fake 100%\\x0dreal'],
    ['newline', 'two\nlines', 'two\\x0alines'],
    ['C1 CSI', 'c1\u009b31m', 'c1\\x9b31m'],
    ['bidi override (gnp.exe shown as exe.png)', 'photo\u202Egnp.exe', 'photo\\u{202e}gnp.exe'],
    ['bidi isolate', 'x\u2067y\u2069', 'x\\u{2067}y\\u{2069}'],
    ['line separator', 'a\u2028b', 'a\\u{2028}b'],
  ] as const;

  for (const [what, name, shown] of hostile) {
    it(`${what}: live line, plain line and metadata line`, () => {
      expect(statusLine(status(), name).startsWith(`${shown}  `)).toBe(true);
      expect(plainLine(status(), name).startsWith(`${shown}: `)).toBe(true);
      const meta = metadataLine({ name, received: 0, total: 0, peersConnected: 0, peersKnown: 0 });
      expect(meta.startsWith(`${shown}  `)).toBe(true);
      for (const line of [...statusLines(status(), name, 80), plainLine(status(), name)]) {
        expect([...line].filter(isUnsafe)).toEqual([]);
      }
    });
  }
});

describe('plainLine (logs and pipes)', () => {
  it('spells sizes out and has no bar', () => {
    expect(plainLine(status(), 'ubuntu.iso')).toBe(
      'ubuntu.iso: downloading 50.0% (50.0 MiB of 100.0 MiB)  down 2.00 MiB/s  up 512.0 KiB/s  peers 3/12  ETA 25s  ratio 0.10',
    );
  });

  it('with files skipped, counts and times what was selected, not the whole torrent', () => {
    const selected = status({ wantedBytes: 20 * MIB, wantedVerifiedBytes: 16 * MIB, progress: 0.8 });
    expect(plainLine(selected, 'album')).toContain('downloading 80.0% (16.0 MiB of 20.0 MiB)');
    expect(etaSeconds(selected)).toBe(2);
  });
});

describe('metadataLine', () => {
  it('shows metadata pieces and peers, ? before the size is known', () => {
    expect(metadataLine({ name: 'm', received: 0, total: 0, peersConnected: 1, peersKnown: 4 })).toBe(
      'm  fetching metadata  0/? pieces  peers 1/4',
    );
    expect(metadataLine({ name: 'm', received: 2, total: 5, peersConnected: 2, peersKnown: 4 })).toBe(
      'm  fetching metadata  2/5 pieces  peers 2/4',
    );
  });
});

describe('the parts', () => {
  it('progressBar clamps and rounds down', () => {
    expect(progressBar(0, 10)).toBe('[----------]');
    expect(progressBar(0.999, 10)).toBe('[#########-]');
    expect(progressBar(1, 10)).toBe('[##########]');
    expect(progressBar(7, 10)).toBe('[##########]');
    expect(progressBar(Number.NaN, 10)).toBe('[----------]');
  });

  it('formatPercent shows 100% only when complete', () => {
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.4242)).toBe('42.4%');
    expect(formatPercent(0.99999)).toBe('99.9%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('stateLabel, etaSeconds and shareRatio', () => {
    expect(stateLabel(status({ state: 'error' }))).toBe('error');
    expect(etaSeconds(status())).toBe(25);
    expect(etaSeconds(status({ state: 'seeding' }))).toBeUndefined();
    expect(shareRatio(status())).toBeCloseTo(0.1);
    // Seeding data we already had: uploaded over what we have.
    expect(shareRatio(status({ downloadedBytes: 0, verifiedBytes: 10 * MIB, uploadedBytes: 20 * MIB }))).toBe(
      2,
    );
    expect(shareRatio(status({ downloadedBytes: 0, verifiedBytes: 0 }))).toBeUndefined();
  });
});
