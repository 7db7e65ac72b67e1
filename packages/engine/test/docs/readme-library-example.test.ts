/**
 * The README's "Library use" example must stay runnable: it is extracted from README.md, checked by
 * `node --check` as an ES module, and type-checked (checkJs, strict apart from implicit any) against the engine and node package
 * sources, so a renamed event, method or option breaks this test rather than the reader's program.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fencedBlocks, REPO_ROOT, readmeSection, readReadme } from './readme.js';

/** The ```js blocks under "## Library use": the download example, then the streaming example. */
function libraryExamples(): string[] {
  const blocks = fencedBlocks(readmeSection(readReadme(), 'Library use'), 'js');
  expect(blocks, 'two ```js blocks under "## Library use"').toHaveLength(2);
  return blocks;
}

function libraryExample(): string {
  return libraryExamples()[0]!;
}

function streamingExample(): string {
  return libraryExamples()[1]!;
}

let lastProgram: ts.Program | undefined;

/** Type errors of `source` as an .mjs file in the repository root, with the packages mapped to their sources. */
function typeErrors(source: string): string[] {
  const fileName = join(REPO_ROOT, '__readme-library-example__.mjs');
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: true,
    strict: true,
    // A reader's plain JS has no annotations; everything else strict checks still applies.
    noImplicitAny: false,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
    paths: {
      '@bitloom/engine': [join(REPO_ROOT, 'packages/engine/src/index.ts')],
      '@bitloom/node': [join(REPO_ROOT, 'packages/node/src/index.ts')],
    },
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, version, true, ts.ScriptKind.JS)
      : getSourceFile.call(host, name, version, ...rest);
  // The second check reuses the first program's package sources: only the example changed.
  const program = ts.createProgram({ rootNames: [fileName], options, host, oldProgram: lastProgram });
  lastProgram = program;
  const example = program.getSourceFile(fileName)!;
  return [...program.getSyntacticDiagnostics(example), ...program.getSemanticDiagnostics(example)].map(
    (d) => {
      const line = d.start === undefined ? 0 : example.getLineAndCharacterOfPosition(d.start).line + 1;
      return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    },
  );
}

describe('README library example', () => {
  it('parses as ES modules (node --check)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitloom-readme-'));
    try {
      for (const [index, example] of libraryExamples().entries()) {
        const file = join(dir, `library-example-${index}.mjs`);
        writeFileSync(file, example);
        // Throws (and fails the test) with node's syntax error on stderr when the block does not parse.
        execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the API as it is: createSession, add, the torrent events, status, pause/resume, peers, remove, close', () => {
    const source = libraryExample();
    for (const used of [
      'createSession(',
      'session.add(',
      'session.setRateLimits(',
      'torrent.pause()',
      'torrent.resume()',
      'torrent.peerInfo()',
      'torrent.trackers()',
      'torrent.files()',
      'createReadStream(',
      'session.removeTorrent(',
      "torrent.on('done'",
      "torrent.on('piece'",
      "torrent.on('piece-failed'",
      "torrent.on('error'",
      "torrent.on('state'",
      "torrent.on('peer-connected'",
      "torrent.on('peer-closed'",
      'torrent.status()',
      'session.close()',
    ]) {
      expect(source, used).toContain(used);
    }
    expect(typeErrors(source)).toEqual([]);
  });

  it('the streaming example uses files(), createReadStream with a range and a signal, and StreamError', () => {
    const source = streamingExample();
    for (const used of [
      '.files()',
      'file.createReadStream({ start:',
      'file.createReadStream({ signal:',
      'for await (const chunk of',
      'Readable.from(stream)',
      'instanceof StreamError',
      'error.code',
    ]) {
      expect(source, used).toContain(used);
    }
    expect(typeErrors(source)).toEqual([]);
    // Not vacuous: an unknown option or a misspelt property is caught.
    const broken = source
      .replace('createReadStream({ start:', 'createReadStream({ begin:')
      .replace('file.name', 'file.filename');
    const errors = typeErrors(broken);
    expect(errors.some((e) => e.includes("'begin'"))).toBe(true);
    expect(errors.some((e) => e.includes("'filename'"))).toBe(true);
  });

  it('the type check catches a wrong event name or field (so the check above is not vacuous)', () => {
    const broken = libraryExample()
      .replace("torrent.on('piece-failed'", "torrent.on('piece-fail'")
      .replace('status.progress', 'status.percent');
    const errors = typeErrors(broken);
    expect(errors.some((e) => e.includes('piece-fail'))).toBe(true);
    expect(errors.some((e) => e.includes("'percent'"))).toBe(true);
  });
});
