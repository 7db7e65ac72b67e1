/**
 * The README's limits table is the one `scripts/settings-table.mjs` prints, computed here from the engine's
 * sources (not dist), so a setting added or changed in session/settings.ts without regenerating the README fails.
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS_TABLE } from '../../src/session/settings.js';
import { readReadme } from './readme.js';

interface SettingsTableScript {
  TABLE_START: string;
  TABLE_END: string;
  formatSettingsTable(
    table: Record<string, { default: number; min: number; max: number; doc: string }>,
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

describe('README settings table', () => {
  it('is exactly the table the script prints for SETTINGS_TABLE', () => {
    const readme = readReadme();
    const start = readme.indexOf(script.TABLE_START);
    const end = readme.indexOf(script.TABLE_END);
    expect(start, 'start marker').toBeGreaterThan(-1);
    expect(end, 'end marker').toBeGreaterThan(start);
    const inReadme = readme.slice(start + script.TABLE_START.length, end).trim();
    expect(inReadme).toBe(script.formatSettingsTable(SETTINGS_TABLE));
  });

  it('has one row per setting, in table order, with its default and bounds in units', () => {
    const rows = script.formatSettingsTable(SETTINGS_TABLE).split('\n').map(cells);
    expect(rows[0]).toEqual(['setting', 'default', 'bounds', 'why']);
    const byName = new Map(rows.slice(2).map((row) => [row[0]!.replaceAll('`', ''), row]));
    expect([...byName.keys()]).toEqual(Object.keys(SETTINGS_TABLE));
    expect(byName.get('maxMessageLength')?.slice(1, 3)).toEqual(['1 MiB', '256 KiB … 64 MiB']);
    expect(byName.get('keepAliveIntervalMs')?.slice(1, 3)).toEqual(['60 s', '1 s … 10 min']);
    expect(byName.get('tickIntervalMs')?.slice(1, 3)).toEqual(['500 ms', '10 ms … 10 s']);
    expect(byName.get('maxIncomingRequestsPerPeer')?.slice(1, 3)).toEqual(['500', '1 … 10,000']);
    expect(byName.get('chokeIntervalMs')?.[3]).toBe(SETTINGS_TABLE.chokeIntervalMs.doc);
  });

  it('pads every row to the same width (the layout Biome gives markdown tables)', () => {
    const lines = script.formatSettingsTable(SETTINGS_TABLE).split('\n');
    expect(new Set(lines.map((line) => [...line].length)).size).toBe(1);
  });

  it('escapes a pipe in a doc text so the row keeps its four cells', () => {
    const table = script.formatSettingsTable({ oddSetting: { default: 1, min: 0, max: 2, doc: 'a | b' } });
    expect(cells(table.split('\n')[2]!)).toEqual(['`oddSetting`', '1', '0 … 2', 'a \\| b']);
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const before = `intro\n${script.TABLE_START}\nold\n${script.TABLE_END}\noutro\n`;
    expect(script.replaceSettingsTable(before, 'NEW')).toBe(
      `intro\n${script.TABLE_START}\nNEW\n${script.TABLE_END}\noutro\n`,
    );
    expect(() => script.replaceSettingsTable('no markers', 'NEW')).toThrow(/markers/);
  });
});
