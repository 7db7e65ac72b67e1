/**
 * File path elements from a torrent (BEP 3 `name` and `path`) are untrusted: a hostile torrent can try to
 * climb out of the download directory (`..`, absolute paths, drive letters, UNC shares, backslashes), to
 * mislead the user (control characters, bidi overrides that reverse `exe.txt` into `txt.exe`), or to name
 * things a filesystem refuses (Windows reserved names, trailing dots, over-long names). Like libtorrent, each
 * element is sanitised and the torrent kept: only what cannot be made safe is dropped.
 *
 * The rules are applied on every platform, so a torrent yields the same paths on Linux, macOS and Windows.
 */

/** Longest file name most filesystems accept, in UTF-8 bytes. */
export const MAX_PATH_ELEMENT_BYTES = 255;

/** Longest extension kept when an over-long name is shortened (`.tar.gz`-sized, never a whole name). */
const MAX_KEPT_EXTENSION_BYTES = 32;

/** What a dangerous character is replaced with. */
const REPLACEMENT = '_';

/** Windows device names, reserved with any extension and in any case (`con.txt`, `Lpt1.tar.gz`). */
const WINDOWS_RESERVED_STEM = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** C0 and C1 control characters and DEL. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** Bidirectional overrides, isolates and marks: they reorder what the user sees (`gnp.exe` shown as `exe.png`). */
function isBidiControl(code: number): boolean {
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Path separators on any platform, and the characters Windows forbids in names (`:` also opens NTFS streams). */
function isForbiddenInName(char: string): boolean {
  return '/\\:<>"|?*'.includes(char);
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** The UTF-8 length of a string in bytes. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += utf8Length(char.codePointAt(0)!);
  return bytes;
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, cut on a code point boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += utf8Length(char.codePointAt(0)!);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Shortens `name` to at most {@link MAX_PATH_ELEMENT_BYTES} bytes, keeping a short extension so the file
 * still opens with the right program.
 */
export function shortenName(name: string, maxBytes = MAX_PATH_ELEMENT_BYTES): string {
  if (utf8ByteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  if (extension !== '' && utf8ByteLength(extension) <= MAX_KEPT_EXTENSION_BYTES) {
    return truncateUtf8(name.slice(0, dot), maxBytes - utf8ByteLength(extension)) + extension;
  }
  return truncateUtf8(name, maxBytes);
}

/** Windows silently strips trailing dots and spaces, which would merge `a.` with `a`: remove them first. */
function stripTrailingDotsAndSpaces(name: string): string {
  let end = name.length;
  while (end > 0 && (name[end - 1] === '.' || name[end - 1] === ' ')) end--;
  return name.slice(0, end);
}

/** `con.txt` → `con_.txt`: the device name becomes an ordinary name, the extension is kept. */
function escapeReservedName(name: string): string {
  const dot = name.indexOf('.');
  const stem = dot === -1 ? name : name.slice(0, dot);
  if (!WINDOWS_RESERVED_STEM.test(stem.trimEnd())) return name;
  return `${stem}${REPLACEMENT}${dot === -1 ? '' : name.slice(dot)}`;
}

/**
 * Makes one path element safe to use as a single file or folder name below the download directory.
 * Returns `undefined` for elements that mean "no name" or "this/parent folder" (`''`, `.`, `..`): those
 * are dropped from the path rather than followed. Separators inside an element (`a/b`, `..\..\x`, `C:`,
 * `\\server\share`) are replaced, so one element never becomes several.
 */
export function sanitizePathElement(raw: string): string | undefined {
  if (raw === '' || raw === '.' || raw === '..') return undefined;
  let cleaned = '';
  for (const char of raw) {
    const code = char.codePointAt(0)!;
    cleaned += isControl(code) || isBidiControl(code) || isForbiddenInName(char) ? REPLACEMENT : char;
  }
  const name = stripTrailingDotsAndSpaces(shortenName(stripTrailingDotsAndSpaces(cleaned)));
  // Names made only of dots and spaces (`...`, `. .`) cannot exist on Windows; keep the file under a neutral name.
  return escapeReservedName(name === '' ? REPLACEMENT : name);
}

/**
 * Sanitises every element of a path (see {@link sanitizePathElement}), dropping the empty, `.` and `..`
 * elements. The result may be empty when nothing usable was left. A `cache` shared across the paths of one
 * torrent saves re-sanitising the folder names every path repeats.
 */
export function sanitizePath(
  rawElements: readonly string[],
  cache?: Map<string, string | undefined>,
): string[] {
  const safe: string[] = [];
  for (const raw of rawElements) {
    let element: string | undefined;
    if (cache?.has(raw)) element = cache.get(raw);
    else {
      element = sanitizePathElement(raw);
      cache?.set(raw, element);
    }
    if (element !== undefined) safe.push(element);
  }
  return safe;
}

function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isControl(code) || isBidiControl(code)) return true;
  }
  return false;
}

/**
 * Text from the network made safe to print: control characters become `\xHH` and bidi controls `\u{HHHH}`,
 * so a name cannot move the cursor, change terminal colours or reorder what is shown.
 */
export function neutralizeControlChars(text: string): string {
  if (!hasControlChars(text)) return text;
  let safe = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (isControl(code)) safe += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (isBidiControl(code)) safe += `\\u{${code.toString(16)}}`;
    else safe += char;
  }
  return safe;
}
