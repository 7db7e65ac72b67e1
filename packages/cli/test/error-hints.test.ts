import { MetainfoError } from '@bitloom/engine';
import { describe, expect, it } from 'vitest';
import { hintFor } from '../src/error-hints.js';
import { reportError } from '../src/errors.js';
import { errorEventLine, eventLine, withJsonErrors } from '../src/ndjson.js';

function systemError(code: string, path?: string): Error {
  return Object.assign(new Error(`${code}: failed`), { code, ...(path && { path }) });
}

describe('hintFor: what to do after an error', () => {
  it('answers system errors by errno', () => {
    expect(hintFor(systemError('ENOENT'))).toBe('check the path');
    expect(hintFor(systemError('EACCES'))).toBe('check its permissions');
    expect(hintFor(systemError('EADDRINUSE'))).toMatch(/--port/);
  });

  it('prefers the most specific cause (the errno under a listen failure)', () => {
    const listen = Object.assign(new Error('listen on 0.0.0.0:6881: in use'), {
      code: 'NET_LISTEN_FAILED',
      cause: systemError('EADDRINUSE'),
    });
    expect(hintFor(listen)).toMatch(/another program uses that port/);
  });

  it('says to check a torrent file that does not parse, and nothing for unknown codes', () => {
    expect(hintFor(new MetainfoError('METAINFO_MALFORMED', 'x.torrent: not bencode'))).toMatch(/\.torrent/);
    expect(hintFor(new MetainfoError('METAINFO_TOO_LARGE', 'big; is it a torrent?'))).toBeUndefined();
    expect(hintFor(Object.assign(new Error('x'), { code: 'SOMETHING_NEW' }))).toBeUndefined();
    expect(hintFor('not an error')).toBeUndefined();
  });
});

describe('reportError', () => {
  function report(error: unknown, verbose: boolean) {
    let stderr = '';
    const code = reportError(error, {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      verbose,
      setExitCode: () => {},
    });
    return { code, stderr };
  }

  it('one line: what failed, on what, and what to do; no stack', () => {
    const { code, stderr } = report(systemError('ENOENT', 'missing.torrent'), false);
    expect(code).toBe(1);
    expect(stderr).toBe('bitloom: missing.torrent: no such file or directory; check the path\n');
  });

  it('the stack and causes with --verbose', () => {
    const error = new MetainfoError('METAINFO_MALFORMED', 'x.torrent: bad', { cause: new Error('inner') });
    const { stderr } = report(error, true);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^bitloom: x\.torrent: bad; check that it is a \.torrent file/);
    expect(stderr).toMatch(/\n\s+at /);
    expect(stderr).toContain('[METAINFO_MALFORMED]');
    expect(stderr).toContain('caused by: Error: inner');
  });

  it('a message from the network cannot break the line or reach the terminal raw', () => {
    const { stderr } = report(new Error('tracker said: \u001b[2Jgone\nsecond line'), false);
    expect(stderr).toBe('bitloom: tracker said: \\x1b[2Jgone second line\n');
  });
});

describe('eventLine (--json)', () => {
  it('one JSON object a line, event first', () => {
    expect(eventLine('done', { progress: 1 })).toBe('{"event":"done","progress":1}\n');
  });

  it('escapes C1, bidi and line separators so the line is terminal-safe, yet parses to the raw name', () => {
    const name = 'a\u009b31m\u202Egnp.exe\u2028\u001b[0m';
    const line = eventLine('metadata', { name });
    expect([...line.trimEnd()].every((char) => char >= ' ' && char < '\u007f')).toBe(true);
    expect(JSON.parse(line).name).toBe(name);
    expect(line.split('\n')).toHaveLength(2);
  });
});

describe('withJsonErrors (--json)', () => {
  it('a failure becomes an error event on stdout too, and is rethrown', async () => {
    let out = '';
    const failure = Object.assign(new Error('x.torrent: not bencode'), { code: 'METAINFO_MALFORMED' });
    await expect(
      withJsonErrors(true, { write: (t: string) => (out += t) }, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(out).toBe('{"event":"error","code":"METAINFO_MALFORMED","message":"x.torrent: not bencode"}\n');
  });

  it('reports an error once: one already emitted as an event is not repeated; nothing without --json', async () => {
    let out = '';
    const failure = new Error('disk full');
    out += errorEventLine(failure);
    await expect(
      withJsonErrors(true, { write: (t: string) => (out += t) }, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    let plain = '';
    await expect(
      withJsonErrors(false, { write: (t: string) => (plain += t) }, async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(plain).toBe('');
  });
});
