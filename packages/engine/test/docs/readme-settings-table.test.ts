/**
 * The README's limits table is the one `scripts/settings-table.mjs` prints, computed here from the engine's
 * sources (not dist), so a setting (session/settings.ts) or an input limit (input-limits.ts) added or changed
 * without regenerating the README fails.
 */
import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, type InputLimit } from '../../src/input-limits.js';
import { SETTINGS_TABLE } from '../../src/session/settings.js';
import { readReadme } from './readme.js';

interface SettingsTableScript {
  TABLE_START: string;
  TABLE_END: string;
  formatLimitsTable(
    settings: Record<string, { default: number; min: number; max: number; doc: string }>,
    limits?: readonly InputLimit[],
  ): string;
  replaceSettingsTable(readme: string, table: string): string;
}

// Imported by URL: the script is plain .mjs outside the TypeScript projects.
const script = (await import(
  new URL('../../../../scripts/settings-table.mjs', import.meta.url).href
)) as SettingsTableScript;

/** The trimmed cells of one markdown table row (a `\\|` inside a cell is not a separator). */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe('README limits table', () => {
  it('is exactly the table the script prints for SETTINGS_TABLE and INPUT_LIMITS', () => {
    const readme = readReadme();
    const start = readme.indexOf(script.TABLE_START);
    const end = readme.indexOf(script.TABLE_END);
    expect(start, 'start marker').toBeGreaterThan(-1);
    expect(end, 'end marker').toBeGreaterThan(start);
    const inReadme = readme.slice(start + script.TABLE_START.length, end).trim();
    expect(inReadme).toBe(script.formatLimitsTable(SETTINGS_TABLE, INPUT_LIMITS));
  });

  it('has one row per setting, then one per input limit, in table order, with defaults in units', () => {
    const rows = script.formatLimitsTable(SETTINGS_TABLE, INPUT_LIMITS).split('\n').map(cells);
    expect(rows[0]).toEqual(['limit', 'default', 'change', 'why']);
    const byName = new Map(rows.slice(2).map((row) => [row[0]!.replaceAll('`', ''), row]));
    expect([...byName.keys()]).toEqual([...Object.keys(SETTINGS_TABLE), ...INPUT_LIMITS.map((l) => l.name)]);
    expect(byName.get('maxMessageLength')?.slice(1, 3)).toEqual(['1 MiB', 'setting, 256 KiB … 64 MiB']);
    expect(byName.get('keepAliveIntervalMs')?.slice(1, 3)).toEqual(['60 s', 'setting, 1 s … 10 min']);
    expect(byName.get('tickIntervalMs')?.slice(1, 3)).toEqual(['500 ms', 'setting, 10 ms … 10 s']);
    expect(byName.get('maxIncomingRequestsPerPeer')?.slice(1, 3)).toEqual(['500', 'setting, 1 … 10,000']);
    expect(byName.get('chokeIntervalMs')?.[3]).toBe(SETTINGS_TABLE.chokeIntervalMs.doc);
    expect(byName.get('DEFAULT_METAINFO_LIMITS.maxTorrentBytes')?.slice(1, 3)).toEqual([
      '10 MiB',
      '`parseTorrent` option',
    ]);
    expect(byName.get('BENCODE_DEFAULT_MAX_DEPTH')?.[1]).toBe('100');
    expect(byName.get('METADATA_REQUEST_TIMEOUT_MS')?.[1]).toBe('10 s');
  });

  it('names every input limit once, each with a reason', () => {
    const names = INPUT_LIMITS.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    for (const limit of INPUT_LIMITS) {
      expect(Number.isFinite(limit.value) && limit.value >= 0, limit.name).toBe(true);
      expect(limit.why.length, limit.name).toBeGreaterThan(10);
    }
  });

  it('pads every row to the same width (the layout Biome gives markdown tables)', () => {
    const lines = script.formatLimitsTable(SETTINGS_TABLE, INPUT_LIMITS).split('\n');
    expect(new Set(lines.map((line) => [...line].length)).size).toBe(1);
  });

  it('escapes a pipe in a doc text so the row keeps its four cells', () => {
    const table = script.formatLimitsTable({ oddSetting: { default: 1, min: 0, max: 2, doc: 'a | b' } });
    expect(cells(table.split('\n')[2]!)).toEqual(['`oddSetting`', '1', 'setting, 0 … 2', 'a \\| b']);
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const before = `intro\n${script.TABLE_START}\nold\n${script.TABLE_END}\noutro\n`;
    expect(script.replaceSettingsTable(before, 'NEW')).toBe(
      `intro\n${script.TABLE_START}\nNEW\n${script.TABLE_END}\noutro\n`,
    );
    expect(() => script.replaceSettingsTable('no markers', 'NEW')).toThrow(/markers/);
  });
});
