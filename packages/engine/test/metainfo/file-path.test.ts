import { describe, expect, it } from 'vitest';
import {
  MAX_PATH_ELEMENT_BYTES,
  neutralizeControlChars,
  sanitizePath,
  sanitizePathElement,
  utf8ByteLength,
} from '../../src/metainfo/file-path.js';

describe('sanitizePathElement', () => {
  it('keeps ordinary names as they are', () => {
    for (const name of ['movie.mkv', 'Ünïcödé 名前.txt', '.hidden', 'a b', '-dash', 'CONSOLE.txt', 'com10']) {
      expect(sanitizePathElement(name)).toBe(name);
    }
  });

  it('traversal: drops the empty, current and parent elements', () => {
    expect(sanitizePathElement('')).toBeUndefined();
    expect(sanitizePathElement('.')).toBeUndefined();
    expect(sanitizePathElement('..')).toBeUndefined();
  });

  it('traversal: a separator inside one element never makes several elements', () => {
    expect(sanitizePathElement('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(sanitizePathElement('..\\..\\windows\\system32')).toBe('.._.._windows_system32');
    expect(sanitizePathElement('a/b')).toBe('a_b');
  });

  it('traversal: absolute paths become relative names', () => {
    expect(sanitizePathElement('/etc/passwd')).toBe('_etc_passwd');
    expect(sanitizePathElement('/')).toBe('_');
    expect(sanitizePathElement('\\')).toBe('_');
  });

  it('traversal: drive letters and NTFS streams lose their colon', () => {
    expect(sanitizePathElement('C:')).toBe('C_');
    expect(sanitizePathElement('C:\\Windows')).toBe('C__Windows');
    expect(sanitizePathElement('file.txt:stream')).toBe('file.txt_stream');
  });

  it('traversal: UNC and device paths are flattened', () => {
    expect(sanitizePathElement('\\\\server\\share\\x')).toBe('__server_share_x');
    expect(sanitizePathElement('\\\\?\\C:\\x')).toBe('____C__x');
  });

  it('replaces characters Windows forbids in names', () => {
    expect(sanitizePathElement('a<b>c"d|e?f*g')).toBe('a_b_c_d_e_f_g');
  });

  it('replaces control characters (terminal escapes, NUL, newlines, DEL, C1)', () => {
    expect(sanitizePathElement('evil\u001b[31mred')).toBe('evil_[31mred');
    expect(sanitizePathElement('nul\u0000byte')).toBe('nul_byte');
    expect(sanitizePathElement('line\nbreak\r')).toBe('line_break_');
    expect(sanitizePathElement('del\u007f\u0085')).toBe('del__');
  });

  it('replaces bidi overrides that disguise extensions (U+202A–202E, U+2066–2069)', () => {
    expect(sanitizePathElement('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    for (const code of [
      0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f,
    ]) {
      expect(sanitizePathElement(`a${String.fromCodePoint(code)}b`)).toBe('a_b');
    }
  });

  it('a bidi or control character between dots cannot produce ".."', () => {
    expect(sanitizePathElement('.\u202E.')).toBe('._');
    expect(sanitizePathElement('.\u0000.')).toBe('._');
  });

  it('escapes Windows reserved device names with any extension and case', () => {
    expect(sanitizePathElement('CON')).toBe('CON_');
    expect(sanitizePathElement('con.txt')).toBe('con_.txt');
    expect(sanitizePathElement('Aux.tar.gz')).toBe('Aux_.tar.gz');
    expect(sanitizePathElement('nul')).toBe('nul_');
    expect(sanitizePathElement('PRN')).toBe('PRN_');
    for (let n = 1; n <= 9; n++) {
      expect(sanitizePathElement(`COM${n}`)).toBe(`COM${n}_`);
      expect(sanitizePathElement(`lpt${n}.log`)).toBe(`lpt${n}_.log`);
    }
    expect(sanitizePathElement('CON .txt')).toBe('CON _.txt');
  });

  it('strips trailing dots and spaces (Windows would silently merge "a." with "a")', () => {
    expect(sanitizePathElement('name.')).toBe('name');
    expect(sanitizePathElement('name. . ')).toBe('name');
    expect(sanitizePathElement('...')).toBe('_');
    expect(sanitizePathElement('   ')).toBe('_');
    expect(sanitizePathElement('.. ')).toBe('_');
    expect(sanitizePathElement('con.')).toBe('con_');
  });

  it('shortens over-long names to 255 UTF-8 bytes, keeping the extension', () => {
    const long = `${'a'.repeat(300)}.mkv`;
    const safe = sanitizePathElement(long)!;
    expect(utf8ByteLength(safe)).toBe(MAX_PATH_ELEMENT_BYTES);
    expect(safe.endsWith('.mkv')).toBe(true);

    const multibyte = '名'.repeat(200); // 600 bytes, cut on a character boundary
    const shortened = sanitizePathElement(multibyte)!;
    expect(utf8ByteLength(shortened)).toBeLessThanOrEqual(MAX_PATH_ELEMENT_BYTES);
    expect(shortened).toBe('名'.repeat(85));

    const emoji = '😀'.repeat(100); // 4-byte characters, no lone surrogate left behind
    expect(sanitizePathElement(emoji)).toBe('😀'.repeat(63));
  });

  it('a long name that is only spaces after truncation still gets a name', () => {
    expect(sanitizePathElement(`${' '.repeat(300)}x`)).toBe('_');
  });
});

describe('sanitizePath', () => {
  it('traversal: drops "..", "." and empty elements instead of following them', () => {
    expect(sanitizePath(['..', '..', 'etc', 'passwd'])).toEqual(['etc', 'passwd']);
    expect(sanitizePath(['a', '.', '', 'b'])).toEqual(['a', 'b']);
    expect(sanitizePath(['..', '.'])).toEqual([]);
  });
});

describe('neutralizeControlChars', () => {
  it('makes escapes and bidi controls visible instead of active', () => {
    expect(neutralizeControlChars('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(neutralizeControlChars('x\u202Ey')).toBe('x\\u{202e}y');
    expect(neutralizeControlChars('plain/päth')).toBe('plain/päth');
  });
});
