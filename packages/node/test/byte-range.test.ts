import { describe, expect, it } from 'vitest';
import { decideRange } from '../src/http/byte-range.js';
import { contentTypeFor } from '../src/http/content-type.js';

describe('decideRange (one resource of 1000 bytes)', () => {
  const decide = (header: string | undefined, length = 1000) => decideRange(header, length);

  it('no Range header: the whole resource', () => {
    expect(decide(undefined)).toEqual({ kind: 'full' });
  });

  it('first-last, first- and -suffix ranges', () => {
    expect(decide('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(decide('bytes=500-')).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(decide('bytes=-100')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(decide('bytes=999-999')).toEqual({ kind: 'partial', start: 999, end: 999 });
    expect(decide('BYTES = 10 - 20')).toEqual({ kind: 'partial', start: 10, end: 20 });
  });

  it('a last byte past the end is clamped; a suffix longer than the resource is all of it', () => {
    expect(decide('bytes=900-5000')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(decide('bytes=-5000')).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('a first byte at or past the end, or an empty suffix, is unsatisfiable (416)', () => {
    expect(decide('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(decide('bytes=5000-6000')).toEqual({ kind: 'unsatisfiable' });
    expect(decide('bytes=-0')).toEqual({ kind: 'unsatisfiable' });
    expect(decide('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not serve: several ranges, other units, bad syntax, absurd sizes', () => {
    for (const header of [
      'bytes=0-1,5-6',
      'items=0-5',
      'bytes=5-1',
      'bytes=-',
      'bytes=a-b',
      'bytes 0-5',
      `bytes=0-${'9'.repeat(30)}`,
      `bytes=${'0'.repeat(300)}-1`,
    ]) {
      expect(decide(header), header).toEqual({ kind: 'full' });
    }
  });
});

describe('contentTypeFor', () => {
  it('knows common media by extension, case-insensitively', () => {
    expect(contentTypeFor('Movie.MKV')).toBe('video/x-matroska');
    expect(contentTypeFor('a/b/clip.mp4')).toBe('video/mp4');
    expect(contentTypeFor('song.flac')).toBe('audio/flac');
    expect(contentTypeFor('subs.vtt')).toBe('text/vtt; charset=utf-8');
  });

  it('sends anything else, and anything that could run script, as an opaque download', () => {
    for (const name of [
      'page.html',
      'image.svg',
      'x.js',
      'noext',
      'dir.mp4/file',
      'x.constructor',
      'x.__proto__',
    ]) {
      expect(contentTypeFor(name), name).toBe('application/octet-stream');
    }
  });
});
