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
  formatSettingsTable(table: typeof SETTINGS_TABLE): string;
  replaceSettingsTable(readme: string, table: string): string;
}

// Imported by URL: the script is plain .mjs outside the TypeScript projects.
const script = (await import(
  new URL('../../../../scripts/settings-table.mjs', import.meta.url).href
)) as SettingsTableScript;

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

  it('has one row per setting, with its name and default', () => {
    const table = script.formatSettingsTable(SETTINGS_TABLE);
    const rows = table.split('\n').slice(2);
    expect(rows.map((row) => /^\| `(\w+)` \|/.exec(row)?.[1])).toEqual(Object.keys(SETTINGS_TABLE));
    expect(table).toContain('| `maxMessageLength` | 1 MiB | 32 KiB … 64 MiB |');
    expect(table).toContain('| `keepAliveIntervalMs` | 60 s | 1 s … 10 min |');
    expect(table).toContain('| `tickIntervalMs` | 500 ms | 10 ms … 10 s |');
    expect(table).toContain('| `maxIncomingRequestsPerPeer` | 500 | 1 … 10,000 |');
  });

  it('escapes a pipe in a doc text so the row keeps its four cells', () => {
    const table = script.formatSettingsTable({ oddSetting: { default: 1, min: 0, max: 2, doc: 'a | b' } });
    expect(table.split('\n')[2]).toBe('| `oddSetting` | 1 | 0 … 2 | a \\| b |');
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const before = `intro\n${script.TABLE_START}\nold\n${script.TABLE_END}\noutro\n`;
    expect(script.replaceSettingsTable(before, 'NEW')).toBe(
      `intro\n${script.TABLE_START}\nNEW\n${script.TABLE_END}\noutro\n`,
    );
    expect(() => script.replaceSettingsTable('no markers', 'NEW')).toThrow(/markers/);
  });
});
