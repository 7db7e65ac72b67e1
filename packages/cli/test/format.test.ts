import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../src/arguments.js';
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatRate,
  formatRatio,
  oneLine,
  safeText,
} from '../src/format.js';
import { hashProgress, PROGRESS_MIN_BYTES } from '../src/hash-progress.js';

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(16 * 1024)).toBe('16.0 KiB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.00 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.50 GiB');
    expect(formatBytes(300 * 1024 ** 4)).toBe('300.0 TiB');
  });
});

describe('formatRate, formatDuration, formatRatio', () => {
  it('rates in binary units per second, never negative', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(999.6)).toBe('1000 B/s');
    expect(formatRate(2 * 1024 ** 2)).toBe('2.00 MiB/s');
    expect(formatRate(-5)).toBe('0 B/s');
  });

  it('durations from seconds to days, -- when unknown', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(2 * 3600 + 5 * 60 + 30)).toBe('2h05m');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3d04h');
    expect(formatDuration(1e9)).toBe('>999d');
    expect(formatDuration(Number.NaN)).toBe('--');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--');
    expect(formatDuration(-1)).toBe('--');
  });

  it('ratios with two decimals, -- when there is nothing to divide by', () => {
    expect(formatRatio(0)).toBe('0.00');
    expect(formatRatio(1.234)).toBe('1.23');
    expect(formatRatio(undefined)).toBe('--');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('--');
  });
});

describe('safeText and oneLine', () => {
  it('neutralises terminal escapes and bidi overrides from the network', () => {
    expect(safeText('a\u001b]0;pwned\u0007b')).toBe('a\\x1b]0;pwned\\x07b');
    expect(safeText('name\u202Egpj.exe')).toBe('name\\u{202e}gpj.exe');
    expect(safeText('line\u2028break\u2029')).toBe('line\\u{2028}break\\u{2029}');
  });

  it('forces messages onto one line', () => {
    expect(oneLine('error: unknown option\n(Did you mean --force?)\n')).toBe(
      'error: unknown option (Did you mean --force?)',
    );
  });
});

describe('formatDate', () => {
  it('formats seconds as ISO UTC', () => {
    expect(formatDate(1_700_000_000)).toBe('2023-11-14T22:13:20Z');
    expect(formatDate(1e20)).toBe('unknown');
  });
});

describe('parseByteSize', () => {
  it('accepts bytes and binary suffixes', () => {
    expect(parseByteSize('40000')).toBe(40_000);
    expect(parseByteSize('256K')).toBe(262_144);
    expect(parseByteSize('256KiB')).toBe(262_144);
    expect(parseByteSize('4m')).toBe(4 * 1024 ** 2);
  });

  it('refuses anything else', () => {
    for (const text of ['', '0', '-1', '1.5M', 'abc', '4X', '99999999999999999999']) {
      expect(() => parseByteSize(text)).toThrow(/positive number of bytes/);
    }
  });
});

describe('hashProgress', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
  };

  it('draws on a TTY once per whole percent, then clears the line', () => {
    const { stream, writes } = sink(true);
    const progress = hashProgress(stream, PROGRESS_MIN_BYTES);
    progress.update(PROGRESS_MIN_BYTES / 2, PROGRESS_MIN_BYTES);
    progress.update(PROGRESS_MIN_BYTES / 2 + 1, PROGRESS_MIN_BYTES);
    progress.update(PROGRESS_MIN_BYTES, PROGRESS_MIN_BYTES);
    progress.finish();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toContain('hashing  50%');
    expect(writes[1]).toContain('hashing 100%');
    expect(writes[2]).toBe('\r\u001b[K');
  });

  it('stays silent off a TTY and for small inputs', () => {
    const piped = sink(false);
    hashProgress(piped.stream, PROGRESS_MIN_BYTES).update(1, PROGRESS_MIN_BYTES);
    expect(piped.writes).toEqual([]);
    const small = sink(true);
    hashProgress(small.stream, PROGRESS_MIN_BYTES - 1).update(1, PROGRESS_MIN_BYTES - 1);
    expect(small.writes).toEqual([]);
  });
});
